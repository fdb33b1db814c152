import { sql } from 'drizzle-orm'
import { authorize } from '../../server/auth/permissions.ts'
import { OBJECT_TYPES } from '../../server/db/indicators.ts'
import { type DiffField, fieldChanges } from '../../server/domain/edition-diff.ts'
import type { GraphQLContext } from '../../server/graphql/context.ts'
import { badUserInput, notFound } from '../../server/graphql/errors.ts'
import { recordAudit, type SqlExecutor } from '../audit.ts'
import { builder } from '../builder.ts'
import { keyOfType } from '../support/global-id.ts'
import { Dimension, INDICATOR_COLUMNS, Indicator, type IndicatorRow, systemVisible } from './catalogue.ts'
import { editionForChange, jsonOf, reloadIndicator, requireDraft, rowsOf } from './edition-rows.ts'
import {
  checkCode,
  checkOneOf,
  checkReportingLevel,
  checkStandardValues,
  checkText,
  checkWeight,
  DIRECTIONS,
  type FieldName,
  mergeParameters,
  UNIT_TYPE,
} from './input.ts'

/**
 * The calculators an added indicator may name. The indicators job owns the list (INDICATOR_CALCULATORS in
 * jobs/indicators/job.ts), which the schema may not import (ADR 0009); a test keeps the two equal.
 */
export const COMPUTED_CALCULATORS = ['coverage', 'capacity', 'per_capita', 'road_density', 'stock_share']

/** What an edition may set on an indicator, inherited or its own; code, dimension and method stay fixed. */
const EDITABLE: readonly DiffField[] = [
  'name',
  'nameEn',
  'group',
  'unit',
  'direction',
  'parameters',
  'standardValues',
  'renewalTheme',
  'department',
  'requiredEvidence',
  'enabled',
  'weight',
  'unitType',
  'reportingLevel',
]

const NAME: FieldName = { zh: '指标名称', en: 'indicator name' }

/** `reported`, or a calculator with an optional facility type (`coverage:kindergarten`). */
function methodOf(method: string) {
  const [kind = '', argument] = method.trim().split(':')
  if (kind === 'reported' && argument === undefined) {
    return { methodKind: 'reported' as const, method: 'reported', calculator: null, parameters: {} }
  }
  if (!COMPUTED_CALCULATORS.includes(kind) || argument === '') {
    throw badUserInput(
      `未知的计算方法“${method.slice(0, 40)}”：填 reported，或 ${COMPUTED_CALCULATORS.join(' | ')}[:设施类型]`,
      `Unknown method '${method.slice(0, 40)}': use reported or ${COMPUTED_CALCULATORS.join(' | ')}[:facility type]`,
    )
  }
  const parameters = argument ? { facilityType: argument } : {}
  return { methodKind: 'computed' as const, method: method.trim(), calculator: kind, parameters }
}

/** Cross-field rule: an indicator reported by a department names which one. */
function checkDepartmentNamed(row: Pick<IndicatorRow, 'reportingLevel' | 'department'>): void {
  if (row.reportingLevel === 'department' && !row.department) {
    throw badUserInput(
      '填报层级为责任部门（department）时须填写部门名称',
      'An indicator reported by a department must name the department',
    )
  }
}

const AddInput = builder.inputType('AddIndicatorInput', {
  fields: (t) => ({
    systemId: t.globalID({ required: true, description: '草稿版本 / a draft edition' }),
    code: t.string({ required: true, description: '版本内唯一 / unique in the edition' }),
    name: t.string({ required: true }),
    nameEn: t.string(),
    dimension: t.field({ type: Dimension, required: true }),
    group: t.string(),
    unit: t.string(),
    direction: t.string({ description: 'higher | lower | target | none（默认）' }),
    method: t.string({ description: 'reported（默认）或 coverage:<设施类型> 等 / or a calculator' }),
    parameters: t.field({ type: 'JSON', description: '如服务半径 {"radiusM": 800}' }),
    standardValues: t.field({
      type: 'JSON',
      description: '{poor, fair, good, red, yellow, byCityClass: {<城市类别>: {...}}}',
    }),
    weight: t.float(),
    unitType: t.string({ description: `默认 region；可选 ${OBJECT_TYPES.join(' | ')}` }),
    reportingLevel: t.string({ description: 'city | district（默认）| street | department' }),
    department: t.string({ description: '责任部门 / responsible department' }),
    renewalTheme: t.string({ description: '更新主题 / renewal theme' }),
    requiredEvidence: t.string({ description: '须提交的佐证材料 / evidence required' }),
  }),
})

async function addIndicator(context: GraphQLContext, input: typeof AddInput.$inferInput): Promise<number> {
  const systemId = keyOfType(input.systemId, 'IndicatorSystem')
  const code = checkCode(input.code, { zh: '指标代码', en: 'indicator code' }, 32)
  const method = methodOf(input.method ?? 'reported')
  const direction = checkOneOf(input.direction ?? 'none', DIRECTIONS, { zh: '指标方向', en: 'direction' })
  const row = {
    code,
    name: checkText(input.name, NAME),
    nameEn: input.nameEn ?? null,
    dimension: input.dimension,
    group: input.group ?? null,
    unit: input.unit ?? null,
    direction,
    ...method,
    parameters: mergeParameters(method.parameters, input.parameters ?? {}),
    standardValues: checkStandardValues(input.standardValues ?? null, direction),
    weight: checkWeight(input.weight ?? null),
    unitType: checkOneOf(input.unitType ?? 'region', OBJECT_TYPES, UNIT_TYPE),
    reportingLevel: checkReportingLevel(input.reportingLevel ?? 'district'),
    department: input.department ?? null,
    renewalTheme: input.renewalTheme ?? null,
    requiredEvidence: input.requiredEvidence ?? null,
  }
  checkDepartmentNamed(row)
  return context.database.db.transaction(async (tx) => {
    const edition = await editionForChange(tx, context, systemId, 'edition.write')
    requireDraft(edition)
    const [taken] = await rowsOf(
      tx,
      sql`select 1 from indicators where system_id = ${systemId} and code = ${code}`,
    )
    if (taken) {
      throw badUserInput(
        `该版本已有代码为 ${code} 的指标（继承的指标可修改或停用，不能重复新增）`,
        `The edition has an indicator ${code} already (change or switch off an inherited one instead)`,
      )
    }
    const [added] = await rowsOf<{ id: number }>(
      tx,
      sql`insert into indicators (system_id, code, name, name_en, dimension, group_name, unit, direction, level,
          method_kind, method, calculator, parameters, standard_values, weight, unit_type, reporting_level,
          department, renewal_theme, required_evidence, sort_order)
        values (${systemId}, ${row.code}, ${row.name}, ${row.nameEn}, ${row.dimension}, ${row.group}, ${row.unit},
          ${row.direction}, ${edition.level}, ${row.methodKind}, ${row.method}, ${row.calculator},
          ${JSON.stringify(row.parameters)}::jsonb, ${jsonParam(row.standardValues)}::jsonb, ${row.weight},
          ${row.unitType}, ${row.reportingLevel}, ${row.department}, ${row.renewalTheme}, ${row.requiredEvidence},
          (select coalesce(max(sort_order), -1) + 1 from indicators where system_id = ${systemId}))
        returning id`,
    )
    if (!added) throw new Error('indicator insert returned nothing')
    await recordAudit(tx, context, {
      entity: 'indicator',
      entityId: added.id,
      action: 'add',
      regionCode: edition.ownerRegionCode ?? '',
      before: null,
      after: { systemId, level: edition.level, ...row },
    })
    return added.id
  })
}

const jsonParam = (value: unknown) => (value == null ? null : JSON.stringify(value))

builder.mutationField('addIndicator', (t) =>
  t.field({
    type: Indicator,
    description:
      '向草稿版本新增本级指标（特色指标）/ Adds an indicator of the edition’s own to a draft edition',
    args: { input: t.arg({ type: AddInput, required: true }) },
    resolve: async (_root, { input }, context) =>
      reloadIndicator(context, await addIndicator(context, input)),
  }),
)

const UpdateInput = builder.inputType('UpdateIndicatorInput', {
  description:
    '只改给出的字段；可为空的字段传 null 即清除 / Only the fields given change; null clears a nullable one',
  fields: (t) => ({
    id: t.globalID({ required: true }),
    name: t.string(),
    nameEn: t.string(),
    group: t.string(),
    unit: t.string(),
    direction: t.string({ description: 'higher | lower | target | none' }),
    enabled: t.boolean({ description: 'false 即停用（继承的指标仍列出）/ false switches it off' }),
    standardValues: t.field({
      type: 'JSON',
      description:
        '整体替换 / replaces them: {poor, fair, good, red, yellow, byCityClass: {<城市类别>: {...}}}',
    }),
    parameters: t.field({
      type: 'JSON',
      description: '逐项合并，null 删除该项，如 {"radiusM": 800} / merged key by key, null removes a key',
    }),
    weight: t.float(),
    unitType: t.string({ description: OBJECT_TYPES.join(' | ') }),
    reportingLevel: t.string({ description: 'city | district | street | department' }),
    department: t.string(),
    renewalTheme: t.string(),
    requiredEvidence: t.string(),
  }),
})

type UpdateFields = typeof UpdateInput.$inferInput

/** A field that has a value in every row: null cannot clear it. */
function present<T>(value: T | null, field: string): T {
  if (value === null) {
    throw badUserInput(`${field} 不能清空`, `The field ${field} cannot be cleared`)
  }
  return value
}

/** The indicator as it will be, every given field checked; absent fields keep their value. */
function updated(current: IndicatorRow, input: UpdateFields): IndicatorRow {
  const next: IndicatorRow = { ...current }
  const given = <K extends keyof UpdateFields>(key: K) => input[key] !== undefined
  if (given('name')) next.name = checkText(present(input.name ?? null, 'name'), NAME)
  if (given('nameEn')) next.nameEn = input.nameEn ?? null
  if (given('group')) next.group = input.group ?? null
  if (given('unit')) next.unit = input.unit ?? null
  if (given('direction')) {
    next.direction = checkOneOf(present(input.direction ?? null, 'direction'), DIRECTIONS, {
      zh: '指标方向',
      en: 'direction',
    })
  }
  if (given('enabled')) next.enabled = present(input.enabled ?? null, 'enabled')
  if (given('parameters')) next.parameters = mergeParameters(current.parameters, input.parameters)
  // Standard values are read against the direction, so a change of either checks both.
  if (given('standardValues'))
    next.standardValues = (input.standardValues ?? null) as IndicatorRow['standardValues']
  if (given('standardValues') || given('direction')) {
    next.standardValues = checkStandardValues(next.standardValues, next.direction)
  }
  if (given('weight')) next.weight = checkWeight(input.weight ?? null)
  if (given('unitType')) {
    next.unitType = checkOneOf(present(input.unitType ?? null, 'unitType'), OBJECT_TYPES, UNIT_TYPE)
  }
  if (given('reportingLevel')) {
    next.reportingLevel = checkReportingLevel(present(input.reportingLevel ?? null, 'reportingLevel'))
  }
  if (given('department')) next.department = input.department ?? null
  if (given('renewalTheme')) next.renewalTheme = input.renewalTheme ?? null
  if (given('requiredEvidence')) next.requiredEvidence = input.requiredEvidence ?? null
  checkDepartmentNamed(next)
  return next
}

/** The indicator in its edition, locked for change once its draft edition is (the edition's row first). */
async function indicatorForChange(tx: SqlExecutor, context: GraphQLContext, id: number) {
  const [found] = await rowsOf<{ systemId: number }>(
    tx,
    sql`select i.system_id as "systemId" from indicators i join indicator_systems s on s.id = i.system_id
      where i.id = ${id} and ${systemVisible(context)}`,
  )
  if (!found) throw notFound(`指标 ${id} 不存在或无权访问`, `Indicator ${id} was not found`)
  const edition = await editionForChange(tx, context, found.systemId, 'edition.write')
  requireDraft(edition)
  const [row] = await rowsOf<IndicatorRow>(
    tx,
    sql`select ${INDICATOR_COLUMNS} from indicators i where i.id = ${id} for update`,
  )
  if (!row) throw notFound(`指标 ${id} 不存在或无权访问`, `Indicator ${id} was not found`)
  const indicator = {
    ...row,
    parameters: jsonOf<Record<string, unknown>>(row.parameters),
    standardValues: jsonOf<Record<string, unknown> | null>(row.standardValues),
  }
  return { edition, indicator }
}

/** Overrides or switches off an indicator of a draft edition; a change to nothing writes nothing. */
async function updateIndicator(context: GraphQLContext, input: UpdateFields): Promise<number> {
  const id = keyOfType(input.id, 'Indicator')
  authorize(context.identity, context.scope, 'edition.write')
  return context.database.db.transaction(async (tx) => {
    const { edition, indicator } = await indicatorForChange(tx, context, id)
    const next = updated(indicator, input)
    const changes = fieldChanges(indicator, next, EDITABLE)
    if (changes.length === 0) return id
    await tx.execute(sql`update indicators set name = ${next.name}, name_en = ${next.nameEn},
        group_name = ${next.group}, unit = ${next.unit}, direction = ${next.direction}, enabled = ${next.enabled},
        parameters = ${JSON.stringify(next.parameters)}::jsonb,
        standard_values = ${jsonParam(next.standardValues)}::jsonb, weight = ${next.weight},
        unit_type = ${next.unitType}, reporting_level = ${next.reportingLevel}, department = ${next.department},
        renewal_theme = ${next.renewalTheme}, required_evidence = ${next.requiredEvidence}
      where id = ${id}`)
    await recordAudit(tx, context, {
      entity: 'indicator',
      entityId: id,
      action: 'update',
      regionCode: edition.ownerRegionCode ?? '',
      before: Object.fromEntries(changes.map((c) => [c.field, c.before])),
      after: Object.fromEntries(changes.map((c) => [c.field, c.after])),
    })
    return id
  })
}

builder.mutationField('updateIndicator', (t) =>
  t.field({
    type: Indicator,
    description:
      '修改草稿版本中的指标：覆盖标准值（含按城市类别）、服务半径等参数、权重、填报对象与层级、责任部门、名称，或停用继承的指标 / Overrides or switches off an indicator of a draft edition',
    args: { input: t.arg({ type: UpdateInput, required: true }) },
    resolve: async (_root, { input }, context) =>
      reloadIndicator(context, await updateIndicator(context, input)),
  }),
)
