import path from 'node:path'
import { sql } from 'drizzle-orm'
import { PROJECT_ROOT } from '../config.ts'
import type { Database } from '../db/client.ts'
import { type ImportReport, importCity } from '../import/importer.ts'
import { deriveBlocks } from './blocks.ts'
import { seedReferenceYears } from './building-years.ts'
import { seedDemoResources } from './demo-resources.ts'
import { loadIndicatorCatalogue } from './indicators.ts'
import { seedProblemTypes } from './problem-types.ts'
import { ensureRegions } from './regions.ts'
import { seedRenewalAreas } from './renewal-areas.ts'
import { cityCodeOf, seedZoningRules } from './zoning-rules.ts'

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
  // The data has no construction years: the landmarks take the cited reference years (never over data's own).
  if (options.demo) await seedReferenceYears(database, DEMO_DATASET)
  if (options.demo) await seedRenewalAreas(database, DEMO_DATASET)
  if (options.demo) await seedDemoResources(database, DEMO_DIR, OSM_LICENCE)
  if (options.demo) await seedDemoZoningRules(database)
  return { regionsAdded, indicatorSystem, demo }
}

/** The default zoning rules for each city the demo's buildings lie in. */
async function seedDemoZoningRules(database: Database): Promise<void> {
  const cities = await database.rows<{ code: string }>(
    sql`select distinct b.region_code as code from buildings b join datasets d on d.id = b.dataset_id
      where d.name = ${DEMO_DATASET}`,
  )
  for (const city of new Set(cities.map((c) => cityCodeOf(c.code)))) {
    await database.db.transaction((tx) => seedZoningRules(tx, city))
  }
}
