import { type SQL, sql } from 'drizzle-orm'
import { authorize, type Operation } from '../../server/auth/permissions.ts'
import type { GraphQLContext } from '../../server/graphql/context.ts'
import { conflict, forbidden, notFound } from '../../server/graphql/errors.ts'
import type { SqlExecutor } from '../audit.ts'
import {
  type IndicatorSystemRow,
  loadIndicators,
  loadSystems,
  SYSTEM_COLUMNS,
  systemVisible,
} from './catalogue.ts'

/** The rows of a statement run in a transaction (both drivers answer `{ rows }`). */
export async function rowsOf<T>(tx: SqlExecutor, query: SQL): Promise<T[]> {
  return ((await tx.execute(query)) as { rows: T[] }).rows
}

/** A jsonb column as an object: the drivers hand jsonb back parsed, but a text cast would not be. */
export function jsonOf<T>(value: unknown): T {
  return (typeof value === 'string' ? JSON.parse(value) : value) as T
}

export const STATUS_NAMES = { draft: '草稿', published: '已发布', locked: '已锁定' } as const

/**
 * Reads an edition for change and locks its row: NOT_FOUND when the caller cannot read it or it lies outside
 * the caller's region (the same answer, ADR 0012); FORBIDDEN for the national edition, which is loaded as data
 * and owned by no region a token can act for. The role is checked before anything is read.
 */
export async function editionForChange(
  tx: SqlExecutor,
  context: GraphQLContext,
  systemId: number,
  operation: Operation,
): Promise<IndicatorSystemRow> {
  authorize(context.identity, context.scope, operation)
  const [edition] = await rowsOf<IndicatorSystemRow>(
    tx,
    sql`select ${SYSTEM_COLUMNS} from indicator_systems s
      where s.id = ${systemId} and ${systemVisible(context)} for update`,
  )
  if (!edition) {
    throw notFound(`指标体系版本 ${systemId} 不存在或无权访问`, `Indicator system ${systemId} was not found`)
  }
  if (!edition.ownerRegionCode) {
    throw forbidden(
      '国家基础指标体系由数据目录加载，不能通过接口修改；请以它为上级创建本地版本',
      'The national edition is loaded from the catalogue and cannot be changed here; create an edition from it',
    )
  }
  authorize(context.identity, context.scope, operation, { regionCode: edition.ownerRegionCode })
  return edition
}

/** Indicators are added and changed only while their edition is a draft: published figures stay put. */
export function requireDraft(edition: IndicatorSystemRow): void {
  if (edition.status !== 'draft') {
    throw conflict(
      `指标体系“${edition.name}”（${edition.year}）${STATUS_NAMES[edition.status]}，只有草稿可以修改；请复制为新版本后修改`,
      `The edition '${edition.name}' (${edition.year}) is ${edition.status}; only a draft can change — copy it to a new edition`,
      { status: edition.status },
    )
  }
}

/** An edition as the caller reads it after a committed write (fresh, not the request's cached row). */
export async function reloadSystem(context: GraphQLContext, id: number): Promise<IndicatorSystemRow> {
  const row = await context.loader(loadSystems).clear(id).load(id)
  if (!row) throw notFound(`指标体系版本 ${id} 不存在或无权访问`, `Indicator system ${id} was not found`)
  return row
}

export async function reloadIndicator(context: GraphQLContext, id: number) {
  const row = await context.loader(loadIndicators).clear(id).load(id)
  if (!row) throw notFound(`指标 ${id} 不存在或无权访问`, `Indicator ${id} was not found`)
  return row
}
