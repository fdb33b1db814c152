import { sql } from 'drizzle-orm'
import { type CoverageRunParameters, type RunRow, startCoverageRun } from '../jobs/api.ts'
import { scopeCondition } from '../server/auth/scope.ts'
import type { Geometry } from '../server/db/geometry.ts'
import { badUserInput } from '../server/graphql/errors.ts'
import { builder } from './builder.ts'
import { FacilityType } from './facilities.ts'
import { auditRunStart, DiagnosticRun, RUN_COLUMNS, runVisible, StartedRun, startRunIn } from './runs.ts'
import { regionPrefix } from './support/live.ts'

export const DistanceModel = builder.enumType('DistanceModel', {
  description: '距离模型：直线或沿路网步行 / straight line or walking on the road network',
  values: ['euclidean', 'network'] as const,
})

interface GapRow {
  facilityType: string
  distanceModel: 'euclidean' | 'network'
  kind: 'blind_spot' | 'capacity'
  rank: number
  priority: number
  cells: number
  uncoveredChildren: number
  uncoveredWorking: number
  uncoveredElderly: number
  capacityGap: number
  geom: Geometry | null
  point: Geometry
}

const GapKind = builder.enumType('CoverageGapKind', {
  description: '盲区（无设施可达）或容量缺口 / a blind spot (no facility in reach) or a capacity gap',
  values: ['blind_spot', 'capacity'] as const,
})

const CoverageGap = builder.objectRef<GapRow>('CoverageGap').implement({
  description: '覆盖诊断发现的服务盲区或缺口（按优先级排序）/ A blind spot or capacity gap found by a run',
  fields: (t) => ({
    facilityType: t.field({ type: FacilityType, resolve: (g) => g.facilityType as never }),
    distanceModel: t.field({ type: DistanceModel, resolve: (g) => g.distanceModel }),
    kind: t.field({ type: GapKind, resolve: (g) => g.kind }),
    rank: t.exposeInt('rank', { description: '1 = 最优先 / 1 = most urgent' }),
    priority: t.exposeFloat('priority'),
    cells: t.exposeInt('cells', { description: '盲区内的人口格网数 / population cells in the blind spot' }),
    uncoveredChildren: t.exposeFloat('uncoveredChildren'),
    uncoveredWorking: t.exposeFloat('uncoveredWorking'),
    uncoveredElderly: t.exposeFloat('uncoveredElderly'),
    capacityGap: t.exposeFloat('capacityGap'),
    geom: t.field({
      type: 'GeoJSON',
      nullable: true,
      description: '盲区轮廓（容量缺口为空）/ outline of the blind spot, null for capacity gaps',
      resolve: (g) => g.geom,
    }),
    point: t.field({ type: 'GeoJSON', description: '需求点 / demand point', resolve: (g) => g.point }),
  }),
})

const POPULATION_GROUPS = ['children', 'working', 'elderly'] as const
type PopulationGroup = (typeof POPULATION_GROUPS)[number]

interface UncoveredCellRow {
  id: number
  cellKey: string
  sizeM: number
  centroid: Geometry
  geom: Geometry
  children: number
  working: number
  elderly: number
  total: number
  /** Residents of the groups the facility type serves (set after the query, from the run's rule). */
  served: number
}

const PopulationGroupEnum = builder.enumType('PopulationGroup', {
  description: '人口年龄组：儿童 0–14 / 劳动年龄 / 老年 60+ / Age group',
  values: POPULATION_GROUPS,
})

const UncoveredCell = builder.objectRef<UncoveredCellRow>('UncoveredCell').implement({
  description:
    '某设施类型未覆盖的人口格网（位于本次运行的盲区内）/ A population cell left uncovered for a facility type',
  fields: (t) => ({
    databaseId: t.exposeInt('id'),
    cellKey: t.exposeString('cellKey'),
    sizeM: t.exposeFloat('sizeM'),
    centroid: t.field({ type: 'GeoJSON', resolve: (c) => c.centroid }),
    geom: t.field({ type: 'GeoJSON', description: '格网方格 / the cell square', resolve: (c) => c.geom }),
    children: t.exposeFloat('children'),
    working: t.exposeFloat('working'),
    elderly: t.exposeFloat('elderly'),
    total: t.exposeFloat('total'),
    served: t.exposeFloat('served', {
      description: '该设施类型服务人群的未覆盖人数 / uncovered residents of the groups the type serves',
    }),
  }),
})

/** The groups a type serves in a run: the run's resolved rule, or every group when the run has none. */
function servedGroupsOf(parameters: unknown, facilityType: string): PopulationGroup[] {
  const rules = (parameters as Partial<CoverageRunParameters> | null)?.rules
  const rule = Array.isArray(rules) ? rules.find((r) => r.type === facilityType) : undefined
  const groups = (rule?.servedGroups ?? []).filter((g): g is PopulationGroup =>
    (POPULATION_GROUPS as readonly string[]).includes(g),
  )
  return groups.length > 0 ? groups : [...POPULATION_GROUPS]
}

function modelsOf(parameters: unknown): string[] {
  const models = (parameters as Partial<CoverageRunParameters> | null)?.distanceModels
  return Array.isArray(models) ? models : []
}

builder.objectFields(DiagnosticRun, (t) => ({
  gaps: t.field({
    type: [CoverageGap],
    description:
      '本次运行发现的盲区与缺口，按优先级排序（最多 2000）/ Gaps of the run by rank (at most 2000)',
    args: {
      facilityType: t.arg({ type: FacilityType }),
      distanceModel: t.arg({ type: DistanceModel }),
      first: t.arg.int({ defaultValue: 500 }),
    },
    resolve: (r, args, context) => {
      const first = Math.min(Math.max(args.first ?? 500, 0), 2000)
      const where = [sql`g.run_id = ${r.id}`]
      if (args.facilityType) where.push(sql`g.facility_type = ${args.facilityType}`)
      if (args.distanceModel) where.push(sql`g.distance_model = ${args.distanceModel}`)
      return context.database.rows<GapRow>(
        sql`select g.facility_type as "facilityType", g.distance_model as "distanceModel", g.kind, g.rank,
            g.priority, g.cells, g.uncovered_children as "uncoveredChildren", g.uncovered_working as "uncoveredWorking",
            g.uncovered_elderly as "uncoveredElderly", g.capacity_gap as "capacityGap",
            ST_AsGeoJSON(g.geom, 7)::json as geom, ST_AsGeoJSON(g.point, 7)::json as point
            from coverage_gaps g where ${sql.join(where, sql` and `)}
            order by g.rank, g.id limit ${first}`,
      )
    },
  }),
  servedGroups: t.field({
    type: [PopulationGroupEnum],
    description: '该设施类型服务的人群（取自本次运行的规则）/ groups the type serves in this run',
    args: { facilityType: t.arg({ type: FacilityType, required: true }) },
    resolve: (run, args) => servedGroupsOf(run.parameters, args.facilityType),
  }),
  uncoveredCells: t.field({
    type: [UncoveredCell],
    description:
      '本次运行中该设施类型未覆盖的人口格网：中心落在盲区内的格网 / population cells whose centre lies in a blind spot of the type',
    args: {
      facilityType: t.arg({ type: FacilityType, required: true }),
      distanceModel: t.arg({
        type: DistanceModel,
        description:
          '默认：运行含路网模型时取路网，否则直线 / default network when the run has it, else euclidean',
      }),
    },
    resolve: async (run, args, context) => {
      const models = modelsOf(run.parameters)
      const model = args.distanceModel ?? (models.includes('network') ? 'network' : 'euclidean')
      // Blind spots are unions of whole uncovered cells with an empty cell enclosed left as a hole, so a cell
      // is uncovered exactly when its centre lies inside one of the run's blind-spot outlines.
      const rows = await context.database.rows<Omit<UncoveredCellRow, 'served'>>(
        sql`select c.id, c.cell_key as "cellKey", c.size_m as "sizeM", ST_AsGeoJSON(c.centroid, 7)::json as centroid,
          ST_AsGeoJSON(c.geom, 7)::json as geom, c.children, c.working, c.elderly, c.total
          from population_cells c
          where c.region_code like ${`${regionPrefix(run.regionCode)}%`}
            and ${scopeCondition(context.scope, sql`c.region_code`, 'never')}
            and exists (select 1 from coverage_gaps g where g.run_id = ${run.id} and g.kind = 'blind_spot'
              and g.facility_type = ${args.facilityType} and g.distance_model = ${model}
              and ST_Intersects(g.geom, c.centroid))
          order by c.id`,
      )
      const groups = servedGroupsOf(run.parameters, args.facilityType)
      return rows.map((r) => ({ ...r, served: groups.reduce((sum, g) => sum + r[g], 0) }))
    },
  }),
}))

builder.queryField('latestCoverageRun', (t) =>
  t.field({
    type: DiagnosticRun,
    nullable: true,
    description:
      '区划内最近一次成功的覆盖诊断（无则为空）/ The latest succeeded coverage run inside the region, null if none',
    args: { regionCode: t.arg.string({ required: true }) },
    resolve: async (_root, args, context) => {
      const prefix = regionPrefix(args.regionCode)
      const [run] = await context.database.rows<RunRow>(
        sql`select ${RUN_COLUMNS} from diagnostic_runs r where r.kind = 'coverage' and r.state = 'succeeded'
          and r.region_code like ${`${prefix}%`} and ${runVisible(context)}
          order by r.finished_at desc nulls last, r.id desc limit 1`,
      )
      return run ?? null
    },
  }),
)

const StartCoverageInput = builder.inputType('StartCoverageDiagnosisInput', {
  fields: (t) => ({
    regionCode: t.string({ required: true, description: '诊断的行政区划 / region to diagnose' }),
    campaignId: t.int({
      description: '体检任务（取其指标体系的服务半径）/ campaign whose edition gives the radii',
    }),
    facilityTypes: t.field({ type: [FacilityType], description: '默认：指标体系中有服务半径的全部类型' }),
    distanceModels: t.field({ type: [DistanceModel], description: '默认两种 / default both' }),
    radiusOverrides: t.field({
      type: 'JSON',
      description: '按设施类型覆盖服务半径（米），如 {"kindergarten": 300} / radius per type in metres',
    }),
    maxCellsPerPart: t.int({
      description:
        '超过此网格数的区划拆分为分片并行计算后合并（结果相同）/ regions with more population cells are split ' +
        'into parts computed by any worker and joined (same results); default 50000',
    }),
  }),
})

/** Radii by facility type must come as an object; the diagnosis checks each radius itself. */
function radiusOverrides(overrides: unknown): Record<string, number> | null {
  if (overrides == null) return null
  if (typeof overrides !== 'object' || Array.isArray(overrides)) {
    throw badUserInput('radiusOverrides 必须是对象', 'radiusOverrides must be an object of metres by type')
  }
  return overrides as Record<string, number>
}

builder.mutationField('startCoverageDiagnosis', (t) =>
  t.field({
    type: StartedRun,
    description:
      '启动服务覆盖诊断（盲区、缺口、需求点；省级、市级、区县）/ Starts a service-coverage diagnosis',
    args: { input: t.arg({ type: StartCoverageInput, required: true }) },
    resolve: (_root, { input }, context) =>
      startRunIn(context, input.regionCode, (jobs) =>
        startCoverageRun(context.database, jobs, {
          regionCode: input.regionCode,
          campaignId: input.campaignId ?? null,
          facilityTypes: input.facilityTypes ?? null,
          distanceModels: input.distanceModels ?? null,
          radiusOverrides: radiusOverrides(input.radiusOverrides),
          maxCellsPerPart: input.maxCellsPerPart ?? null,
          requestedBy: context.identity?.subject ?? null,
          onCreated: auditRunStart(context),
        }),
      ),
  }),
)
