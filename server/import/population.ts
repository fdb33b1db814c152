import { sql } from 'drizzle-orm'
import { type Executor, rowsOf } from './sql.ts'

/**
 * How residents are derived where no census or signal data exists: residential floor area divided by the
 * per-capita floor area, split into age groups by fixed shares.
 */
export interface PopulationDerivation {
  /** Residential floor area per resident. @defaultValue 37 (上海市 2020 人均住房建筑面积 ≈ 37 m²) */
  perCapitaFloorAreaM2: number
  /** Share of a mixed-use building's floor area that is housing. @defaultValue 0.5 */
  mixedUseResidentialShare: number
  /** Age shares; Shanghai's 7th census (2020): 0–14 9.8 %, 15–59 66.8 %, 60+ 23.4 %. */
  ageShares: { children: number; working: number; elderly: number }
  /** Side of the square population grid cell. @defaultValue 100 */
  cellSizeM: number
  /** Storey height used to derive floors from height where the source gives none. @defaultValue 3 */
  storeyHeightM: number
  source: string
}

export const DEFAULT_DERIVATION: PopulationDerivation = {
  perCapitaFloorAreaM2: 37,
  mixedUseResidentialShare: 0.5,
  ageShares: { children: 0.098, working: 0.668, elderly: 0.234 },
  cellSizeM: 100,
  storeyHeightM: 3,
  source:
    '上海市第七次全国人口普查主要数据公报 (2021) age shares; per-capita floor area from the 2020 housing statistics',
}

/**
 * Writes `floors` (from the height where the source has none), `floor_area_m2` and `residents` of the
 * dataset's buildings. Returns how many floor counts were estimated.
 */
export async function deriveBuildingResidents(
  tx: Executor,
  datasetId: number,
  derivation: PopulationDerivation,
): Promise<number> {
  const [estimated] = await rowsOf<{ n: number }>(
    tx,
    sql`with estimated as (
        update buildings set
          floors = greatest(1, floor(height_m / ${derivation.storeyHeightM} + 0.5))::int,
          floors_estimated = true
        where dataset_id = ${datasetId} and floors is null
        returning 1)
      select count(*)::int as n from estimated`,
  )
  await tx.execute(sql`
    update buildings set
      floor_area_m2 = footprint_area_m2 * floors,
      residents = case use
        when 'residential' then footprint_area_m2 * floors / ${derivation.perCapitaFloorAreaM2}
        when 'mixed' then footprint_area_m2 * floors * ${derivation.mixedUseResidentialShare} / ${derivation.perCapitaFloorAreaM2}
        else 0 end
    where dataset_id = ${datasetId}`)
  return estimated?.n ?? 0
}

/**
 * Builds the dataset's population grid: each residential building's residents go to the cell holding its
 * interior point, in the metric CRS, split by age share. Returns cells written and residents.
 */
export async function derivePopulationCells(
  tx: Executor,
  datasetId: number,
  metricSrid: number,
  derivation: PopulationDerivation,
): Promise<{ cells: number; residents: number }> {
  const size = derivation.cellSizeM
  const { children, working, elderly } = derivation.ageShares
  const parameters = JSON.stringify({ ...derivation, metricSrid, from: 'buildings.residents' })
  const method = 'derived:residential_floor_area'
  await tx.execute(sql`delete from population_cells where dataset_id = ${datasetId}`)
  const [row] = await rowsOf<{ cells: number; residents: number }>(
    tx,
    sql`
    with located as (
      select region_code, residents, ST_Transform(centroid, ${metricSrid}::int) as p
      from buildings where dataset_id = ${datasetId} and residents > 0
    ), cells as (
      select floor(ST_X(p) / ${size})::int as col, floor(ST_Y(p) / ${size})::int as row,
        sum(residents) as total, mode() within group (order by region_code) as region_code
      from located group by 1, 2
    ), inserted as (
      insert into population_cells
        (region_code, dataset_id, cell_key, size_m, metric_srid, geom, centroid,
         children, working, elderly, total, method, method_parameters)
      select region_code, ${datasetId}, ${size}::text || ':' || col || ':' || row, ${size}, ${metricSrid},
        ST_Transform(ST_MakeEnvelope(col * ${size}, row * ${size}, (col + 1) * ${size}, (row + 1) * ${size}, ${metricSrid}::int), 4326),
        ST_Transform(ST_SetSRID(ST_MakePoint((col + 0.5) * ${size}, (row + 0.5) * ${size}), ${metricSrid}::int), 4326),
        total * ${children}, total * ${working}, total * ${elderly}, total, ${method}, ${parameters}::jsonb
      from cells
      returning total
    )
    select count(*)::int as cells, coalesce(sum(total), 0)::float8 as residents from inserted`,
  )
  return row ?? { cells: 0, residents: 0 }
}
