import { numberScore, type ParsedAddress } from '../domain/addresses.ts'

/** A record with an address to match against: a building, an appeal, a resource. */
export interface Addressed {
  id: number
  parsed: ParsedAddress
  /** Its point (lon, lat), when it has one. */
  point: [number, number] | null
}

export type MatchState = 'matched' | 'ambiguous' | 'unmatched'

export interface MatchResult {
  state: MatchState
  targetId: number | null
  candidateIds: number[]
  score: number
  reason: string
  reasonEn: string
}

/** A score at least this high is a match; a number inside a building's range (0.8) still is. */
export const MATCH_THRESHOLD = 0.8
/** Among buildings at one address, a list's point picks the one within this distance. */
export const POINT_TIE_BREAK_M = 50
/** …and only when the next one is this much farther: a point between two buildings decides nothing. */
export const POINT_TIE_MARGIN_M = 10

/** Records by road, so a list of thousands is matched against one road's buildings at a time. */
export function indexByRoad(records: Addressed[]): Map<string, Addressed[]> {
  const index = new Map<string, Addressed[]>()
  for (const r of records) {
    if (!r.parsed.road) continue
    index.set(r.parsed.road, [...(index.get(r.parsed.road) ?? []), r])
  }
  return index
}

/**
 * Matches one list address to the records on its road: the same road and a compatible district are required,
 * the house number scores (same 1, in a range 0.8). One best record is a match; several best ones are
 * ambiguous unless the list's point is clearly nearest one (within 50 m, 10 m nearer than the next); none is unmatched — each with its reason.
 */
export function matchAddress(
  address: ParsedAddress,
  point: [number, number] | null,
  index: Map<string, Addressed[]>,
): MatchResult {
  const text = `${address.road ?? ''}${address.number ?? ''}`
  if (!address.road) return unmatched(0, '未识别出街路巷', 'no road could be read from the address')
  const onRoad = (index.get(address.road) ?? []).filter((r) => sameDistrict(address, r.parsed))
  if (onRoad.length === 0) {
    return unmatched(0, `没有位于${address.road}的建筑`, `no building on ${address.road}`)
  }
  if (!address.number) {
    return unmatched(
      0,
      `地址缺少门牌号（${address.road}）`,
      `the address has no house number on ${address.road}`,
    )
  }
  const scored = onRoad.map((r) => ({ r, score: numberScore(address.number, r.parsed.number) }))
  const best = Math.max(...scored.map((s) => s.score))
  if (best < MATCH_THRESHOLD) {
    const numbers = [...new Set(onRoad.map((r) => r.parsed.number).filter(Boolean))].slice(0, 5).join('、')
    return unmatched(
      best,
      `${address.road}没有门牌 ${address.number} 的建筑（已知门牌：${numbers || '无'}）`,
      `no building numbered ${address.number} on ${address.road} (numbers known there: ${numbers || 'none'})`,
    )
  }
  const top = scored.filter((s) => s.score === best).map((s) => s.r)
  if (top.length === 1) {
    const only = top[0] as Addressed
    return { ...result('matched', only.id, [only.id], best), ...because(best, text) }
  }
  const chosen = point ? nearestClearly(point, top) : null
  if (chosen) {
    return {
      ...result(
        'matched',
        chosen.id,
        top.map((r) => r.id),
        best,
      ),
      reason: `${top.length} 栋建筑同为 ${text}，按坐标选定 ${POINT_TIE_BREAK_M} 米内最近的一栋`,
      reasonEn: `${top.length} buildings share ${text}; the list's point is nearest to one, within ${POINT_TIE_BREAK_M} m`,
    }
  }
  return {
    ...result(
      'ambiguous',
      null,
      top.map((r) => r.id),
      best,
    ),
    reason: `${top.length} 栋建筑同为 ${text}，需人工确认`,
    reasonEn: `${top.length} buildings share ${text}: staff must confirm one`,
  }
}

/** The record nearest the point, if within 50 m and at least 10 m nearer than the next one. */
function nearestClearly(point: [number, number], records: Addressed[]): Addressed | null {
  const byDistance = records
    .filter((r) => r.point)
    .map((r) => ({ r, m: metresBetween(point, r.point as [number, number]) }))
    .sort((a, b) => a.m - b.m)
  const [first, second] = byDistance
  if (!first || first.m > POINT_TIE_BREAK_M) return null
  return !second || second.m - first.m >= POINT_TIE_MARGIN_M ? first.r : null
}

function sameDistrict(a: ParsedAddress, b: ParsedAddress): boolean {
  return !a.district || !b.district || a.district === b.district
}

function because(score: number, text: string): { reason: string; reasonEn: string } {
  return score === 1
    ? { reason: `街路巷与门牌一致：${text}`, reasonEn: `road and number agree: ${text}` }
    : {
        reason: `门牌在建筑的门牌范围内：${text}`,
        reasonEn: `the number lies in the building's range: ${text}`,
      }
}

function result(state: MatchState, targetId: number | null, candidateIds: number[], score: number) {
  return { state, targetId, candidateIds, score }
}

function unmatched(score: number, reason: string, reasonEn: string): MatchResult {
  return { state: 'unmatched', targetId: null, candidateIds: [], score, reason, reasonEn }
}

/** Equirectangular metres: exact enough within a city for a 50 m test. */
function metresBetween(a: [number, number], b: [number, number]): number {
  const lat = ((a[1] + b[1]) / 2) * (Math.PI / 180)
  return Math.hypot((a[0] - b[0]) * 111_320 * Math.cos(lat), (a[1] - b[1]) * 110_574)
}
