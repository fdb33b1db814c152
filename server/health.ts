import { sql } from 'drizzle-orm'
import type { Database } from './db/client.ts'

export interface HealthReport {
  status: 'ok'
  backend: Database['backend']
  counts: { regions: number; buildings: number; facilities: number; populationCells: number; roads: number }
  residents: number
}

/** What `/healthz` answers: the backend in use and what the city model holds. */
export async function healthReport(database: Database): Promise<HealthReport> {
  const [row] = await database.rows<{
    regions: number
    buildings: number
    facilities: number
    cells: number
    roads: number
    residents: number
  }>(sql`select
      (select count(*) from regions)::int as regions,
      (select count(*) from buildings)::int as buildings,
      (select count(*) from facilities)::int as facilities,
      (select count(*) from population_cells)::int as cells,
      (select count(*) from roads)::int as roads,
      (select coalesce(sum(total), 0) from population_cells)::float8 as residents`)
  if (!row) throw new Error('health query returned no row')
  return {
    status: 'ok',
    backend: database.backend,
    counts: {
      regions: row.regions,
      buildings: row.buildings,
      facilities: row.facilities,
      populationCells: row.cells,
      roads: row.roads,
    },
    residents: Math.round(row.residents),
  }
}
