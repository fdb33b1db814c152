import path from 'node:path'
import { sql } from 'drizzle-orm'
import { PROJECT_ROOT } from '../config.ts'
import type { Database } from '../db/client.ts'
import { type ImportReport, importCity } from '../import/importer.ts'
import { deriveBlocks } from './blocks.ts'
import { loadIndicatorCatalogue } from './indicators.ts'
import { seedProblemTypes } from './problem-types.ts'
import { ensureRegions } from './regions.ts'
import { seedRenewalAreas } from './renewal-areas.ts'

export const DEMO_DATASET = 'shanghai-bund'
export const DEMO_DIR = path.join(PROJECT_ROOT, 'data/shanghai-bund')
export const DEMO_BOUNDARIES = path.join(PROJECT_ROOT, 'data/bund-districts.geojson')
export const OSM_LICENCE = 'ODbL 1.0 — © OpenStreetMap contributors'
const DEMO_FILES = ['buildings', 'landuse', 'pois', 'roads', 'water'].map((n) =>
  path.join(DEMO_DIR, `${n}.geojson`),
)

export interface SeedResult {
  regionsAdded: number
  indicatorSystem: { systemId: number; indicators: number; created: boolean }
  demo: ImportReport | null
}

/**
 * What a fresh database needs: the division codes, the national indicator edition, the problem types with
 * their default routing rules, and the Bund demo city.
 * Each step is skipped when already done, so a restart does not import again.
 */
export async function seedDatabase(
  database: Database,
  options: { demo: boolean; year?: number },
): Promise<SeedResult> {
  const regionsAdded = await ensureRegions(database)
  const indicatorSystem = await loadIndicatorCatalogue(database, { year: options.year ?? 2025 })
  await seedProblemTypes(database)
  let demo: ImportReport | null = null
  if (options.demo) {
    const [found] = await database.rows<{ n: number }>(
      sql`select count(*)::int as n from datasets where name = ${DEMO_DATASET}`,
    )
    if (!found?.n) {
      demo = await importCity(database, {
        files: DEMO_FILES,
        datasetName: DEMO_DATASET,
        boundariesFile: DEMO_BOUNDARIES,
        licence: OSM_LICENCE,
      })
    }
  }
  if (options.demo) await deriveBlocks(database, DEMO_DATASET)
  if (options.demo) await seedRenewalAreas(database, DEMO_DATASET)
  return { regionsAdded, indicatorSystem, demo }
}
