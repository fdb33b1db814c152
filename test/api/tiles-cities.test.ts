/**
 * Tiles per city (docs/adr/0024), on both backends: with synthetic Wuhan (420100, ~690 km away) beside the demo's
 * Shanghai, each city gets its own public tileset a few kilometres across, built by its own tiles run and refreshed
 * alone when its buildings change; the old address stands for the default city's; a province's tileset is refused.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateSyntheticCity } from '../../bench/synthetic/generate.ts'
import { defaultCity, queueCityTilesRuns, tiledCities } from '../../jobs/api.ts'
import { createProcessors } from '../../jobs/processors.ts'
import { InProcessRunner } from '../../jobs/runs/in-process.ts'
import { loadConfig } from '../../server/config.ts'
import type { Database } from '../../server/db/client.ts'
import { type RunningServer, startHttpServer } from '../../server/http.ts'
import { openTestDatabase } from '../helpers/database.ts'
import { TEST_JWT_SECRET, tokenFor } from './helpers/api.ts'

const WUHAN = '420100'
const EARTH_KM = 6371

let database: Database
let runner: InProcessRunner
let server: RunningServer
let dataDir: string

interface TilesetJson {
  root: { boundingVolume: { region: number[] } }
}

const getJson = async <T>(url: string): Promise<T> => (await (await fetch(url)).json()) as T

/** Width and height in kilometres of a bounding region ([w, s, e, n] radians). */
function sizeKm([w = 0, s = 0, e = 0, n = 0]: readonly number[]): { widthKm: number; heightKm: number } {
  return { widthKm: (e - w) * EARTH_KM * Math.cos((s + n) / 2), heightKm: (n - s) * EARTH_KM }
}

async function succeeded(runIds: readonly number[]): Promise<boolean> {
  await runner.idle()
  const rows = await database.rows<{ state: string }>(
    sql`select state from diagnostic_runs where id in (${sql.join(
      runIds.map((id) => sql`${id}`),
      sql`, `,
    )})`,
  )
  return rows.length === runIds.length && rows.every((r) => r.state === 'succeeded')
}

beforeAll(async () => {
  database = await openTestDatabase()
  await generateSyntheticCity(database, { buildings: 300, seed: 9, regionCode: WUHAN, analyze: false })
  runner = new InProcessRunner(database, createProcessors(), { onError: () => {} })
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'citycheck-tiles-cities-'))
  const config = { ...loadConfig({}), port: 0, host: '127.0.0.1', jwtSecret: TEST_JWT_SECRET, dataDir }
  server = await startHttpServer({ config, database, jobs: runner })
})

afterAll(async () => {
  await server?.close()
  await runner?.close()
  await database?.close()
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true })
})

describe('tiles per city', () => {
  it('finds the cities holding public buildings and the default one, the first imported', async () => {
    const cities = await tiledCities(database, { publicOnly: true })
    expect(cities.map((c) => [c.code, c.name])).toEqual([
      ['310100', '上海市'],
      [WUHAN, '武汉市'],
    ])
    expect(cities[1]!.buildings).toBe(300)
    expect(await defaultCity(database)).toBe('310100')
    expect((await tiledCities(database, { publicOnly: false, prefix: '42' })).map((c) => c.code)).toEqual([
      WUHAN,
    ])
  })

  it('builds one tileset per city, each a few kilometres across', async () => {
    const runs = await queueCityTilesRuns(database, runner, { dataDir })
    expect(runs.map((r) => r.cityCode)).toEqual(['310100', WUHAN])
    expect(await succeeded(runs.map((r) => r.runId))).toBe(true)
    const index = await getJson<{ defaultCity: string; cities: { code: string; tileset: string }[] }>(
      `${server.url}/tiles/city/index.json`,
    )
    expect(index.defaultCity).toBe('310100')
    expect(index.cities.map((c) => c.tileset)).toEqual([
      '/tiles/city/310100/tileset.json',
      `/tiles/city/${WUHAN}/tileset.json`,
    ])
    for (const city of index.cities) {
      const { widthKm, heightKm } = sizeKm(
        (await getJson<TilesetJson>(`${server.url}${city.tileset}`)).root.boundingVolume.region,
      )
      console.log(`tiles per city: ${city.code} root ${widthKm.toFixed(1)} × ${heightKm.toFixed(1)} km`)
      expect(Math.max(widthKm, heightKm), city.code).toBeLessThan(30)
      expect(Math.min(widthKm, heightKm), city.code).toBeGreaterThan(0.3)
    }
    // The old address is the default city's tileset, its tiles resolved beside it.
    const old = await getJson<TilesetJson & { root: { children?: { content?: { uri: string } }[] } }>(
      `${server.url}/tiles/city/tileset.json`,
    )
    const demo = await getJson<TilesetJson>(`${server.url}/tiles/city/310100/tileset.json`)
    expect(old.root.boundingVolume).toEqual(demo.root.boundingVolume)
    const glb = fs.readdirSync(path.join(dataDir, 'tiles', 'city', '310100')).find((f) => f.endsWith('.glb'))!
    expect((await fetch(`${server.url}/tiles/city/${glb}`)).status).toBe(200)
  })

  it("refreshes a city's tileset alone when its buildings change", async () => {
    await database.rows(sql`
      update buildings set floors = coalesce(floors, 0) + 1, updated_at = now()
      where id = (select max(id) from buildings where region_code like '4201%')`)
    const wuhan = await fetch(`${server.url}/tiles/city/${WUHAN}/tileset.json`)
    expect(wuhan.headers.get('x-citycheck-tiles')).toBe('refreshing')
    await wuhan.arrayBuffer()
    const shanghai = await fetch(`${server.url}/tiles/city/310100/tileset.json`)
    expect(shanghai.headers.get('x-citycheck-tiles')).toBe('fresh')
    await shanghai.arrayBuffer()
    await runner.idle()
    const again = await fetch(`${server.url}/tiles/city/${WUHAN}/tileset.json`)
    expect(again.headers.get('x-citycheck-tiles')).toBe('fresh')
    await again.arrayBuffer()
  })

  it("refuses a province's tileset and a public tileset of anything but a city", async () => {
    const province = await fetch(`${server.url}/tiles/region/420000/tileset.json`, {
      headers: { authorization: `Bearer ${await tokenFor('province', '420000')}` },
    })
    expect(province.status).toBe(404)
    expect(((await province.json()) as { message: string }).message).toMatch(/按城市.* \/ .*per city/)
    for (const code of ['420000', '420102', '999999']) {
      const response = await fetch(`${server.url}/tiles/city/${code}/tileset.json`)
      expect(response.status, code).toBe(404)
      await response.arrayBuffer()
    }
    // A path climbing out of a city's directory into a region's is not served.
    const climb = await fetch(`${server.url}/tiles/city/310100/..%2f..%2fregion%2f310100%2ftileset.json`)
    expect(climb.status).toBe(404)
    await climb.arrayBuffer()
  })
})
