import { type SQL, sql } from 'drizzle-orm'
import { authorize } from '../../server/auth/permissions.ts'
import { scopeCondition } from '../../server/auth/scope.ts'
import { routeNewProblem } from '../../server/db/problem-routing.ts'
import { CGCS2000, WGS84 } from '../../server/domain/crs.ts'
import { shanghaiDate } from '../../server/domain/working-days.ts'
import type { GraphQLContext } from '../../server/graphql/context.ts'
import { badUserInput } from '../../server/graphql/errors.ts'
import { recordAudit, type SqlExecutor } from '../audit.ts'
import type { GeometryInput } from '../builder.ts'
import { builder } from '../builder.ts'
import { checkCoordinateRanges } from '../support/scalars.ts'
import { announceProblem, PROBLEM_COLUMNS, Problem, type ProblemRow, ProblemSourceEnum } from './problem.ts'
import { rowsOf } from './routing.ts'

/** What staff report by hand here; appeals come in through fileAppeal and Open311, diagnoses and values by jobs. */
const REPORTED_SOURCES = new Set(['inspection', 'expert'])
const MAX_TITLE = 200
const MAX_DESCRIPTION = 4000

const ReportProblemInput = builder.inputType('ReportProblemInput', {
  fields: (t) => ({
    type: t.string({ required: true, description: '问题类型代码 / a problem type code' }),
    title: t.string({ required: true, description: '中文标题 / title in Chinese' }),
    titleEn: t.string(),
    description: t.string(),
    descriptionEn: t.string(),
    geom: t.field({ type: 'GeoJSON', description: '点或面 / a point or a polygon' }),
    regionCode: t.string({
      description: '默认为建筑或位置所在区划 / the building’s or the location’s by default',
    }),
    severity: t.int({ description: '1–3，默认为类型的默认值 / 1–3, the type’s default by default' }),
    source: t.field({
      type: ProblemSourceEnum,
      description: 'inspection（默认）或 expert / inspection or expert',
    }),
    buildingId: t.int(),
  }),
})

interface ReportInput {
  type: string
  title: string
  titleEn?: string | null
  description?: string | null
  descriptionEn?: string | null
  geom?: GeometryInput | null
  regionCode?: string | null
  severity?: number | null
  source?: string | null
  buildingId?: number | null
}

const trimmed = (value: string | null | undefined, max: number, field: string): string | null => {
  const text = value?.trim() || null
  if (text && text.length > max) {
    throw badUserInput(`${field} 不能超过 ${max} 个字符`, `${field} may be at most ${max} characters`)
  }
  return text
}

/** The geometry in the storage CRS: points and polygons only, polygons repaired. */
function geometrySql(input: GeometryInput): SQL {
  const { geometry } = input
  if (!['Point', 'Polygon', 'MultiPolygon'].includes(geometry.type)) {
    throw badUserInput('位置须为点或面', 'The location must be a point or a polygon', { type: geometry.type })
  }
  const srid = input.srid ?? WGS84
  checkCoordinateRanges(geometry, srid)
  const raw = sql`ST_GeomFromGeoJSON(${JSON.stringify(geometry)}::text)`
  const stored =
    srid === WGS84 || srid === CGCS2000
      ? sql`ST_SetSRID(${raw}, 4326)`
      : sql`ST_Transform(ST_SetSRID(${raw}, ${srid}::int), 4326)`
  return geometry.type === 'Point' ? stored : sql`ST_MakeValid(${stored})`
}

/** The region of the report: the one given, else the building's, else the finest boundary covering the place. */
async function regionOf(tx: SqlExecutor, context: GraphQLContext, input: ReportInput, geom: SQL | null) {
  let code = input.regionCode ?? null
  if (!code && input.buildingId != null) {
    code =
      (
        await rowsOf<{ code: string }>(
          tx,
          sql`select region_code as code from buildings where id = ${input.buildingId}`,
        )
      )[0]?.code ?? null
  }
  if (!code && geom) {
    const [covering] = await rowsOf<{ code: string }>(
      tx,
      sql`select r.code from regions r where r.boundary is not null
        and ST_Covers(r.boundary, ST_PointOnSurface(${geom}))
        and ${scopeCondition(context.scope, sql`r.code`, 'never')}
        order by length(r.scope_prefix) desc limit 1`,
    )
    code = covering?.code ?? null
  }
  if (!code)
    throw badUserInput('请给出问题所在的行政区划', 'Give the region the problem lies in (regionCode)')
  const [region] = await rowsOf<{ code: string }>(tx, sql`select code from regions where code = ${code}`)
  if (!region) throw badUserInput(`行政区划 ${code} 不存在`, `Region ${code} does not exist`)
  authorize(context.identity, context.scope, 'problem.report', { regionCode: code })
  return code
}

async function checkedFacts(tx: SqlExecutor, context: GraphQLContext, input: ReportInput) {
  const [type] = await rowsOf<{ defaultSeverity: number }>(
    tx,
    sql`select default_severity as "defaultSeverity" from problem_types where code = ${input.type}`,
  )
  if (!type) throw badUserInput(`问题类型 ${input.type} 不存在`, `Problem type ${input.type} does not exist`)
  const severity = input.severity ?? type.defaultSeverity
  if (![1, 2, 3].includes(severity))
    throw badUserInput('严重程度须为 1、2 或 3', 'Severity must be 1, 2 or 3')
  const source = input.source ?? (context.identity?.role === 'expert' ? 'expert' : 'inspection')
  if (!REPORTED_SOURCES.has(source)) {
    throw badUserInput('此处只上报巡查或专家发现的问题', 'Report inspection or expert findings here', {
      source,
    })
  }
  if (input.buildingId != null) {
    const [building] = await rowsOf<{ id: number }>(
      tx,
      sql`select id from buildings b where id = ${input.buildingId}
        and ${scopeCondition(context.scope, sql`b.region_code`, 'never')}`,
    )
    if (!building)
      throw badUserInput(`建筑 ${input.buildingId} 不存在`, `Building ${input.buildingId} was not found`)
  }
  if (!input.geom && input.buildingId == null) {
    throw badUserInput('请给出问题的位置或所在建筑', 'Give the problem a location (geom) or a building')
  }
  return { severity, source }
}

/** 上报: an inspector's or expert's finding becomes a problem of the ledger, routed by the rules at once. */
async function reportProblem(context: GraphQLContext, input: ReportInput): Promise<ProblemRow> {
  authorize(context.identity, context.scope, 'problem.report')
  const title = trimmed(input.title, MAX_TITLE, 'title')
  if (!title) throw badUserInput('问题标题不能为空', 'A problem needs a title')
  return context.database.db.transaction(async (tx) => {
    const { severity, source } = await checkedFacts(tx, context, input)
    const geom = input.geom ? geometrySql(input.geom) : null
    const regionCode = await regionOf(tx, context, input, geom)
    const place = geom ?? sql`(select centroid from buildings where id = ${input.buildingId ?? null})`
    const [inserted] = await rowsOf<{ id: number }>(
      tx,
      sql`insert into problems (region_code, type, title, title_en, description, description_en, geom, building_id,
          severity, source, year_found, details)
        values (${regionCode}, ${input.type}, ${title}, ${trimmed(input.titleEn, MAX_TITLE, 'titleEn')},
          ${trimmed(input.description, MAX_DESCRIPTION, 'description')},
          ${trimmed(input.descriptionEn, MAX_DESCRIPTION, 'descriptionEn')}, ${place}, ${input.buildingId ?? null},
          ${severity}, ${source}, ${Number(shanghaiDate(new Date()).slice(0, 4))},
          ${JSON.stringify({ reportedBy: context.identity?.subject ?? null })}::jsonb)
        returning id`,
    )
    const id = (inserted as { id: number }).id
    const routing = await routeNewProblem(tx, id)
    const [problem] = await rowsOf<ProblemRow>(
      tx,
      sql`select ${PROBLEM_COLUMNS} from problems p where p.id = ${id}`,
    )
    const row = problem as ProblemRow
    await recordAudit(tx, context, {
      entity: 'problem',
      entityId: id,
      action: 'report',
      regionCode,
      before: null,
      after: {
        type: input.type,
        title,
        severity,
        source,
        buildingId: row.buildingId,
        ruleId: routing?.ruleId ?? null,
      },
    })
    await tx.execute(announceProblem(row))
    return row
  })
}

builder.mutationField('reportProblem', (t) =>
  t.field({
    type: Problem,
    description:
      '上报问题（巡查、专家发现），按派单规则确定责任单位和时限 / Reports an inspector’s or expert’s finding, routed ' +
      'by the rules (it stays identified until someone routes it by hand)',
    args: { input: t.arg({ type: ReportProblemInput, required: true }) },
    resolve: (_root, { input }, context) => reportProblem(context, input),
  }),
)
