import { type SQL, sql } from 'drizzle-orm'
import { authorize } from '../../server/auth/permissions.ts'
import { lookupRegion } from '../../server/auth/scope.ts'
import type { CHECK_KINDS } from '../../server/db/indicators.ts'
import { CGCS2000, WGS84 } from '../../server/domain/crs.ts'
import type { GraphQLContext } from '../../server/graphql/context.ts'
import { badUserInput, conflict, notFound } from '../../server/graphql/errors.ts'
import { recordAudit, type SqlExecutor } from '../audit.ts'
import { builder, type GeometryInput } from '../builder.ts'
import { CAMPAIGN_COLUMNS, Campaign, CampaignKind, type CampaignRow } from '../campaigns.ts'
import { assertEditionRunnable } from '../indicators/editions.ts'
import { checkCoordinateRanges } from '../support/scalars.ts'
import { checkRegionCode, databaseKey } from './keys.ts'
import { generateFillingTasks } from './tasks.ts'

interface CreateCampaign {
  kind: (typeof CHECK_KINDS)[number]
  year: number
  name: string
  regionCode: string
  systemId: number
  renewalAreaId: number | null
  scope: GeometryInput | null
  objectType: string | null
}

interface EditionFacts {
  checkKind: string
  objectTypes: string[]
  ownerRegionCode: string | null
  applies: boolean
}

const rowsOf = async <T>(tx: SqlExecutor, query: SQL): Promise<T[]> =>
  ((await tx.execute(query)) as { rows: T[] }).rows

const CreateCampaignInput = builder.inputType('CreateCampaignInput', {
  fields: (t) => ({
    kind: t.field({ type: CampaignKind, required: true }),
    year: t.int({ required: true }),
    name: t.string({ required: true }),
    regionCode: t.string({ required: true, description: '体检的市或区 / the city or district checked' }),
    systemId: t.id({
      required: true,
      description: '已发布的指标体系版本（databaseId 或全局 ID）/ a published edition',
    }),
    renewalAreaId: t.id({ description: '片区体检：更新片区 / area check: a renewal area' }),
    scope: t.field({
      type: 'GeoJSON',
      description: '片区体检：任意多边形（可带 crs）/ area check: any polygon (with its crs)',
    }),
    objectType: t.string({
      description:
        '专项体检：对象类型，须为版本所列之一 / special check: an object type of the edition (compound, self_built_cluster, building…)',
    }),
  }),
})

/**
 * 发起体检: checks the input against the edition and the region, inserts the campaign collecting, generates its
 * fillings and filling tasks and records the audit event, all in one transaction.
 */
async function createCampaign(context: GraphQLContext, input: CreateCampaign): Promise<CampaignRow> {
  authorize(context.identity, context.scope, 'campaign.create')
  const region = await lookupRegion(context.database, input.regionCode)
  if (!region)
    throw badUserInput(`行政区划 ${input.regionCode} 不存在`, `Region ${input.regionCode} does not exist`)
  authorize(context.identity, context.scope, 'campaign.create', { regionCode: input.regionCode })
  checkBasics(input, region.level)
  return context.database.db.transaction(async (tx) => {
    await assertEditionRunnable(tx, input.systemId)
    const edition = await editionFacts(tx, input.systemId, input.regionCode)
    checkKindRules(input, edition)
    if (input.kind === 'annual') await refuseSecondAnnual(tx, input)
    const scope = await scopeOf(tx, context, input)
    const [created] = await rowsOf<{ id: number }>(
      tx,
      sql`insert into campaigns (kind, year, name, region_code, renewal_area_id, scope, system_id, status,
        object_type, created_by)
      values (${input.kind}, ${input.year}, ${input.name.trim()}, ${input.regionCode}, ${input.renewalAreaId},
        ${scope ?? sql`null`}, ${input.systemId}, 'collecting', ${input.objectType},
        ${context.identity?.subject ?? null})
      returning id`,
    )
    const id = created?.id as number
    const generated = await generateFillingTasks(tx, id)
    const [campaign] = await rowsOf<CampaignRow>(
      tx,
      sql`select ${CAMPAIGN_COLUMNS} from campaigns k where k.id = ${id}`,
    )
    await recordAudit(tx, context, {
      entity: 'campaign',
      entityId: id,
      action: 'create',
      regionCode: input.regionCode,
      before: null,
      after: { ...campaign, ...generated },
    })
    return campaign as CampaignRow
  })
}

function checkBasics(input: CreateCampaign, level: string): void {
  if (level !== 'city' && level !== 'district') {
    throw badUserInput(
      `体检的区划应为市或区县，${input.regionCode} 为${level}`,
      `A check is run for a city or a district; ${input.regionCode} is a ${level}`,
    )
  }
  if (!Number.isInteger(input.year) || input.year < 2000 || input.year > 2100) {
    throw badUserInput('年度应在 2000–2100 之间', 'year must be between 2000 and 2100')
  }
  const name = input.name.trim()
  if (!name || name.length > 200) {
    throw badUserInput('名称不能为空，且不超过 200 字', 'name must be 1–200 characters')
  }
}

/** What the rules read of the edition: its kind and object types, and whether it applies to the region. */
async function editionFacts(tx: SqlExecutor, systemId: number, regionCode: string): Promise<EditionFacts> {
  const [edition] = await rowsOf<EditionFacts>(
    tx,
    sql`select s.check_kind as "checkKind", s.object_types as "objectTypes",
      s.owner_region_code as "ownerRegionCode",
      (s.owner_region_code is null or exists (select 1 from regions o join regions r on r.code = ${regionCode}
        where o.code = s.owner_region_code and starts_with(r.scope_prefix, o.scope_prefix))) as applies
    from indicator_systems s where s.id = ${systemId}`,
  )
  if (!edition) {
    throw notFound(`指标体系版本 ${systemId} 不存在`, `Indicator system ${systemId} was not found`)
  }
  if (!edition.applies) {
    throw badUserInput(
      `指标体系版本属于 ${edition.ownerRegionCode}，不适用于 ${regionCode}`,
      `The edition belongs to region ${edition.ownerRegionCode} and does not apply to ${regionCode}`,
    )
  }
  return edition
}

/** Annual checks cover the whole region; area checks take one area; special checks take an object type. */
function checkKindRules(input: CreateCampaign, edition: EditionFacts): void {
  const hasArea = input.renewalAreaId !== null || input.scope !== null
  if (input.kind === 'annual' && (hasArea || input.objectType !== null)) {
    throw badUserInput(
      '年度体检覆盖整个区划，不接受片区、范围或对象类型',
      'An annual check covers the whole region: no renewal area, scope or object type',
    )
  }
  if (input.kind === 'area' && (input.renewalAreaId === null) === (input.scope === null)) {
    throw badUserInput(
      '片区体检需要更新片区或范围多边形（二选一）',
      'An area check takes either a renewal area or a scope polygon, exactly one',
    )
  }
  if ((input.kind === 'special') !== (edition.checkKind === 'special')) {
    throw badUserInput(
      `专项体检须使用专项指标体系，其他体检不能使用专项体系（该版本为 ${edition.checkKind}）`,
      `A special check runs on a special edition and only there (this edition serves ${edition.checkKind} checks)`,
    )
  }
  if (input.kind !== 'special') {
    if (input.objectType !== null) {
      throw badUserInput('只有专项体检有对象类型', 'Only a special check takes an object type')
    }
    return
  }
  const allowed = edition.objectTypes.filter((t) => t !== 'region')
  if (!input.objectType || !allowed.includes(input.objectType)) {
    throw badUserInput(
      `专项体检的对象类型应为该版本所列之一：${allowed.join('、') || '（无）'}`,
      `A special check's object type must be one of the edition's: ${allowed.join(', ') || '(none)'}`,
    )
  }
}

async function refuseSecondAnnual(tx: SqlExecutor, input: CreateCampaign): Promise<void> {
  // Two requests for the same region and year wait for each other here, so the second sees the first's row.
  await tx.execute(
    sql`select pg_advisory_xact_lock(hashtext(${`annual-check:${input.regionCode}:${input.year}`}))`,
  )
  const [existing] = await rowsOf<{ id: number }>(
    tx,
    sql`select id from campaigns where kind = 'annual' and region_code = ${input.regionCode}
      and year = ${input.year} limit 1`,
  )
  if (existing) {
    throw conflict(
      `${input.regionCode} 已有 ${input.year} 年度体检（编号 ${existing.id}）`,
      `Region ${input.regionCode} already has its ${input.year} annual check (campaign ${existing.id})`,
      { campaignId: existing.id },
    )
  }
}

/**
 * The campaign's area as stored (EPSG:4326 MultiPolygon), or null for a whole region: a renewal area's polygon,
 * or the caller's polygon transformed from its CRS. A polygon must be valid as given — a check's area is a
 * boundary someone drew on purpose, so it is refused with PostGIS's reason rather than silently repaired — and
 * must overlap the region checked.
 */
async function scopeOf(tx: SqlExecutor, context: GraphQLContext, input: CreateCampaign): Promise<SQL | null> {
  if (input.renewalAreaId !== null) {
    const [area] = await rowsOf<{ id: number; inside: boolean }>(
      tx,
      sql`select a.id, starts_with(a.region_code, r.scope_prefix) as inside from renewal_areas a
        join regions r on r.code = ${input.regionCode}
        where a.id = ${input.renewalAreaId} and a.region_code like ${`${scopePrefix(context)}%`}`,
    )
    if (!area)
      throw notFound(
        `更新片区 ${input.renewalAreaId} 不存在或无权访问`,
        `Renewal area ${input.renewalAreaId} was not found`,
      )
    if (!area.inside) {
      throw badUserInput(
        `更新片区 ${input.renewalAreaId} 不在 ${input.regionCode} 内`,
        `Renewal area ${input.renewalAreaId} is not inside region ${input.regionCode}`,
      )
    }
    return sql`(select ST_Multi(geom) from renewal_areas where id = ${input.renewalAreaId})`
  }
  if (!input.scope) return null
  const geometry = polygonSql(input.scope)
  const [check] = await rowsOf<{ valid: boolean; reason: string; area: number; overlaps: boolean | null }>(
    tx,
    sql`with g as (select ${geometry} as g)
      select ST_IsValid(g) as valid, ST_IsValidReason(g) as reason, coalesce(ST_Area(g::geography), 0) as area,
        (select ST_Intersects(r.boundary, g) from regions r where r.code = ${input.regionCode}
          and r.boundary is not null) as overlaps
      from g`,
  )
  if (!check?.valid) {
    throw badUserInput(
      `范围多边形无效：${check?.reason ?? ''}`,
      `The scope polygon is invalid: ${check?.reason ?? ''}`,
    )
  }
  if (!(check.area > 0)) throw badUserInput('范围多边形面积为零', 'The scope polygon has no area')
  if (check.overlaps === false) {
    throw badUserInput(
      `范围多边形不在 ${input.regionCode} 内`,
      `The scope polygon does not overlap region ${input.regionCode}`,
    )
  }
  return geometry
}

const scopePrefix = (context: GraphQLContext) =>
  context.scope.kind === 'region' ? context.scope.prefix : '-'

/** A client polygon as SQL in the storage CRS; CGCS2000 lon/lat is taken as WGS84, as everywhere (ADR 0002). */
function polygonSql(input: GeometryInput): SQL {
  const { geometry } = input
  if (geometry.type !== 'Polygon' && geometry.type !== 'MultiPolygon') {
    throw badUserInput(
      `范围应为 Polygon 或 MultiPolygon，而不是 ${geometry.type}`,
      `The scope must be a Polygon or MultiPolygon, not a ${geometry.type}`,
    )
  }
  const srid = input.srid ?? WGS84
  checkCoordinateRanges(geometry, srid)
  const raw = sql`ST_GeomFromGeoJSON(${JSON.stringify(geometry)}::text)`
  const geographic = srid === WGS84 || srid === CGCS2000
  const stored = geographic
    ? sql`ST_SetSRID(${raw}, ${sql.raw(String(WGS84))})`
    : sql`ST_Transform(ST_SetSRID(${raw}, ${sql.raw(String(srid))}), ${sql.raw(String(WGS84))})`
  return sql`ST_Multi(${stored})`
}

builder.mutationField('createCampaign', (t) =>
  t.field({
    type: Campaign,
    description:
      '发起体检（省级、市级）：年度、片区或专项体检，同时生成填报表与填报任务 / Starts a check and generates its fillings and filling tasks',
    args: { input: t.arg({ type: CreateCampaignInput, required: true }) },
    resolve: (_root, { input }, context) =>
      createCampaign(context, {
        kind: input.kind,
        year: input.year,
        name: input.name,
        regionCode: checkRegionCode(input.regionCode),
        systemId: databaseKey(input.systemId, 'IndicatorSystem'),
        renewalAreaId: input.renewalAreaId == null ? null : databaseKey(input.renewalAreaId, 'RenewalArea'),
        scope: input.scope ?? null,
        objectType: input.objectType ?? null,
      }),
  }),
)
