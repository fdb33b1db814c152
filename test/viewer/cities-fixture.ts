/**
 * Two more cities beside the demo's Shanghai (310100): synthetic Wuhan (420100, ~690 km west) and Yichang (420500,
 * ~290 km further west, in the same province), written by the synthetic city generator and tiled by real tiles
 * runs, one public tileset per city and the region tilesets the tokens read.
 */
import { sql } from 'drizzle-orm'
import { generateSyntheticCity } from '../../bench/synthetic/generate.ts'
import { queueCityTilesRuns, queueRegionTilesRun } from '../../jobs/api.ts'
import { signToken } from '../../server/auth/token.ts'
import { loadConfig } from '../../server/config.ts'
import type { ViewerHarness } from './harness.ts'

export const WUHAN = '420100'
export const YICHANG = '420500'
export const HUBEI = '420000'

/** Writes the two cities and builds every tileset the tests read; throws when a tiles run did not succeed. */
export async function addSecondCities(harness: ViewerHarness, dataDir: string): Promise<void> {
  const { database, runner } = harness
  await generateSyntheticCity(database, { buildings: 600, seed: 5, regionCode: WUHAN })
  await generateSyntheticCity(database, {
    buildings: 400,
    seed: 6,
    regionCode: YICHANG,
    centerLonDeg: 111.29,
    centerLatDeg: 30.7,
  })
  const runs = [
    ...(await queueCityTilesRuns(database, runner, { dataDir })).map((r) => r.runId),
    (await queueRegionTilesRun(database, runner, { dataDir, regionCode: WUHAN })).runId,
    (await queueRegionTilesRun(database, runner, { dataDir, regionCode: YICHANG })).runId,
  ]
  await runner.idle()
  const states = await database.rows<{ id: number; state: string }>(
    sql`select id, state from diagnostic_runs where id in (${sql.join(
      runs.map((id) => sql`${id}`),
      sql`, `,
    )})`,
  )
  const failed = states.filter((s) => s.state !== 'succeeded')
  if (failed.length > 0 || states.length !== runs.length) {
    throw new Error(`tiles runs not succeeded: ${JSON.stringify(states)}`)
  }
}

/** A token of the given role and region, signed with the test server's secret. */
export function tokenFor(role: 'province' | 'city' | 'district', region: string): Promise<string> {
  return signToken({ sub: `cities-${role}-${region}`, role, region }, loadConfig().jwtSecret, {
    expiresIn: 3600,
  })
}

/** Width and height, in kilometres, of a 3D Tiles bounding region ([w, s, e, n] radians, heights). */
export function regionSizeKm(region: readonly number[]): { widthKm: number; heightKm: number } {
  const [w = 0, s = 0, e = 0, n = 0] = region
  const earthKm = 6371
  return { widthKm: (e - w) * earthKm * Math.cos((s + n) / 2), heightKm: (n - s) * earthKm }
}
