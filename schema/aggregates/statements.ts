import { type SQL, sql } from 'drizzle-orm'
import { scopeCondition } from '../../server/auth/scope.ts'
import type { Geometry } from '../../server/db/geometry.ts'
import type { GraphQLContext } from '../../server/graphql/context.ts'
import { buildingVisible } from '../buildings/buildings.ts'
import { and } from '../support/pagination.ts'
import type { SpatialSelection } from '../support/spatial.ts'
import {
  type BuildingStats,
  type Extent,
  emptyGroup,
  type FacilityStats,
  type Grouping,
  type GroupShape,
  mergeExtent,
  type PopulationStats,
  UNASSIGNED,
} from './groups.ts'

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

/** What to select from one table and how to group it. */
interface GroupedSource {
  table: SQL
  alias: string
  where: SQL
  point: SQL
  regionCode: SQL
  extentGeom: SQL
  aggregates: SQL
  extraGroupBy?: SQL
}

/** The group key's columns, the join computing it, the cell outline and the grouping columns. */
function groupKey(
  source: GroupedSource,
  grouping: Grouping,
): { keyColumns: SQL; join: SQL; cell: SQL; groupBy: SQL } {
  if (grouping.kind === 'none') {
    return { keyColumns: sql`'all'::text as key`, join: sql``, cell: sql`null::json`, groupBy: sql`g.key` }
  }
  if (grouping.kind === 'region') {
    return {
      keyColumns: sql`coalesce(rg.code, ${UNASSIGNED}) as key`,
      join: sql`left join regions rg on rg.parent_code = ${grouping.code}
      and ${source.regionCode} like rg.scope_prefix || '%'`,
      cell: sql`null::json`,
      groupBy: sql`g.key`,
    }
  }
  const srid = sql.raw(String(grouping.srid))
  const size = sql`${grouping.sizeM}::float8`
  return {
    keyColumns: sql`floor(ST_X(pm.m) / ${size})::int as col, floor(ST_Y(pm.m) / ${size})::int as row,
      floor(ST_X(pm.m) / ${size})::int || ':' || floor(ST_Y(pm.m) / ${size})::int as key`,
    join: sql`cross join lateral (select ST_Transform(${source.point}, ${srid}) as m) pm`,
    cell: sql`ST_AsGeoJSON(ST_Transform(ST_MakeEnvelope(g.col * ${size}, g.row * ${size}, (g.col + 1) * ${size},
      (g.row + 1) * ${size}, ${srid}), 4326))::json`,
    groupBy: sql`g.key, g.col, g.row`,
  }
}

/**
 * One aggregate statement for a table: the rows the filter selects, their group key (region child, grid cell or
 * everything) computed from `point`, and `aggregates` per group, with the extent of `extentGeom`.
 */
function groupedQuery(source: GroupedSource, grouping: Grouping): SQL {
  const a = sql.raw(source.alias)
  const { keyColumns, join, cell, groupBy } = groupKey(source, grouping)
  const extraGroupBy = source.extraGroupBy ? sql`, ${source.extraGroupBy}` : sql``
  return sql`select g.key, ${cell} as cell, ${source.aggregates},
      ST_XMin(ST_Extent(g.extent_geom)) as west, ST_YMin(ST_Extent(g.extent_geom)) as south,
      ST_XMax(ST_Extent(g.extent_geom)) as east, ST_YMax(ST_Extent(g.extent_geom)) as north
    from (select ${a}.*, ${source.extentGeom} as extent_geom, ${keyColumns}
          from ${source.table} ${join} where ${source.where}) g
    group by ${groupBy}${extraGroupBy}`
}

/** The filters an aggregate applies to each table, beside the spatial selection. */
export interface AggregateOptions {
  uses: string[] | null
  facilityTypes: string[] | null
}

const buildingWhere = (context: GraphQLContext, spatial: SpatialSelection, uses: string[] | null = null) =>
  and([
    buildingVisible(context),
    ...spatial.conditions({ geom: sql`b.footprint`, regionCode: sql`b.region_code` }),
    ...(uses?.length ? [sql`b.use = any(${sql.param(uses)}::text[])`] : []),
  ])

const facilityWhere = (context: GraphQLContext, spatial: SpatialSelection, types: string[] | null = null) =>
  and([
    scopeCondition(context.scope, sql`f.region_code`, { flag: sql`f.is_public` }),
    ...spatial.conditions({ geom: sql`f.geom`, regionCode: sql`f.region_code` }),
    ...(types?.length ? [sql`f.type = any(${sql.param(types)}::text[])`] : []),
  ])

// A population cell counts where its centre lies, so a cell is never counted twice across groups.
const cellWhere = (context: GraphQLContext, spatial: SpatialSelection) =>
  and([
    scopeCondition(context.scope, sql`p.region_code`, 'never'),
    ...spatial.conditions({ geom: sql`p.centroid`, regionCode: sql`p.region_code` }),
  ])

function buildingRows(
  context: GraphQLContext,
  spatial: SpatialSelection,
  grouping: Grouping,
  uses: string[] | null,
) {
  return context.database.rows<GroupedRow & BuildingStats>(
    groupedQuery(
      {
        table: sql`buildings b`,
        alias: 'b',
        where: buildingWhere(context, spatial, uses),
        point: sql`b.centroid`,
        regionCode: sql`b.region_code`,
        extentGeom: sql`b.footprint`,
        aggregates: sql`count(*)::int as count, coalesce(sum(g.footprint_area_m2), 0)::float8 as "footprintAreaM2",
          coalesce(sum(g.floor_area_m2), 0)::float8 as "floorAreaM2", count(g.floor_area_m2)::int as "withFloorArea",
          coalesce(sum(g.residents), 0)::float8 as residents`,
      },
      grouping,
    ),
  )
}

function facilityRows(
  context: GraphQLContext,
  spatial: SpatialSelection,
  grouping: Grouping,
  types: string[] | null,
) {
  return context.database.rows<GroupedRow & FacilityStats>(
    groupedQuery(
      {
        table: sql`facilities f`,
        alias: 'f',
        where: facilityWhere(context, spatial, types),
        point: sql`f.geom`,
        regionCode: sql`f.region_code`,
        extentGeom: sql`f.geom`,
        aggregates: sql`g.type, count(*)::int as count, coalesce(sum(g.capacity), 0)::float8 as capacity`,
        extraGroupBy: sql`g.type`,
      },
      grouping,
    ),
  )
}

async function cellRows(context: GraphQLContext, spatial: SpatialSelection, grouping: Grouping) {
  if (context.scope.kind === 'public') return []
  return context.database.rows<GroupedRow & PopulationStats>(
    groupedQuery(
      {
        table: sql`population_cells p`,
        alias: 'p',
        where: cellWhere(context, spatial),
        point: sql`p.centroid`,
        regionCode: sql`p.region_code`,
        extentGeom: sql`p.geom`,
        aggregates: sql`count(*)::int as cells, coalesce(sum(g.children), 0)::float8 as children,
          coalesce(sum(g.working), 0)::float8 as working, coalesce(sum(g.elderly), 0)::float8 as elderly,
          coalesce(sum(g.total), 0)::float8 as total`,
      },
      grouping,
    ),
  )
}

/** Buildings, facilities by type and population per group: one statement per table, run side by side. */
export async function computeAggregate(
  context: GraphQLContext,
  spatial: SpatialSelection,
  grouping: Grouping,
  options: AggregateOptions,
): Promise<Map<string, GroupShape>> {
  const withPopulation = context.scope.kind !== 'public'
  const groups = new Map<string, GroupShape>()
  const group = (row: GroupedRow): GroupShape => {
    let g = groups.get(row.key)
    if (!g) {
      const regionCode = grouping.kind === 'region' && row.key !== UNASSIGNED ? row.key : null
      g = emptyGroup(row.key, regionCode, row.cell, withPopulation)
      groups.set(row.key, g)
    }
    g.extent = mergeExtent(g.extent, extentOf(row))
    return g
  }
  const [buildings, facilities, cells] = await Promise.all([
    buildingRows(context, spatial, grouping, options.uses),
    facilityRows(context, spatial, grouping, options.facilityTypes),
    cellRows(context, spatial, grouping),
  ])
  for (const row of buildings) {
    const { count, footprintAreaM2, floorAreaM2, withFloorArea, residents } = row
    group(row).buildings = { count, footprintAreaM2, floorAreaM2, withFloorArea, residents }
  }
  for (const row of facilities) {
    group(row).facilities.push({ type: row.type, count: row.count, capacity: row.capacity })
  }
  for (const row of cells) {
    const { cells, children, working, elderly, total } = row
    group(row).population = { cells, children, working, elderly, total }
  }
  for (const g of groups.values()) g.facilities.sort((a, b) => a.type.localeCompare(b.type))
  return groups
}

/**
 * The selection's extent, before a grid is laid over it (it bounds the cell count), and the metric CRS of the
 * population cells in it: a grid in the same CRS never splits a cell.
 */
export async function selectionExtent(
  context: GraphQLContext,
  spatial: SpatialSelection,
): Promise<{ extent: Extent | null; cellSrid: number | null }> {
  const cellSrid =
    context.scope.kind === 'public'
      ? sql`null::int`
      : sql`(select mode() within group (order by p.metric_srid) from population_cells p where ${cellWhere(context, spatial)})`
  const [row] = await context.database.rows<Extent & { west: number | null; cellSrid: number | null }>(
    sql`select ST_XMin(e) as west, ST_YMin(e) as south, ST_XMax(e) as east, ST_YMax(e) as north,
      ${cellSrid} as "cellSrid" from (
      select ST_Extent(g) as e from (
        select b.footprint as g from buildings b where ${buildingWhere(context, spatial)}
        union all
        select f.geom from facilities f where ${facilityWhere(context, spatial)}
      ) s) x`,
  )
  if (!row) return { extent: null, cellSrid: null }
  const { west, south, east, north, cellSrid: srid } = row
  return { extent: west === null ? null : { west, south, east, north }, cellSrid: srid }
}
