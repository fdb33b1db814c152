import { sql } from 'drizzle-orm'
import { authorize } from '../server/auth/permissions.ts'
import { scopeCondition } from '../server/auth/scope.ts'
import { ADDRESS_MATCH_STATES, type AddressMatchState } from '../server/db/addresses.ts'
import type { GraphQLContext } from '../server/graphql/context.ts'
import { badUserInput, conflict, notFound } from '../server/graphql/errors.ts'
import { recordAudit } from './audit.ts'
import { builder } from './builder.ts'
import { Building, type BuildingRow, loadBuildings } from './buildings/buildings.ts'
import { inLanguage } from './problems/problem.ts'
import { encodeGlobalId, keyOfType } from './support/global-id.ts'

// 一标三实: the standard-address registry's matches to buildings, read and confirmed by staff (ADR 0020).

interface AddressMatchRow {
  id: number
  regionCode: string | null
  raw: string
  normalised: string
  code: string | null
  road: string | null
  number: string | null
  source: string
  sourceRow: number | null
  state: AddressMatchState
  score: number
  reason: string
  reasonEn: string
  buildingId: number | null
  candidateIds: number[]
  decidedBy: string | null
}

const MATCH_COLUMNS = sql`m.id, a.region_code as "regionCode", a.raw, a.normalised, a.code, a.road, a.number,
  a.source, a.source_row as "sourceRow", m.state, m.score, m.reason, m.reason_en as "reasonEn",
  m.target_id as "buildingId", m.candidate_ids as "candidateIds", m.decided_by as "decidedBy"`

const AddressMatchStateEnum = builder.enumType('AddressMatchState', {
  description:
    '匹配状态：已匹配、歧义、未匹配、已确认、已否定 / matched, ambiguous, unmatched, confirmed by staff, rejected by staff',
  values: ADDRESS_MATCH_STATES,
})

const AddressMatch = builder.objectRef<AddressMatchRow>('AddressMatch').implement({
  description: '一条标准地址与建筑的匹配 / How one standard address meets the buildings',
  fields: (t) => ({
    id: t.id({ resolve: (m) => encodeGlobalId('AddressMatch', m.id) }),
    address: t.exposeString('raw', { description: '地址原文 / the address as the list wrote it' }),
    normalised: t.exposeString('normalised', { description: '规范化地址 / the normalised address' }),
    code: t.exposeString('code', { nullable: true, description: '地址编码 / the city’s address code' }),
    road: t.exposeString('road', { nullable: true }),
    number: t.exposeString('number', { nullable: true, description: '门牌号 / house number' }),
    source: t.string({
      description: '来源清单与行号 / the list and row it came from',
      resolve: (m) => `${m.source}#${m.sourceRow ?? '-'}`,
    }),
    state: t.field({ type: AddressMatchStateEnum, resolve: (m) => m.state }),
    score: t.exposeFloat('score', { description: '匹配得分 0–1 / match score 0–1' }),
    reason: t.string({
      description: '理由（按请求语言）/ why, in the request’s language',
      resolve: (m, _a, context) => inLanguage(context, m.reason, m.reasonEn) ?? m.reason,
    }),
    building: t.field({
      type: Building,
      nullable: true,
      resolve: (m, _a, context) => (m.buildingId ? context.loader(loadBuildings).load(m.buildingId) : null),
    }),
    candidates: t.field({
      type: [Building],
      description: '得分相同的候选建筑 / the buildings tied for the best score',
      resolve: async (m, _a, context) => {
        const rows = await context.loader(loadBuildings).loadMany(m.candidateIds)
        return rows.filter((b): b is BuildingRow => b !== null && !(b instanceof Error))
      },
    }),
    decidedBy: t.exposeString('decidedBy', { nullable: true }),
  }),
})

const matchVisible = (context: GraphQLContext) =>
  scopeCondition(context.scope, sql`coalesce(a.region_code, '')`, 'never')

builder.queryField('addressMatches', (t) =>
  t.field({
    type: [AddressMatch],
    description:
      '标准地址与建筑的匹配报告（按状态）/ The match report of the standard addresses to buildings, by state',
    args: {
      state: t.arg({ type: AddressMatchStateEnum }),
      first: t.arg.int({ defaultValue: 100, description: '至多 1000 条 / at most 1000' }),
    },
    resolve: (_root, args, context) => {
      authorize(context.identity, context.scope, 'address.read')
      return context.database.rows<AddressMatchRow>(sql`
        select ${MATCH_COLUMNS} from address_matches m join standard_addresses a on a.id = m.address_id
        where m.target_type = 'building' and ${matchVisible(context)}
          ${args.state ? sql`and m.state = ${args.state}` : sql``}
        order by m.id limit ${Math.min(Math.max(args.first ?? 100, 1), 1000)}`)
    },
  }),
)

builder.mutationField('confirmAddressMatch', (t) =>
  t.field({
    type: AddressMatch,
    description:
      '人工确认歧义或未匹配的地址：选定候选建筑，或不指定建筑以否定 / Staff settle an ambiguous or unmatched ' +
      'address: name the building, or none to reject every candidate',
    args: {
      id: t.arg.globalID({ required: true }),
      building: t.arg.globalID({ description: '选定的建筑；空为否定 / the building; null rejects' }),
    },
    resolve: (_root, args, context) =>
      confirmMatch(
        context,
        keyOfType(args.id, 'AddressMatch'),
        args.building ? keyOfType(args.building, 'Building') : null,
      ),
  }),
)

async function confirmMatch(
  context: GraphQLContext,
  matchId: number,
  buildingId: number | null,
): Promise<AddressMatchRow> {
  authorize(context.identity, context.scope, 'address.confirm')
  return context.database.db.transaction(async (tx) => {
    const { rows } = (await tx.execute(sql`select ${MATCH_COLUMNS} from address_matches m
      join standard_addresses a on a.id = m.address_id
      where m.id = ${matchId} and m.target_type = 'building' for update of m`)) as unknown as {
      rows: AddressMatchRow[]
    }
    const before = rows[0]
    if (!before) throw notFound(`地址匹配 ${matchId} 不存在`, `Address match ${matchId} was not found`)
    authorize(context.identity, context.scope, 'address.confirm', { regionCode: before.regionCode ?? '' })
    if (before.state === 'confirmed' || before.state === 'rejected') {
      throw conflict(
        `该地址已由 ${before.decidedBy ?? '他人'} 处理`,
        `This address was settled already by ${before.decidedBy ?? 'someone else'}`,
      )
    }
    if (buildingId !== null && before.candidateIds.length > 0 && !before.candidateIds.includes(buildingId)) {
      throw badUserInput('所选建筑不在候选之中', 'The building chosen is not among the candidates', {
        candidates: before.candidateIds.map((id) => encodeGlobalId('Building', id)),
      })
    }
    if (buildingId !== null) await checkBuilding(tx, context, buildingId)
    const state: AddressMatchState = buildingId === null ? 'rejected' : 'confirmed'
    const who = context.identity?.subject ?? 'anonymous'
    await tx.execute(sql`update address_matches set state = ${state}, target_id = ${buildingId}, score = 1,
        reason = ${buildingId === null ? '人工否定全部候选' : '人工确认'},
        reason_en = ${buildingId === null ? 'staff rejected every candidate' : 'confirmed by staff'},
        decided_by = ${who}, decided_at = now()
      where id = ${matchId}`)
    const after = { ...before, state, buildingId, decidedBy: who }
    await recordAudit(tx, context, {
      entity: 'address_match',
      entityId: matchId,
      action: state === 'confirmed' ? 'confirm' : 'reject',
      regionCode: before.regionCode ?? '',
      before: { state: before.state, buildingId: before.buildingId, candidateIds: before.candidateIds },
      after: { state, buildingId },
    })
    return after
  })
}

/** A building named for an unmatched address must exist in the caller's scope. */
async function checkBuilding(
  tx: { execute: (q: ReturnType<typeof sql>) => Promise<unknown> },
  context: GraphQLContext,
  buildingId: number,
) {
  const { rows } = (await tx.execute(
    sql`select region_code as "regionCode" from buildings where id = ${buildingId}`,
  )) as {
    rows: { regionCode: string }[]
  }
  const building = rows[0]
  if (!building) throw notFound(`建筑 ${buildingId} 不存在`, `Building ${buildingId} was not found`)
  authorize(context.identity, context.scope, 'address.confirm', building)
}
