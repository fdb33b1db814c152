import { z } from 'zod'
import { lookupRegion } from '../../server/auth/scope.ts'
import { isGaussKrueger, metricSridFor } from '../../server/domain/crs.ts'
import type { GraphQLContext } from '../../server/graphql/context.ts'
import { badUserInput } from '../../server/graphql/errors.ts'
import { builder } from '../builder.ts'
import { BuildingUse } from '../buildings/buildings.ts'
import { FacilityType } from '../facilities.ts'
import { loadRegionChildren, loadRegions, Region } from '../regions.ts'
import {
  resolveSpatialFilter,
  SpatialFilter,
  type SpatialFilterShape,
  type SpatialSelection,
} from '../support/spatial.ts'
import {
  type AggregateShape,
  type BuildingStats,
  type Extent,
  type FacilityStats,
  type Grouping,
  type GroupShape,
  orderedGroups,
  type PopulationStats,
  totalOf,
} from './groups.ts'
import { computeAggregate, selectionExtent } from './statements.ts'

/** Most groups one aggregate may return; a finer grid belongs in a tile or a job. */
const MAX_GROUPS = 10_000
const MIN_GRID_M = 10
const MAX_GRID_M = 100_000

const BBox = builder.objectRef<Extent>('BBox').implement({
  description: '经纬度范围（EPSG:4326）/ A lon/lat bounding box',
  fields: (t) => ({
    west: t.exposeFloat('west'),
    south: t.exposeFloat('south'),
    east: t.exposeFloat('east'),
    north: t.exposeFloat('north'),
  }),
})

const BuildingStatsRef = builder.objectRef<BuildingStats>('BuildingStats').implement({
  fields: (t) => ({
    count: t.exposeInt('count'),
    footprintAreaM2: t.exposeFloat('footprintAreaM2', {
      description: '占地面积合计 / Sum of footprint areas',
    }),
    floorAreaM2: t.exposeFloat('floorAreaM2', {
      description: '建筑面积合计（已知者）/ Sum of known floor areas',
    }),
    withFloorArea: t.exposeInt('withFloorArea', {
      description: '有建筑面积的建筑数 / Buildings with a floor area',
    }),
    residents: t.exposeFloat('residents', { description: '建筑常住人口合计 / Sum of building residents' }),
  }),
})

const FacilityStatsRef = builder.objectRef<FacilityStats>('FacilityTypeStats').implement({
  fields: (t) => ({
    type: t.field({ type: FacilityType, resolve: (f) => f.type }),
    count: t.exposeInt('count'),
    capacity: t.exposeFloat('capacity', { description: '规模合计（已知者）/ Sum of known capacities' }),
  }),
})

const PopulationStatsRef = builder.objectRef<PopulationStats>('PopulationStats').implement({
  description: '人口网格按中心点归组 / Population cells, counted where their centre lies',
  fields: (t) => ({
    cells: t.exposeInt('cells'),
    children: t.exposeFloat('children'),
    working: t.exposeFloat('working'),
    elderly: t.exposeFloat('elderly'),
    total: t.exposeFloat('total'),
  }),
})

const AggregateGroup = builder.objectRef<GroupShape>('AggregateGroup').implement({
  fields: (t) => ({
    key: t.exposeString('key', {
      description: '区划代码、网格 `边长:列:行`、`all`、`unassigned` 或 `total` / Group key',
    }),
    region: t.field({
      type: Region,
      nullable: true,
      resolve: (g, _a, c) => (g.regionCode ? c.loader(loadRegions).load(g.regionCode) : null),
    }),
    cell: t.field({
      type: 'GeoJSON',
      nullable: true,
      description: '网格单元 / The grid cell',
      resolve: (g) => g.cell,
    }),
    buildings: t.field({ type: BuildingStatsRef, resolve: (g) => g.buildings }),
    facilities: t.field({ type: [FacilityStatsRef], resolve: (g) => g.facilities }),
    facilityCount: t.int({ resolve: (g) => g.facilities.reduce((n, f) => n + f.count, 0) }),
    population: t.field({
      type: PopulationStatsRef,
      nullable: true,
      description: '公开访问时为空 / Null for public readers',
      resolve: (g) => g.population,
    }),
    extent: t.field({ type: BBox, nullable: true, resolve: (g) => g.extent }),
  }),
})

const SpatialAggregate = builder.objectRef<AggregateShape>('SpatialAggregate').implement({
  fields: (t) => ({
    groupedBy: t.exposeString('groupedBy', { description: 'none | region | grid' }),
    metricSrid: t.exposeInt('metricSrid', { nullable: true }),
    gridSizeM: t.exposeFloat('gridSizeM', { nullable: true }),
    total: t.field({ type: AggregateGroup, resolve: (a) => a.total }),
    groups: t.field({ type: [AggregateGroup], resolve: (a) => a.groups }),
  }),
})

const GroupByInput = builder.inputType('AggregateGroupBy', {
  description: '分组方式：按下级行政区划，或按方形网格（米）/ Group by child regions or by a square grid',
  fields: (t) => ({
    childrenOf: t.string({ description: '按该区划的下级区划分组 / One group per child region of this code' }),
    gridSizeM: t.float({
      description: `网格边长（米，${MIN_GRID_M}–${MAX_GRID_M}）/ Grid cell size in metres`,
      validate: z
        .number()
        .min(MIN_GRID_M, {
          message: `网格边长至少 ${MIN_GRID_M} 米 / gridSizeM must be at least ${MIN_GRID_M}`,
        })
        .max(MAX_GRID_M, {
          message: `网格边长至多 ${MAX_GRID_M} 米 / gridSizeM must be at most ${MAX_GRID_M}`,
        }),
    }),
    metricSrid: t.int({
      description: '网格所用的 CGCS2000 高斯-克吕格投影（默认按位置选取）/ Gauss-Krüger zone of the grid',
    }),
  }),
})

builder.queryField('aggregate', (t) =>
  t.field({
    type: SpatialAggregate,
    nullable: true,
    description:
      '空间统计：建筑数量与面积、设施按类型、分年龄组人口，按下级区划或网格分组，并给出范围 / ' +
      'Counts and sums grouped by child region or grid, with extents',
    args: {
      filter: t.arg({ type: SpatialFilter }),
      groupBy: t.arg({ type: GroupByInput }),
      buildingUses: t.arg({ type: [BuildingUse] }),
      facilityTypes: t.arg({ type: [FacilityType] }),
    },
    resolve: (_root, args, context) => aggregate(context, args),
  }),
)

// ------------------------------------------------------------------------------ how the query is answered

type GroupByShape = { childrenOf?: string | null; gridSizeM?: number | null; metricSrid?: number | null }

/** Grouping by child regions narrows the filter to the parent region, which must exist. */
async function regionGrouping(
  context: GraphQLContext,
  filter: SpatialFilterShape,
  code: string,
): Promise<{ filter: SpatialFilterShape; grouping: Grouping }> {
  const parent = await lookupRegion(context.database, code)
  if (!parent) throw badUserInput(`行政区划 ${code} 不存在`, `Region ${code} does not exist`)
  if (filter.region && filter.region !== code) {
    throw badUserInput(
      'filter.region 与 groupBy.childrenOf 不一致',
      'filter.region and groupBy.childrenOf name different regions',
    )
  }
  return { filter: { ...filter, region: code }, grouping: { kind: 'region', code } }
}

/** Refuses a grid of more than MAX_GROUPS cells over the extent (a cell more each way for the edges). */
function checkGridSize(extent: Extent, sizeM: number): void {
  const lat = ((extent.south + extent.north) / 2) * (Math.PI / 180)
  const widthM = (extent.east - extent.west) * 111_320 * Math.cos(lat) + sizeM
  const heightM = (extent.north - extent.south) * 110_574 + sizeM
  const cells = Math.ceil(widthM / sizeM) * Math.ceil(heightM / sizeM)
  if (cells > MAX_GROUPS) {
    throw badUserInput(
      `网格过细：约 ${cells} 个单元，超过上限 ${MAX_GROUPS}；请加大 gridSizeM 或缩小范围`,
      `About ${cells} grid cells exceed the limit of ${MAX_GROUPS}: use a larger gridSizeM or a smaller area`,
    )
  }
}

/**
 * A grid in the CRS asked for, else that of the population cells selected, else the zone of the selection's
 * centre; null when nothing is selected.
 */
async function gridGrouping(
  context: GraphQLContext,
  spatial: SpatialSelection,
  sizeM: number,
  metricSrid: number | null,
): Promise<Grouping | null> {
  const { extent, cellSrid } = await selectionExtent(context, spatial)
  const anchor =
    spatial.anchor ?? (extent ? [(extent.west + extent.east) / 2, (extent.south + extent.north) / 2] : null)
  if (metricSrid !== null && !isGaussKrueger(metricSrid)) {
    throw badUserInput(
      `网格坐标系应为 CGCS2000 高斯-克吕格投影 EPSG:4491–4554，收到 ${metricSrid}`,
      `metricSrid must be a CGCS2000 Gauss-Krüger zone (EPSG:4491–4554), got ${metricSrid}`,
    )
  }
  const srid =
    metricSrid ?? cellSrid ?? (anchor ? metricSridFor(anchor[0] as number, anchor[1] as number) : null)
  if (srid === null) return null
  if (extent) checkGridSize(extent, sizeM)
  return { kind: 'grid', sizeM, srid }
}

/** Validates the grouping, then counts per group: one statement per table, plus the extent for a grid. */
async function aggregate(
  context: GraphQLContext,
  args: {
    filter?: SpatialFilterShape | null
    groupBy?: GroupByShape | null
    buildingUses?: string[] | null
    facilityTypes?: string[] | null
  },
): Promise<AggregateShape> {
  const groupBy = args.groupBy ?? {}
  if (groupBy.childrenOf && groupBy.gridSizeM != null) {
    throw badUserInput('childrenOf 与 gridSizeM 只能选一个', 'Group by childrenOf or by gridSizeM, not both')
  }
  const byRegion = groupBy.childrenOf
    ? await regionGrouping(context, args.filter ?? {}, groupBy.childrenOf)
    : null
  const spatial = await resolveSpatialFilter(context, byRegion?.filter ?? args.filter ?? {})
  let grouping: Grouping = byRegion?.grouping ?? { kind: 'none' }
  const withPopulation = context.scope.kind !== 'public'
  if (groupBy.gridSizeM != null) {
    const grid = await gridGrouping(context, spatial, groupBy.gridSizeM, groupBy.metricSrid ?? null)
    if (!grid) return emptyGrid(groupBy.gridSizeM, withPopulation)
    grouping = grid
  }
  const children =
    grouping.kind === 'region' ? ((await context.loader(loadRegionChildren).load(grouping.code)) ?? []) : []
  const groups = await computeAggregate(context, spatial, grouping, {
    uses: args.buildingUses ?? null,
    facilityTypes: args.facilityTypes ?? null,
  })
  const list = orderedGroups(
    grouping,
    groups,
    children.map((c) => c.code),
    withPopulation,
  )
  return {
    groupedBy: grouping.kind,
    metricSrid: grouping.kind === 'grid' ? grouping.srid : null,
    gridSizeM: grouping.kind === 'grid' ? grouping.sizeM : null,
    total: totalOf(list, withPopulation),
    groups: list,
  }
}

/** The answer of a grid over nothing: no population cell and no extent to choose a CRS from. */
function emptyGrid(sizeM: number, withPopulation: boolean): AggregateShape {
  return {
    groupedBy: 'grid',
    metricSrid: null,
    gridSizeM: sizeM,
    total: totalOf([], withPopulation),
    groups: [],
  }
}
