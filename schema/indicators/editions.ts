import { type SQL, sql } from 'drizzle-orm'
import { authorize } from '../../server/auth/permissions.ts'
import { CHECK_KINDS, OBJECT_TYPES, REVIEW_ROUNDS } from '../../server/db/indicators.ts'
import type { GraphQLContext } from '../../server/graphql/context.ts'
import { badUserInput, conflict, notFound } from '../../server/graphql/errors.ts'
import { recordAudit, type SqlExecutor } from '../audit.ts'
import { builder } from '../builder.ts'
import { keyOfType } from '../support/global-id.ts'
import { IndicatorLevel, IndicatorSystem, type IndicatorSystemRow, systemVisible } from './catalogue.ts'
import { editionForChange, reloadSystem, rowsOf, STATUS_NAMES } from './edition-rows.ts'
import {
  checkCode,
  checkIntRange,
  checkObjectTypes,
  checkOneOf,
  checkReviewRounds,
  checkText,
} from './input.ts'

/**
 * Throws CONFLICT unless the edition is published: a campaign runs on a published edition only (a draft may
 * still change; a locked one belongs to years already checked); NOT_FOUND when there is no such edition.
 * Campaign creation calls it inside its transaction; the row is share-locked so no lock slips in between.
 */
export async function assertEditionRunnable(tx: SqlExecutor, systemId: number): Promise<void> {
  const [edition] = await rowsOf<Pick<IndicatorSystemRow, 'name' | 'year' | 'status'>>(
    tx,
    sql`select name, year, status from indicator_systems where id = ${systemId} for share`,
  )
  if (!edition) {
    throw notFound(`指标体系版本 ${systemId} 不存在`, `Indicator system ${systemId} was not found`)
  }
  if (edition.status !== 'published') {
    throw conflict(
      `指标体系“${edition.name}”（${edition.year}）${STATUS_NAMES[edition.status]}：只有已发布的版本可以开展体检`,
      `The edition '${edition.name}' (${edition.year}) is ${edition.status}: only a published edition can run a check`,
      { status: edition.status },
    )
  }
}

const YEAR = { zh: '年度', en: 'year' }
const MIN_YEAR = 2000
const MAX_YEAR = 2100

/** Every column of an indicator but its id, edition and base link, in the order the copy lists them. */
const COPIED_COLUMNS =
  sql.raw(`code, name, name_en, dimension, group_name, unit, direction, level, method_kind,
  method, calculator, parameters, standard_values, renewal_theme, department, required_evidence, evidence,
  sort_order, enabled, weight, unit_type, reporting_level`)

/**
 * Copies every indicator of edition `from` into edition `to`; `baseLink` is what each copy's
 * `base_indicator_id` becomes (the source row's id to inherit it, or its own base link to stay a sibling).
 */
async function copyIndicators(tx: SqlExecutor, from: number, to: number, baseLink: SQL): Promise<number> {
  const [copied] = await rowsOf<{ n: number }>(
    tx,
    sql`with copied as (
      insert into indicators (system_id, base_indicator_id, ${COPIED_COLUMNS})
      select ${to}, ${baseLink}, ${COPIED_COLUMNS} from indicators where system_id = ${from}
        order by sort_order, id
      returning 1)
    select count(*)::int as n from copied`,
  )
  return copied?.n ?? 0
}

async function refuseTakenCode(tx: SqlExecutor, code: string, year: number): Promise<void> {
  const [taken] = await rowsOf(
    tx,
    sql`select 1 from indicator_systems where code = ${code} and year = ${year}`,
  )
  if (taken) {
    throw badUserInput(
      `${year} 年已有代码为 ${code} 的指标体系版本，请换一个代码或年度`,
      `An edition with code ${code} exists for ${year} already; choose another code or year`,
    )
  }
}

const CreateInput = builder.inputType('CreateIndicatorSystemInput', {
  fields: (t) => ({
    baseSystemId: t.globalID({
      description:
        '上级版本（国家或省级等，须已发布）；省略则从空白开始 / The published edition to inherit from',
    }),
    code: t.string({ required: true, description: '版本代码，与年度一起唯一 / unique with the year' }),
    name: t.string({ required: true }),
    year: t.int({ required: true }),
    level: t.field({ type: IndicatorLevel, required: true, description: 'provincial | municipal | special' }),
    ownerRegionCode: t.string({ required: true, description: '所属区划代码 / the region that owns it' }),
    checkKind: t.string({ description: 'annual（默认）| area | special' }),
    objectTypes: t.stringList({ description: `默认 region；可选 ${OBJECT_TYPES.join(' | ')}` }),
    reviewRounds: t.stringList({ description: '默认 ["city","province"]：市级初审、省级复审' }),
    weaknessChecks: t.int({ description: '持续短板的连续次数，默认 3 / persistent-weakness count' }),
    note: t.string(),
  }),
})

type CreateFields = typeof CreateInput.$inferInput

/** The settings of a new edition with their defaults, each checked before anything is read. */
function checkedCreate(input: CreateFields) {
  const level = input.level
  if (level === 'national') {
    throw badUserInput(
      '国家基础指标体系由数据目录加载；请选择 provincial、municipal 或 special',
      'The national edition is loaded from the catalogue; choose provincial, municipal or special',
    )
  }
  return {
    code: checkCode(input.code, { zh: '版本代码', en: 'edition code' }, 64),
    name: checkText(input.name, { zh: '版本名称', en: 'edition name' }),
    year: checkIntRange(input.year, YEAR, MIN_YEAR, MAX_YEAR),
    level,
    checkKind: checkOneOf(input.checkKind ?? 'annual', CHECK_KINDS, { zh: '体检类型', en: 'check kind' }),
    objectTypes: checkObjectTypes(input.objectTypes ?? ['region']),
    reviewRounds: checkReviewRounds(input.reviewRounds ?? [...REVIEW_ROUNDS]),
    weaknessChecks: checkIntRange(
      input.weaknessChecks ?? 3,
      { zh: '持续短板次数', en: 'weakness count' },
      1,
      20,
    ),
    note: input.note ?? null,
  }
}

/** The base edition, readable by the caller and published (a draft's indicators may still change). */
/** The region levels that may own an edition of each level: a county-level city (县级市) is a municipality too. */
const OWNER_LEVELS: Record<'provincial' | 'municipal' | 'special', readonly string[]> = {
  provincial: ['province'],
  municipal: ['city', 'district'],
  special: ['province', 'city', 'district'],
}

async function checkOwner(tx: SqlExecutor, owner: string, level: keyof typeof OWNER_LEVELS): Promise<void> {
  const [region] = await rowsOf<{ level: string; name: string }>(
    tx,
    sql`select level, name from regions where code = ${owner}`,
  )
  if (!region) throw badUserInput(`未知的行政区划代码 ${owner}`, `Unknown region code ${owner}`)
  if (!OWNER_LEVELS[level].includes(region.level)) {
    throw badUserInput(
      `${region.name}（${owner}，${region.level}）不能拥有 ${level} 级版本；可由 ${OWNER_LEVELS[level].join(' / ')} 级区划拥有`,
      `Region ${owner} (${region.level}) cannot own a ${level} edition; it takes a ${OWNER_LEVELS[level].join(' or ')} region`,
    )
  }
}

type BaseRow = Pick<IndicatorSystemRow, 'id' | 'name' | 'year' | 'status' | 'settings'>

async function baseFor(tx: SqlExecutor, context: GraphQLContext, id: number): Promise<BaseRow> {
  const [base] = await rowsOf<BaseRow>(
    tx,
    sql`select s.id, s.name, s.year, s.status, s.settings from indicator_systems s
      where s.id = ${id} and ${systemVisible(context)} for share`,
  )
  if (!base) throw notFound(`上级版本 ${id} 不存在或无权访问`, `Base edition ${id} was not found`)
  if (base.status === 'draft') {
    throw conflict(
      `上级版本“${base.name}”（${base.year}）仍是草稿，发布后才能以它为上级`,
      `The base edition '${base.name}' (${base.year}) is a draft; publish it before building on it`,
      { status: base.status },
    )
  }
  return base
}

/** 新建版本: a draft that inherits every indicator of its base, in one transaction with its audit event. */
async function createIndicatorSystem(context: GraphQLContext, input: CreateFields): Promise<number> {
  const owner = input.ownerRegionCode.trim()
  // The role first, then the region: a district is told it may not, a city outside the region finds nothing.
  authorize(context.identity, context.scope, 'edition.write', { regionCode: owner })
  const edition = checkedCreate(input)
  const baseId = input.baseSystemId ? keyOfType(input.baseSystemId, 'IndicatorSystem') : null
  return context.database.db.transaction(async (tx) => {
    await checkOwner(tx, owner, edition.level)
    const base = baseId === null ? null : await baseFor(tx, context, baseId)
    await refuseTakenCode(tx, edition.code, edition.year)
    const [created] = await rowsOf<{ id: number }>(
      tx,
      sql`insert into indicator_systems (code, name, year, level, owner_region_code, base_system_id, status,
          settings, check_kind, object_types, review_rounds, weakness_checks, note)
        values (${edition.code}, ${edition.name}, ${edition.year}, ${edition.level}, ${owner}, ${baseId}, 'draft',
          ${JSON.stringify(base?.settings ?? {})}::jsonb, ${edition.checkKind},
          ${JSON.stringify(edition.objectTypes)}::jsonb, ${JSON.stringify(edition.reviewRounds)}::jsonb,
          ${edition.weaknessChecks}, ${edition.note})
        returning id`,
    )
    if (!created) throw new Error('indicator system insert returned nothing')
    const inherited = base ? await copyIndicators(tx, base.id, created.id, sql.raw('id')) : 0
    await recordAudit(tx, context, {
      entity: 'indicator_system',
      entityId: created.id,
      action: 'create',
      regionCode: owner,
      before: null,
      after: { ...edition, ownerRegionCode: owner, baseSystemId: baseId, status: 'draft', inherited },
    })
    return created.id
  })
}

/** 下一年度: the same edition for another year, as a draft, each indicator keeping its own base link. */
async function copyToYear(context: GraphQLContext, systemId: number, yearInput: number): Promise<number> {
  const year = checkIntRange(yearInput, YEAR, MIN_YEAR, MAX_YEAR)
  return context.database.db.transaction(async (tx) => {
    const source = await editionForChange(tx, context, systemId, 'edition.write')
    await refuseTakenCode(tx, source.code, year)
    const [created] = await rowsOf<{ id: number }>(
      tx,
      sql`insert into indicator_systems (code, name, year, level, owner_region_code, base_system_id, status,
          settings, check_kind, object_types, review_rounds, weakness_checks, note)
        select code, name, ${year}, level, owner_region_code, base_system_id, 'draft', settings, check_kind,
          object_types, review_rounds, weakness_checks, note
        from indicator_systems where id = ${systemId}
        returning id`,
    )
    if (!created) throw new Error('indicator system copy returned nothing')
    const copied = await copyIndicators(tx, systemId, created.id, sql.raw('base_indicator_id'))
    await recordAudit(tx, context, {
      entity: 'indicator_system',
      entityId: created.id,
      action: 'copy',
      regionCode: source.ownerRegionCode ?? '',
      before: { systemId, year: source.year },
      after: { code: source.code, year, status: 'draft', indicators: copied },
    })
    return created.id
  })
}

/** draft → published → locked, each step once, with its time; publishing needs an indicator that is on. */
async function advance(context: GraphQLContext, systemId: number, to: 'published' | 'locked') {
  return context.database.db.transaction(async (tx) => {
    const edition = await editionForChange(tx, context, systemId, 'edition.publish')
    const from = to === 'published' ? 'draft' : 'published'
    if (edition.status !== from) {
      throw conflict(
        `指标体系“${edition.name}”（${edition.year}）${STATUS_NAMES[edition.status]}，只有${STATUS_NAMES[from]}的版本可以${to === 'published' ? '发布' : '锁定'}`,
        `The edition '${edition.name}' (${edition.year}) is ${edition.status}; only a ${from} edition can be ${to}`,
        { status: edition.status },
      )
    }
    if (to === 'published') {
      const [on] = await rowsOf(tx, sql`select 1 from indicators where system_id = ${systemId} and enabled`)
      if (!on) {
        throw conflict(
          '该版本没有启用的指标，不能发布',
          'The edition has no indicator switched on; there is nothing to publish',
        )
      }
    }
    const stamp = to === 'published' ? sql.raw('published_at') : sql.raw('locked_at')
    const [at] = await rowsOf<{ at: Date | string }>(
      tx,
      sql`update indicator_systems set status = ${to}, ${stamp} = now() where id = ${systemId} returning ${stamp} as at`,
    )
    await recordAudit(tx, context, {
      entity: 'indicator_system',
      entityId: systemId,
      action: to === 'published' ? 'publish' : 'lock',
      regionCode: edition.ownerRegionCode ?? '',
      before: { status: edition.status },
      after: { status: to, at: at?.at ?? null },
    })
    return systemId
  })
}

builder.mutationField('createIndicatorSystem', (t) =>
  t.field({
    type: IndicatorSystem,
    description:
      '以上级版本为基础新建省级、市级或专项指标体系版本（草稿，继承全部指标）/ Creates a draft edition that inherits every indicator of its base',
    args: { input: t.arg({ type: CreateInput, required: true }) },
    resolve: async (_root, { input }, context) =>
      reloadSystem(context, await createIndicatorSystem(context, input)),
  }),
)

const SystemYearInput = builder.inputType('CopyIndicatorSystemToYearInput', {
  fields: (t) => ({
    systemId: t.globalID({ required: true }),
    year: t.int({ required: true, description: '新版本的年度 / the year of the copy' }),
  }),
})

builder.mutationField('copyIndicatorSystemToYear', (t) =>
  t.field({
    type: IndicatorSystem,
    description:
      '复制为另一年度的版本（同代码、同上级，草稿）/ Copies an edition to another year: same code and base, a draft',
    args: { input: t.arg({ type: SystemYearInput, required: true }) },
    resolve: async (_root, { input }, context) =>
      reloadSystem(
        context,
        await copyToYear(context, keyOfType(input.systemId, 'IndicatorSystem'), input.year),
      ),
  }),
)

const SystemInput = builder.inputType('IndicatorSystemStatusInput', {
  fields: (t) => ({ systemId: t.globalID({ required: true }) }),
})

builder.mutationField('publishIndicatorSystem', (t) =>
  t.field({
    type: IndicatorSystem,
    description:
      '发布草稿版本，此后可开展体检、不再修改 / Publishes a draft: it can run checks and no longer changes',
    args: { input: t.arg({ type: SystemInput, required: true }) },
    resolve: async (_root, { input }, context) =>
      reloadSystem(
        context,
        await advance(context, keyOfType(input.systemId, 'IndicatorSystem'), 'published'),
      ),
  }),
)

builder.mutationField('lockIndicatorSystem', (t) =>
  t.field({
    type: IndicatorSystem,
    description: '锁定已发布的版本（年度结束）/ Locks a published edition once its year is done',
    args: { input: t.arg({ type: SystemInput, required: true }) },
    resolve: async (_root, { input }, context) =>
      reloadSystem(context, await advance(context, keyOfType(input.systemId, 'IndicatorSystem'), 'locked')),
  }),
)
