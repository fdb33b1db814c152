/**
 * What the tiles let a caller read (docs/adr/0006): the public tileset carries public buildings and public
 * attributes only, to anyone; a region's tileset carries every building of the region with its problems, to a
 * bearer token whose read scope covers the region, and nothing outside it.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createProcessors } from '../../jobs/processors.ts'
import { InProcessRunner } from '../../jobs/runs/in-process.ts'
import { loadConfig } from '../../server/config.ts'
import type { Database } from '../../server/db/client.ts'
import { type RunningServer, startHttpServer } from '../../server/http.ts'
import { openTestDatabase } from '../helpers/database.ts'
import { decodeTile, type TileJson, walkTiles } from '../jobs/tiles/helpers.ts'
import { TEST_JWT_SECRET, tokenFor } from './helpers/api.ts'

const PROBLEM_PROPERTY = /openProblems|worstSeverity/
const DISTRICT = '310101'

let database: Database
let runner: InProcessRunner
let server: RunningServer
let dataDir: string
let cityToken: string
let districtToken: string

beforeAll(async () => {
  database = await openTestDatabase()
  // Some buildings private, in every district, and open problems on public and private buildings alike.
  await database.rows(sql`update buildings set is_public = false, updated_at = now() where id % 4 = 0`)
  await database.rows(sql`
    insert into problems (region_code, type, title, building_id, severity, source, year_found, state)
    select region_code, 'safety', 'test: tiles scope', id, 1 + id % 3, 'survey', 2025, 'identified'
    from buildings where id % 3 = 0`)
  runner = new InProcessRunner(database, createProcessors(), { onError: () => {} })
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'citycheck-tiles-scope-'))
  const config = { ...loadConfig({}), port: 0, host: '127.0.0.1', jwtSecret: TEST_JWT_SECRET, dataDir }
  server = await startHttpServer({ config, database, jobs: runner })
  cityToken = await tokenFor('city', '310100')
  districtToken = await tokenFor('district', DISTRICT)
})

afterAll(async () => {
  await server?.close()
  await runner?.close()
  await database?.close()
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true })
})

const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

async function tilesRunIds(): Promise<Map<number, string>> {
  const response = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...bearer(cityToken) },
    body: JSON.stringify({ query: '{ diagnosticRuns(limit: 100) { databaseId kind state } }' }),
  })
  const body = (await response.json()) as {
    data: { diagnosticRuns: { databaseId: number; kind: string; state: string }[] }
  }
  return new Map(
    body.data.diagnosticRuns.filter((r) => r.kind === 'tiles').map((r) => [r.databaseId, r.state]),
  )
}

/** Waits for a tiles run to finish; fails unless it succeeded. */
async function succeeded(runId: number): Promise<void> {
  for (let i = 0; ; i++) {
    const state = (await tilesRunIds()).get(runId)
    if (state === 'succeeded') return
    if (state === 'failed' || i > 1500) throw new Error(`tiles run ${runId} ${state}`)
    await new Promise((r) => setTimeout(r, 200))
  }
}

/**
 * Asks for a tileset.json that is not built yet (503, a run queued), waits for the run that request queued, and
 * returns the built tileset.
 */
async function builtTileset(url: string, headers: Record<string, string>): Promise<TileJson> {
  const before = await tilesRunIds()
  const first = await fetch(url, { headers })
  expect(first.status).toBe(503)
  await first.arrayBuffer()
  const queued = [...(await tilesRunIds()).keys()].filter((id) => !before.has(id))
  expect(queued).toHaveLength(1)
  await succeeded(queued[0]!)
  const built = await fetch(url, { headers })
  expect(built.status).toBe(200)
  return ((await built.json()) as { root: TileJson }).root
}

interface ReadTile {
  tile: TileJson
  columns: Record<string, ArrayLike<number>>
  text: string
  schemaProperties: string[]
}

/** Every content tile below `root`, fetched from `base` with `headers` and decoded. */
async function readTiles(base: string, root: TileJson, headers: Record<string, string>): Promise<ReadTile[]> {
  const out: ReadTile[] = []
  for (const { tile, worldTransform } of walkTiles(root)) {
    if (!tile.content) continue
    const response = await fetch(`${base}/${tile.content.uri}`, { headers })
    expect(response.status, tile.content.uri).toBe(200)
    const bytes = new Uint8Array(await response.arrayBuffer())
    const decoded = decodeTile(bytes, worldTransform)
    const meta = decoded.glb.json.extensions.EXT_structural_metadata
    out.push({
      tile,
      columns: decoded.columns,
      text: Buffer.from(bytes).toString('latin1'),
      schemaProperties: Object.keys(meta.schema.classes.building.properties),
    })
  }
  return out
}

/** Building ids of the leaves (massings have id 0). */
function leafIds(tiles: ReadTile[]): number[] {
  return tiles.flatMap((t) => Array.from(t.columns.id!).filter((id) => id !== 0))
}

/** Every tile with a massing stands for exactly the building features of the leaves below it. */
function expectMassingsCountLeavesBelow(tiles: ReadTile[]): void {
  const byTile = new Map(tiles.map((t) => [t.tile, t]))
  const leavesBelow = (tile: TileJson): number =>
    (tile.children ?? []).reduce((n, child) => {
      const read = byTile.get(child)
      const own = read ? Array.from(read.columns.id!).filter((id) => id !== 0).length : 0
      return n + own + leavesBelow(child)
    }, 0)
  let massings = 0
  for (const t of tiles) {
    const ids = Array.from(t.columns.id!)
    if (!ids.every((id) => id === 0)) continue
    massings++
    const stood = Array.from(t.columns.buildings!).reduce((a, b) => a + b, 0)
    expect(stood, t.tile.content!.uri).toBe(leavesBelow(t.tile))
  }
  expect(massings).toBeGreaterThan(0)
}

/** Every file under the data dir's tiles/, as its static path. */
function tilePaths(): string[] {
  const root = path.join(dataDir, 'tiles')
  return (fs.readdirSync(root, { recursive: true }) as string[])
    .filter((rel) => fs.statSync(path.join(root, rel)).isFile())
    .map((rel) => `/tiles/${rel.split(path.sep).join('/')}`)
}

describe('the public tileset', () => {
  it('carries only public buildings, and no problem count or severity, in tileset.json, GLBs and massings', async () => {
    const root = await builtTileset(`${server.url}/tiles/city/tileset.json`, {})
    const tilesetText = await (await fetch(`${server.url}/tiles/city/tileset.json`)).text()
    expect(tilesetText).not.toMatch(PROBLEM_PROPERTY)
    const schema = JSON.parse(tilesetText).schema.classes.building.properties
    expect(Object.keys(schema)).toEqual([
      'id',
      'heightM',
      'floors',
      'use',
      'yearBuilt',
      'buildings',
      'members',
    ])

    const tiles = await readTiles(`${server.url}/tiles/city`, root, {})
    for (const t of tiles) {
      expect(t.text, t.tile.content!.uri).not.toMatch(PROBLEM_PROPERTY)
      expect(t.schemaProperties).toEqual(Object.keys(schema))
      // `members` (the ids a massing stands for) is on massing rows only.
      const massing = Array.from(t.columns.id!).every((id) => id === 0)
      const columns = Object.keys(schema).filter((name) => massing || name !== 'members')
      expect(Object.keys(t.columns).sort()).toEqual(columns.sort())
    }
    const rows = await database.rows<{ id: number; is_public: boolean }>(
      sql`select id, is_public from buildings order by id`,
    )
    const publicIds = rows.filter((r) => r.is_public).map((r) => Number(r.id))
    expect(rows.length).toBeGreaterThan(publicIds.length)
    expect(leafIds(tiles).sort((a, b) => a - b)).toEqual(publicIds)
    expectMassingsCountLeavesBelow(tiles)
    // The ids a public massing lists are public buildings' only.
    const listed = new Set(tiles.flatMap((t) => Array.from(t.columns.members ?? [])))
    expect(listed.size).toBe(publicIds.length)
    expect([...listed].every((id) => publicIds.includes(id))).toBe(true)
  })

  it('leaves nothing under /tiles/ that carries problems or private buildings readable without a token', async () => {
    await builtTileset(`${server.url}/tiles/region/${DISTRICT}/tileset.json`, bearer(districtToken))
    const paths = tilePaths()
    expect(paths.some((p) => p.includes('/massings/'))).toBe(true)
    expect(paths.some((p) => p.startsWith(`/tiles/region/${DISTRICT}/`))).toBe(true)
    for (const p of paths) {
      const response = await fetch(`${server.url}${p}`)
      const body = Buffer.from(await response.arrayBuffer()).toString('latin1')
      if (p.startsWith('/tiles/city/') && (p.endsWith('.glb') || p.endsWith('/tileset.json'))) {
        expect(response.status, p).toBe(200)
        expect(body, p).not.toMatch(PROBLEM_PROPERTY)
      } else if (p.startsWith('/tiles/region/') && (p.endsWith('.glb') || p.endsWith('/tileset.json'))) {
        expect(response.status, p).toBe(401)
      } else {
        // The generator's bookkeeping: manifest.json, source.json and the massing summaries.
        expect(response.status, p).toBe(404)
      }
    }
  })
})

describe("a region's tileset", () => {
  it('carries, for a token of the region, every building inside it with the open problems of the database, and none outside', async () => {
    const url = `${server.url}/tiles/region/${DISTRICT}`
    const tileset = await fetch(`${url}/tileset.json`, { headers: bearer(districtToken) })
    expect(tileset.status).toBe(200)
    expect(tileset.headers.get('x-citycheck-tiles')).toBe('fresh')
    expect(tileset.headers.get('vary')).toMatch(/authorization/i)
    const root = ((await tileset.json()) as { root: TileJson }).root
    const tiles = await readTiles(url, root, bearer(districtToken))
    const [region] = await database.rows<{ prefix: string }>(
      sql`select scope_prefix as prefix from regions where code = ${DISTRICT}`,
    )
    const inside = await database.rows<{ id: number; n: number; worst: number | null }>(sql`
      select b.id, count(p.id)::int as n, max(p.severity)::int as worst from buildings b
      left join problems p on p.building_id = b.id and p.state <> 'closed'
      where b.region_code like ${`${region!.prefix}%`} group by b.id order by b.id`)
    const [outside] = await database.rows<{ n: number }>(
      sql`select count(*)::int as n from buildings where region_code not like ${`${region!.prefix}%`}`,
    )
    expect(Number(outside!.n)).toBeGreaterThan(0)
    expect(inside.some((b) => Number(b.n) > 0)).toBe(true)
    expect(leafIds(tiles).sort((a, b) => a - b)).toEqual(inside.map((b) => Number(b.id)))

    const expected = new Map(inside.map((b) => [Number(b.id), b]))
    for (const t of tiles) {
      const ids = Array.from(t.columns.id!)
      ids.forEach((id, row) => {
        if (id === 0) return
        const b = expected.get(id)!
        expect(t.columns.openProblems![row], `building ${id}`).toBe(Number(b.n))
        expect(t.columns.worstSeverity![row], `building ${id}`).toBe(Math.min(3, Number(b.worst ?? 0)))
      })
    }
    expectMassingsCountLeavesBelow(tiles)
    // A token of a region above reads it too.
    const byCity = await fetch(`${url}/tileset.json`, { headers: bearer(cityToken) })
    expect(byCity.status).toBe(200)
    await byCity.arrayBuffer()
  })

  it('answers 401 without a usable token and 403 out of scope, with a zh/en body, on tileset.json and GLBs', async () => {
    const glb = fs
      .readdirSync(path.join(dataDir, 'tiles', 'region', DISTRICT))
      .find((f) => f.endsWith('.glb'))!
    const expired = await tokenFor('city', '310100', { expiresIn: -10 })
    const forged = `${cityToken.slice(0, -4)}AAAA`
    const publicToken = await tokenFor('public')
    const cases: [string, Record<string, string>, number][] = []
    for (const file of ['tileset.json', glb]) {
      const own = `/tiles/region/${DISTRICT}/${file}`
      cases.push(
        [own, {}, 401],
        [own, { authorization: 'Basic abc' }, 401],
        [own, bearer(forged), 401],
        [own, bearer(expired), 401],
        [own, bearer(publicToken), 403],
      )
    }
    cases.push(
      ['/tiles/region/310109/tileset.json', bearer(districtToken), 403],
      ['/tiles/region/310100/tileset.json', bearer(districtToken), 403],
      ['/tiles/region/999999/tileset.json', {}, 401],
      // Only a good token learns that a region does not exist.
      ['/tiles/region/999999/tileset.json', bearer(cityToken), 404],
    )
    for (const [p, headers, status] of cases) {
      const response = await fetch(`${server.url}${p}`, { headers })
      expect(response.status, `${p} ${JSON.stringify(headers)}`).toBe(status)
      expect(response.headers.get('content-type')).toMatch(/^application\/json/)
      const body = (await response.json()) as { message: string; localized: Record<string, string> }
      expect(body.message).toMatch(/[\u4e00-\u9fff].* \/ [A-Za-z]/)
      expect(Object.keys(body.localized).sort()).toEqual(['en', 'zh-CN'])
    }
  })
})

// Last: it changes which buildings are public, so the tilesets built above are out of date after it.
describe('the public tileset, refreshed', () => {
  it('drops a building that stopped being public and adds one that became public, in the same refresh', async () => {
    const url = `${server.url}/tiles/city/tileset.json`
    // At the west and east ends of the city: in different halves of the split root, so in different tiles.
    const [hidden] = await database.rows<{ id: number }>(
      sql`select id from buildings where is_public order by ST_XMin(footprint), id limit 1`,
    )
    const [shown] = await database.rows<{ id: number }>(
      sql`select id from buildings where not is_public order by ST_XMax(footprint) desc, id limit 1`,
    )
    // As many public buildings as before: only the change times tell the refresh what moved.
    await database.rows(sql`update buildings set is_public = not is_public, updated_at = now()
      where id in (${Number(hidden!.id)}, ${Number(shown!.id)})`)
    const before = await tilesRunIds()
    const pending = await fetch(url)
    expect(pending.headers.get('x-citycheck-tiles')).toBe('refreshing')
    await pending.arrayBuffer()
    const queued = [...(await tilesRunIds()).keys()].filter((id) => !before.has(id))
    expect(queued).toHaveLength(1)
    await succeeded(queued[0]!)
    const fresh = await fetch(url)
    expect(fresh.headers.get('x-citycheck-tiles')).toBe('fresh')
    const root = ((await fresh.json()) as { root: TileJson }).root
    const ids = leafIds(await readTiles(`${server.url}/tiles/city`, root, {}))
    const publicIds = await database.rows<{ id: number }>(
      sql`select id from buildings where is_public order by id`,
    )
    expect(ids).not.toContain(Number(hidden!.id))
    expect(ids).toContain(Number(shown!.id))
    expect(ids.sort((a, b) => a - b)).toEqual(publicIds.map((r) => Number(r.id)))
  })
})
