import { sql } from 'drizzle-orm'
import type { CoverageRunParameters } from '../jobs/api.ts'
import { scopeCondition } from '../server/auth/scope.ts'
import type { Geometry } from '../server/db/geometry.ts'
import { builder } from './builder.ts'
import { FacilityType } from './facilities.ts'
import { DiagnosticRun, DistanceModel } from './runs.ts'
import { regionPrefix } from './support/live.ts'

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
