import { type SQL, sql } from 'drizzle-orm'
import { z } from 'zod'
import { lookupRegion, scopeCondition } from '../server/auth/scope.ts'
import type { FacilityType as FacilityTypeName } from '../server/db/facilities.ts'
import type { Geometry } from '../server/db/geometry.ts'
import { isGaussKrueger, metricSridFor } from '../server/domain/crs.ts'
import type { GraphQLContext } from '../server/graphql/context.ts'
import { badUserInput } from '../server/graphql/errors.ts'
import { builder } from './builder.ts'
import { BuildingUse, buildingVisible } from './buildings/buildings.ts'
import { FacilityType } from './facilities.ts'
import { loadRegionChildren, loadRegions, Region, type RegionRow } from './regions.ts'
import { and } from './support/pagination.ts'
import { resolveSpatialFilter, SpatialFilter, type SpatialSelection } from './support/spatial.ts'

/** Most groups one aggregate may return; a finer grid belongs in a tile or a job. */
export const MAX_GROUPS = 10_000
export const MIN_GRID_M = 10
export const MAX_GRID_M = 100_000

interface Extent {
  west: number
  south: number
  east: number
  north: number
}

interface BuildingStats {
  count: number
  footprintAreaM2: number
  floorAreaM2: number
  withFloorArea: number
  residents: number
}

interface FacilityStats {
  type: FacilityTypeName
  count: number
  capacity: number
}

interface PopulationStats {
  cells: number
  children: number
  working: number
  elderly: number
  total: number
}

interface GroupShape {
  key: string
  regionCode: string | null
  cell: Geometry | null
  buildings: BuildingStats
  facilities: FacilityStats[]
  population: PopulationStats | null
  extent: Extent | null
}

interface AggregateShape {
  groupedBy: 'none' | 'region' | 'grid'
  metricSrid: number | null
  gridSizeM: number | null
  total: GroupShape
  groups: GroupShape[]
}

type Grouping =
  | { kind: 'none' }
  | { kind: 'region'; code: string }
  | { kind: 'grid'; sizeM: number; srid: number }

const emptyBuildings = (): BuildingStats => ({
  count: 0,
  footprintAreaM2: 0,
  floorAreaM2: 0,
  withFloorArea: 0,
  residents: 0,
})
const emptyPopulation = (): PopulationStats => ({ cells: 0, children: 0, working: 0, elderly: 0, total: 0 })

function mergeExtent(a: Extent | null, b: Extent | null): Extent | null {
  if (!a) return b
  if (!b) return a
  return {
    west: Math.min(a.west, b.west),
    south: Math.min(a.south, b.south),
    east: Math.max(a.east, b.east),
    north: Math.max(a.north, b.north),
  }
}

interface GroupedRow {
  key: string
  cell: Geometry | null
  west: number | null
  south: number | null
  east: number | null
  north: number | null
}

const extentOf = (row: GroupedRow): Extent | null =>
  row.west === null
    ? null
    : { west: row.west, south: row.south ?? 0, east: row.east ?? 0, north: row.north ?? 0 }

const UNASSIGNED = 'unassigned'

/**
 * One aggregate statement for a table: the rows the filter selects, their group key (region child, grid cell or
 * everything) computed from `point`, and `aggregates` per group, with the extent of `extentGeom`.
 */
function groupedQuery(options: {
  table: SQL
  alias: string
  where: SQL
  point: SQL
  regionCode: SQL
  extentGeom: SQL
  grouping: Grouping
  aggregates: SQL
  extraGroupBy?: SQL
}): SQL {
  const { grouping } = options
  const a = sql.raw(options.alias)
  let keyColumns: SQL
  let join = sql``
  let cell = sql`null::json`
  let groupBy = sql`g.key`
  if (grouping.kind === 'none') {
    keyColumns = sql`'all'::text as key`
  } else if (grouping.kind === 'region') {
    join = sql`left join regions rg on rg.parent_code = ${grouping.code}
      and ${options.regionCode} like rg.scope_prefix || '%'`
    keyColumns = sql`coalesce(rg.code, ${UNASSIGNED}) as key`
  } else {
    const srid = sql.raw(String(grouping.srid))
    const size = sql`${grouping.sizeM}::float8`
    join = sql`cross join lateral (select ST_Transform(${options.point}, ${srid}) as m) pm`
    keyColumns = sql`floor(ST_X(pm.m) / ${size})::int as col, floor(ST_Y(pm.m) / ${size})::int as row,
      floor(ST_X(pm.m) / ${size})::int || ':' || floor(ST_Y(pm.m) / ${size})::int as key`
    cell = sql`ST_AsGeoJSON(ST_Transform(ST_MakeEnvelope(g.col * ${size}, g.row * ${size}, (g.col + 1) * ${size},
      (g.row + 1) * ${size}, ${srid}), 4326))::json`
    groupBy = sql`g.key, g.col, g.row`
  }
  const extraGroupBy = options.extraGroupBy ? sql`, ${options.extraGroupBy}` : sql``
  return sql`select g.key, ${cell} as cell, ${options.aggregates},
      ST_XMin(ST_Extent(g.extent_geom)) as west, ST_YMin(ST_Extent(g.extent_geom)) as south,
      ST_XMax(ST_Extent(g.extent_geom)) as east, ST_YMax(ST_Extent(g.extent_geom)) as north
    from (select ${a}.*, ${options.extentGeom} as extent_geom, ${keyColumns}
          from ${options.table} ${join} where ${options.where}) g
    group by ${groupBy}${extraGroupBy}`
}

async function computeAggregate(
  context: GraphQLContext,
  spatial: SpatialSelection,
  grouping: Grouping,
  options: { uses: string[] | null; facilityTypes: string[] | null },
): Promise<Map<string, GroupShape>> {
  const groups = new Map<string, GroupShape>()
  const group = (row: GroupedRow): GroupShape => {
    let g = groups.get(row.key)
    if (!g) {
      g = {
        key: row.key,
        regionCode: grouping.kind === 'region' && row.key !== UNASSIGNED ? row.key : null,
        cell: row.cell,
        buildings: emptyBuildings(),
        facilities: [],
        population: context.scope.kind === 'public' ? null : emptyPopulation(),
        extent: null,
      }
      groups.set(row.key, g)
    }
    g.extent = mergeExtent(g.extent, extentOf(row))
    return g
  }

  const buildingWhere = [
    buildingVisible(context),
    ...spatial.conditions({ geom: sql`b.footprint`, regionCode: sql`b.region_code` }),
  ]
  if (options.uses?.length) buildingWhere.push(sql`b.use = any(${sql.param(options.uses)}::text[])`)
  const facilityWhere = [
    scopeCondition(context.scope, sql`f.region_code`, { flag: sql`f.is_public` }),
    ...spatial.conditions({ geom: sql`f.geom`, regionCode: sql`f.region_code` }),
  ]
  if (options.facilityTypes?.length) {
    facilityWhere.push(sql`f.type = any(${sql.param(options.facilityTypes)}::text[])`)
  }
  // A population cell counts where its centre lies, so a cell is never counted twice across groups.
  const cellWhere = [
    scopeCondition(context.scope, sql`p.region_code`, 'never'),
    ...spatial.conditions({ geom: sql`p.centroid`, regionCode: sql`p.region_code` }),
  ]

  const [buildingRows, facilityRows, cellRows] = await Promise.all([
    context.database.rows<GroupedRow & BuildingStats>(
      groupedQuery({
        table: sql`buildings b`,
        alias: 'b',
        where: and(buildingWhere),
        point: sql`b.centroid`,
        regionCode: sql`b.region_code`,
        extentGeom: sql`b.footprint`,
        grouping,
        aggregates: sql`count(*)::int as count, coalesce(sum(g.footprint_area_m2), 0)::float8 as "footprintAreaM2",
          coalesce(sum(g.floor_area_m2), 0)::float8 as "floorAreaM2", count(g.floor_area_m2)::int as "withFloorArea",
          coalesce(sum(g.residents), 0)::float8 as residents`,
      }),
    ),
    context.database.rows<GroupedRow & FacilityStats>(
      groupedQuery({
        table: sql`facilities f`,
        alias: 'f',
        where: and(facilityWhere),
        point: sql`f.geom`,
        regionCode: sql`f.region_code`,
        extentGeom: sql`f.geom`,
        grouping,
        aggregates: sql`g.type, count(*)::int as count, coalesce(sum(g.capacity), 0)::float8 as capacity`,
        extraGroupBy: sql`g.type`,
      }),
    ),
    context.scope.kind === 'public'
      ? Promise.resolve([])
      : context.database.rows<GroupedRow & PopulationStats>(
          groupedQuery({
            table: sql`population_cells p`,
            alias: 'p',
            where: and(cellWhere),
            point: sql`p.centroid`,
            regionCode: sql`p.region_code`,
            extentGeom: sql`p.geom`,
            grouping,
            aggregates: sql`count(*)::int as cells, coalesce(sum(g.children), 0)::float8 as children,
              coalesce(sum(g.working), 0)::float8 as working, coalesce(sum(g.elderly), 0)::float8 as elderly,
              coalesce(sum(g.total), 0)::float8 as total`,
          }),
        ),
  ])
  for (const row of buildingRows) {
    const { count, footprintAreaM2, floorAreaM2, withFloorArea, residents } = row
    group(row).buildings = { count, footprintAreaM2, floorAreaM2, withFloorArea, residents }
  }
  for (const row of facilityRows) {
    group(row).facilities.push({ type: row.type, count: row.count, capacity: row.capacity })
  }
  for (const row of cellRows) {
    const { cells, children, working, elderly, total } = row
    group(row).population = { cells, children, working, elderly, total }
  }
  for (const g of groups.values()) g.facilities.sort((a, b) => a.type.localeCompare(b.type))
  return groups
}

function totalOf(groups: GroupShape[], withPopulation: boolean): GroupShape {
  const total: GroupShape = {
    key: 'total',
    regionCode: null,
    cell: null,
    buildings: emptyBuildings(),
    facilities: [],
    population: withPopulation ? emptyPopulation() : null,
    extent: null,
  }
  const facilities = new Map<string, FacilityStats>()
  for (const g of groups) {
    const b = total.buildings
    b.count += g.buildings.count
    b.footprintAreaM2 += g.buildings.footprintAreaM2
    b.floorAreaM2 += g.buildings.floorAreaM2
    b.withFloorArea += g.buildings.withFloorArea
    b.residents += g.buildings.residents
    for (const f of g.facilities) {
      const t = facilities.get(f.type) ?? { type: f.type, count: 0, capacity: 0 }
      t.count += f.count
      t.capacity += f.capacity
      facilities.set(f.type, t)
    }
    if (total.population && g.population) {
      for (const k of ['cells', 'children', 'working', 'elderly', 'total'] as const) {
        total.population[k] += g.population[k]
      }
    }
    total.extent = mergeExtent(total.extent, g.extent)
  }
  total.facilities = [...facilities.values()].sort((a, b) => a.type.localeCompare(b.type))
  return total
}

/**
 * The selection's extent, before a grid is laid over it (it bounds the cell count), and the metric CRS of the
 * population cells in it: a grid in the same CRS never splits a cell.
 */
async function selectionExtent(
  context: GraphQLContext,
  spatial: SpatialSelection,
): Promise<{ extent: Extent | null; cellSrid: number | null }> {
  const cellSrid =
    context.scope.kind === 'public'
      ? sql`null::int`
      : sql`(select mode() within group (order by p.metric_srid) from population_cells p where ${and([
          scopeCondition(context.scope, sql`p.region_code`, 'never'),
          ...spatial.conditions({ geom: sql`p.centroid`, regionCode: sql`p.region_code` }),
        ])})`
  const [row] = await context.database.rows<Extent & { west: number | null; cellSrid: number | null }>(
    sql`select ST_XMin(e) as west, ST_YMin(e) as south, ST_XMax(e) as east, ST_YMax(e) as north,
      ${cellSrid} as "cellSrid" from (
      select ST_Extent(g) as e from (
        select b.footprint as g from buildings b where ${and([
          buildingVisible(context),
          ...spatial.conditions({ geom: sql`b.footprint`, regionCode: sql`b.region_code` }),
        ])}
        union all
        select f.geom from facilities f where ${and([
          scopeCondition(context.scope, sql`f.region_code`, { flag: sql`f.is_public` }),
          ...spatial.conditions({ geom: sql`f.geom`, regionCode: sql`f.region_code` }),
        ])}
      ) s) x`,
  )
  if (!row) return { extent: null, cellSrid: null }
  const { west, south, east, north, cellSrid: srid } = row
  return { extent: west === null ? null : { west, south, east, north }, cellSrid: srid }
}

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
    resolve: async (_root, args, context): Promise<AggregateShape> => {
      const groupBy = args.groupBy ?? {}
      if (groupBy.childrenOf && groupBy.gridSizeM != null) {
        throw badUserInput(
          'childrenOf 与 gridSizeM 只能选一个',
          'Group by childrenOf or by gridSizeM, not both',
        )
      }
      let filter = args.filter ?? {}
      let grouping: Grouping = { kind: 'none' }
      let children: RegionRow[] = []
      if (groupBy.childrenOf) {
        const code = groupBy.childrenOf
        const parent = await lookupRegion(context.database, code)
        if (!parent) throw badUserInput(`行政区划 ${code} 不存在`, `Region ${code} does not exist`)
        if (filter.region && filter.region !== code) {
          throw badUserInput(
            'filter.region 与 groupBy.childrenOf 不一致',
            'filter.region and groupBy.childrenOf name different regions',
          )
        }
        filter = { ...filter, region: code }
        grouping = { kind: 'region', code }
      }
      const spatial = await resolveSpatialFilter(context, filter)
      const withPopulation = context.scope.kind !== 'public'
      if (groupBy.gridSizeM != null) {
        const sizeM = groupBy.gridSizeM
        const { extent, cellSrid } = await selectionExtent(context, spatial)
        const anchor =
          spatial.anchor ??
          (extent ? [(extent.west + extent.east) / 2, (extent.south + extent.north) / 2] : null)
        if (groupBy.metricSrid != null && !isGaussKrueger(groupBy.metricSrid)) {
          throw badUserInput(
            `网格坐标系应为 CGCS2000 高斯-克吕格投影 EPSG:4491–4554，收到 ${groupBy.metricSrid}`,
            `metricSrid must be a CGCS2000 Gauss-Krüger zone (EPSG:4491–4554), got ${groupBy.metricSrid}`,
          )
        }
        const srid =
          groupBy.metricSrid ??
          cellSrid ??
          (anchor ? metricSridFor(anchor[0] as number, anchor[1] as number) : null)
        if (srid === null) {
          // Nothing is selected: an empty grid.
          return {
            groupedBy: 'grid',
            metricSrid: null,
            gridSizeM: sizeM,
            total: totalOf([], withPopulation),
            groups: [],
          }
        }
        if (extent) {
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
        grouping = { kind: 'grid', sizeM, srid }
      }
      if (grouping.kind === 'region') {
        children = (await context.loader(loadRegionChildren).load(grouping.code)) ?? []
      }
      const groups = await computeAggregate(context, spatial, grouping, {
        uses: args.buildingUses ?? null,
        facilityTypes: args.facilityTypes ?? null,
      })
      let list: GroupShape[]
      if (grouping.kind === 'region') {
        // Every child appears, with zeros where nothing lies; rows below none of them come last.
        list = children.map(
          (c) =>
            groups.get(c.code) ?? {
              key: c.code,
              regionCode: c.code,
              cell: null,
              buildings: emptyBuildings(),
              facilities: [],
              population: withPopulation ? emptyPopulation() : null,
              extent: null,
            },
        )
        const rest = groups.get(UNASSIGNED)
        if (rest) list.push(rest)
        for (const [key, g] of groups) {
          if (key !== UNASSIGNED && !children.some((c) => c.code === key)) list.push(g)
        }
      } else if (grouping.kind === 'grid') {
        const size = grouping.sizeM
        list = [...groups.values()]
          .map((g) => ({ ...g, key: `${size}:${g.key}` }))
          .sort((a, b) => {
            const [, ac = 0, ar = 0] = a.key.split(':').map(Number)
            const [, bc = 0, br = 0] = b.key.split(':').map(Number)
            return ar - br || ac - bc
          })
      } else {
        list = [...groups.values()]
      }
      return {
        groupedBy: grouping.kind,
        metricSrid: grouping.kind === 'grid' ? grouping.srid : null,
        gridSizeM: grouping.kind === 'grid' ? grouping.sizeM : null,
        total: totalOf(list, withPopulation),
        groups: list,
      }
    },
  }),
)
