/** The viewport query as each server spells it, and their answers as the same plain rows. */

import { agentFor, post } from './api-load.ts'

export interface Viewport {
  west: number
  south: number
  east: number
  north: number
}

const OUR_QUERY = `query Viewport($filter: SpatialFilter!, $first: Int!) {
  buildings(filter: $filter, first: $first) {
    nodes { id name heightM footprint compound { id name } region { code name } }
  }
}`

const PEER_QUERY = `query Viewport($west: Float!, $south: Float!, $east: Float!, $north: Float!, $first: Int!) {
  benchPeerBuildingsInViewport(west: $west, south: $south, east: $east, north: $north, first: $first) {
    nodes { rowId name heightM footprintGeojson compoundByCompoundId { rowId name } regionByRegionCode { code name } }
  }
}`

export const ourBody = (v: Viewport, first: number) =>
  JSON.stringify({ query: OUR_QUERY, variables: { filter: { bbox: v }, first } })
export const peerBody = (v: Viewport, first: number) =>
  JSON.stringify({ query: PEER_QUERY, variables: { ...v, first } })

interface Row {
  id: number
  name: string | null
  heightM: number
  footprint: unknown
  compound: { id: number; name: string | null } | null
  region: { code: string; name: string } | null
}

const round = (value: unknown): unknown =>
  typeof value === 'number' ? Math.round(value * 1e7) / 1e7 : Array.isArray(value) ? value.map(round) : value

const rawId = (globalId: string) => Number(Buffer.from(globalId, 'base64').toString('utf8').split(':')[1])

/** Both answers as the same plain rows, so the benchmark compares like with like before it times anything. */
function normaliseOurs(text: string): Row[] {
  const body = JSON.parse(text) as {
    errors?: unknown
    data: { buildings: { nodes: Record<string, never>[] } }
  }
  if (body.errors) throw new Error(`CityCheck answered with errors: ${JSON.stringify(body.errors)}`)
  return body.data.buildings.nodes.map((n: Record<string, never>) => {
    const b = n as unknown as {
      id: string
      name: string | null
      heightM: number
      footprint: { type: string; coordinates: unknown }
      compound: { id: string; name: string | null } | null
      region: { code: string; name: string } | null
    }
    return {
      id: rawId(b.id),
      name: b.name,
      heightM: b.heightM,
      footprint: { type: b.footprint.type, coordinates: round(b.footprint.coordinates) },
      compound: b.compound ? { id: rawId(b.compound.id), name: b.compound.name } : null,
      region: b.region,
    }
  })
}

function normalisePeer(text: string): Row[] {
  const body = JSON.parse(text) as {
    errors?: unknown
    data: { benchPeerBuildingsInViewport: { nodes: unknown[] } }
  }
  if (body.errors) throw new Error(`PostGraphile answered with errors: ${JSON.stringify(body.errors)}`)
  return body.data.benchPeerBuildingsInViewport.nodes.map((n) => {
    const b = n as {
      rowId: number
      name: string | null
      heightM: number
      footprintGeojson: { type: string; coordinates: unknown }
      compoundByCompoundId: { rowId: number; name: string | null } | null
      regionByRegionCode: { code: string; name: string } | null
    }
    return {
      id: b.rowId,
      name: b.name,
      heightM: b.heightM,
      footprint: { type: b.footprintGeojson.type, coordinates: round(b.footprintGeojson.coordinates) },
      compound: b.compoundByCompoundId
        ? { id: b.compoundByCompoundId.rowId, name: b.compoundByCompoundId.name }
        : null,
      region: b.regionByRegionCode,
    }
  })
}

export async function assertSameAnswers(
  ours: URL,
  peer: URL,
  views: Viewport[],
  first: number,
): Promise<number> {
  const agent = agentFor(1)
  let rows = 0
  for (const v of views) {
    const a = await post(agent, ours, ourBody(v, first))
    const b = await post(agent, peer, peerBody(v, first))
    if (a.status !== 200 || b.status !== 200) {
      throw new Error(`status ${a.status} / ${b.status}: ${a.text.slice(0, 300)} ${b.text.slice(0, 300)}`)
    }
    const x = JSON.stringify(normaliseOurs(a.text))
    const y = JSON.stringify(normalisePeer(b.text))
    if (x !== y) {
      throw new Error(
        `the two servers answer differently for ${JSON.stringify(v)}:\n${x.slice(0, 600)}\n${y.slice(0, 600)}`,
      )
    }
    rows += normaliseOurs(a.text).length
  }
  agent.destroy()
  return rows
}
