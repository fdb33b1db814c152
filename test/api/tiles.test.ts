import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { createProcessors } from '../../jobs/processors.ts'
import { InProcessRunner } from '../../jobs/runs/in-process.ts'
import { decodeGlb, readBufferView } from '../../jobs/tiles/glb.ts'
import { loadConfig } from '../../server/config.ts'
import type { Database } from '../../server/db/client.ts'
import { type RunningServer, startHttpServer } from '../../server/http.ts'
import { openTestDatabase } from '../helpers/database.ts'
import { TEST_JWT_SECRET, tokenFor } from './helpers/api.ts'

const STATE_HEADER = 'x-citycheck-tiles'

let database: Database
let runner: InProcessRunner
let server: RunningServer
let token: string
const dataDirs: string[] = []

function tempDataDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'citycheck-tiles-http-'))
  dataDirs.push(dir)
  return dir
}

function serve(db: Database, dataDir: string, jobs?: InProcessRunner): Promise<RunningServer> {
  const config = { ...loadConfig({}), port: 0, host: '127.0.0.1', jwtSecret: TEST_JWT_SECRET, dataDir }
  return startHttpServer({ config, database: db, ...(jobs ? { jobs } : {}) })
}

beforeAll(async () => {
  database = await openTestDatabase()
  runner = new InProcessRunner(database, createProcessors(), { onError: () => {} })
  server = await serve(database, tempDataDir(), runner)
  token = await tokenFor('city', '310100')
})

afterAll(async () => {
  await server?.close()
  await runner?.close()
  await database?.close()
  for (const dir of dataDirs) fs.rmSync(dir, { recursive: true, force: true })
})

interface RunView {
  databaseId: number
  kind: string
  state: string
  regionCode: string
}

/** The tiles runs `diagnosticRuns` lists to city staff, newest first. */
async function tilesRuns(): Promise<RunView[]> {
  const response = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: '{ diagnosticRuns(limit: 100) { databaseId kind state regionCode } }' }),
  })
  const body = (await response.json()) as { data?: { diagnosticRuns: RunView[] }; errors?: unknown }
  expect(body.errors).toBeUndefined()
  return body.data!.diagnosticRuns.filter((r) => r.kind === 'tiles')
}

/** Polls `diagnosticRuns` until the run has succeeded or failed: its state. */
async function finalState(runId: number): Promise<string> {
  for (let i = 0; i < 1500; i++) {
    const state = (await tilesRuns()).find((r) => r.databaseId === runId)?.state
    if (state === 'succeeded' || state === 'failed') return state
    await new Promise((r) => setTimeout(r, 200))
  }
  throw new Error(`tiles run ${runId} did not finish`)
}

const tileset = (headers: Record<string, string> = {}) =>
  fetch(`${server.url}/tiles/city/tileset.json`, { headers })

/** A file of the city's own tileset (with problems), read with the city token. */
const cityFile = (file: string, headers: Record<string, string> = {}) =>
  fetch(`${server.url}/tiles/region/310100/${file}`, {
    headers: { authorization: `Bearer ${token}`, ...headers },
  })

/** Building id → worst open-problem severity, from a leaf GLB's property table (massings have no ids). */
function severities(bytes: Uint8Array): Map<number, number> {
  const glb = decodeGlb(bytes)
  const properties = glb.json.extensions.EXT_structural_metadata.propertyTables[0].properties
  const ids = readBufferView(glb, properties.id.values, 5125) as Uint32Array
  const worst = readBufferView(glb, properties.worstSeverity.values, 5121) as Uint8Array
  return new Map(Array.from(ids, (id, i) => [id, worst[i]!]))
}

describe('/tiles/ over HTTP', () => {
  it('answers the first requests on an empty data dir with 503 and Retry-After, and queues one run for them', async () => {
    const answers = await Promise.all([tileset(), tileset()])
    for (const response of answers) {
      expect(response.status).toBe(503)
      expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0)
      expect(response.headers.get(STATE_HEADER)).toBe('refreshing')
      expect(response.headers.get('content-type')).toMatch(/^application\/json/)
      const body = (await response.json()) as { message: string; localized: Record<string, string> }
      expect(body.message).toMatch(/三维瓦片.* \/ .*3D Tiles/)
      expect(Object.keys(body.localized).sort()).toEqual(['en', 'zh-CN'])
    }
    const runs = await tilesRuns()
    expect(runs).toHaveLength(1)
    expect(runs[0]).toMatchObject({ kind: 'tiles', regionCode: '310100' })
    expect(await finalState(runs[0]!.databaseId)).toBe('succeeded')

    const built = await tileset()
    expect(built.status).toBe(200)
    expect(built.headers.get(STATE_HEADER)).toBe('fresh')
    expect(built.headers.get('content-type')).toMatch(/^application\/json/)
    expect(built.headers.get('cache-control')).toBe('no-cache')
    expect(((await built.json()) as { asset: { version: string } }).asset.version).toBe('1.1')
    const etag = built.headers.get('etag')!
    expect(etag).toMatch(/^W\/".+"$/)
    const again = await tileset({ 'if-none-match': etag })
    expect(again.status).toBe(304)
    expect(again.headers.get(STATE_HEADER)).toBe('fresh')
    // Up to date: nothing more was queued.
    expect(await tilesRuns()).toHaveLength(1)
  })

  it('serves the GLBs with revalidation, to GET and HEAD only', async () => {
    const dir = path.join(dataDirs[0]!, 'tiles', 'city', '310100')
    const glbName = fs.readdirSync(dir).find((f) => f.endsWith('.glb'))!
    const glb = await fetch(`${server.url}/tiles/city/${glbName}`)
    expect(glb.status).toBe(200)
    expect(glb.headers.get('content-type')).toBe('model/gltf-binary')
    expect(glb.headers.get('cache-control')).toBe('no-cache')
    const bytes = new Uint8Array(await glb.arrayBuffer())
    expect(Number(glb.headers.get('content-length'))).toBe(bytes.byteLength)
    expect(decodeGlb(bytes).json.asset.version).toBe('2.0')
    const revalidated = await fetch(`${server.url}/tiles/city/${glbName}`, {
      headers: { 'if-none-match': glb.headers.get('etag')! },
    })
    expect(revalidated.status).toBe(304)

    const head = await fetch(`${server.url}/tiles/city/${glbName}`, { method: 'HEAD' })
    expect(head.status).toBe(200)
    expect(head.headers.get('content-length')).toBe(String(bytes.byteLength))
    const post = await fetch(`${server.url}/tiles/city/${glbName}`, { method: 'POST', body: '{}' })
    expect(post.status).toBe(405)
    expect(post.headers.get('allow')).toBe('GET, HEAD')
    await post.arrayBuffer()
  })

  it('queues a refresh of the city tileset when a problem changed, serves the old one meanwhile, then the rewritten tiles', async () => {
    // The first request for the city's tileset queues its first build.
    const known = new Set((await tilesRuns()).map((r) => r.databaseId))
    const first = await cityFile('tileset.json')
    expect(first.status).toBe(503)
    expect(first.headers.get(STATE_HEADER)).toBe('refreshing')
    await first.arrayBuffer()
    const build = (await tilesRuns()).filter((r) => !known.has(r.databaseId))
    expect(build).toHaveLength(1)
    expect(await finalState(build[0]!.databaseId)).toBe('succeeded')

    const before = await cityFile('tileset.json')
    await before.arrayBuffer()
    expect(before.status).toBe(200)
    expect(before.headers.get(STATE_HEADER)).toBe('fresh')
    const [building] = await database.rows<{ id: number; region_code: string }>(
      sql`select id, region_code from buildings
        where id not in (select building_id from problems where building_id is not null) order by id limit 1`,
    )
    const id = Number(building!.id)
    const dir = path.join(dataDirs[0]!, 'tiles', 'region', '310100')
    const leafName = fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.glb'))
      .find((f) => severities(fs.readFileSync(path.join(dir, f))).has(id))!
    const leafBefore = await cityFile(leafName)
    expect(severities(new Uint8Array(await leafBefore.arrayBuffer())).get(id)).toBe(0)
    const earlier = new Set((await tilesRuns()).map((r) => r.databaseId))

    await database.rows(sql`
      insert into problems (region_code, type, title, building_id, severity, source, year_found, state)
      values (${building!.region_code}, 'safety', 'test', ${id}, 3, 'survey', 2025, 'identified')`)
    const pending = await cityFile('tileset.json', { 'if-none-match': before.headers.get('etag')! })
    await pending.arrayBuffer()
    expect(pending.headers.get(STATE_HEADER)).toBe('refreshing')
    // What exists is served, never built inline.
    expect([200, 304]).toContain(pending.status)
    const refresh = (await tilesRuns()).filter((r) => !earlier.has(r.databaseId))
    expect(refresh).toHaveLength(1)
    expect(refresh[0]!.kind).toBe('tiles')
    expect(await finalState(refresh[0]!.databaseId)).toBe('succeeded')

    const after = await cityFile('tileset.json', { 'if-none-match': before.headers.get('etag')! })
    expect(after.status).toBe(200)
    expect(after.headers.get(STATE_HEADER)).toBe('fresh')
    expect(after.headers.get('etag')).not.toBe(before.headers.get('etag'))
    await after.arrayBuffer()
    const leafAfter = await cityFile(leafName, { 'if-none-match': leafBefore.headers.get('etag')! })
    expect(leafAfter.status).toBe(200)
    expect(severities(new Uint8Array(await leafAfter.arrayBuffer())).get(id)).toBe(3)
  })

  it('answers 404 for traversal, the generator bookkeeping and missing tiles', async () => {
    const dataDir = dataDirs[0]!
    fs.writeFileSync(path.join(dataDir, 'secret.json'), '{}')
    const summaries = path.join(dataDir, 'tiles', 'city', '310100', 'massings')
    const summary = fs.existsSync(summaries) ? fs.readdirSync(summaries)[0] : undefined
    for (const p of [
      '/tiles/../secret.json',
      '/tiles/%2e%2e/secret.json',
      '/tiles/city/..%2f..%2fsecret.json',
      '/tiles/city/manifest.json',
      '/tiles/city/source.json',
      ...(summary ? [`/tiles/city/massings/${summary}`] : []),
      '/tiles/city/9-9-9.glb',
      '/tiles/city/',
    ]) {
      const response = await fetch(`${server.url}${p}`)
      expect(response.status, p).toBe(404)
      await response.arrayBuffer()
    }
  })
})

describe('/tiles/ on a server without a job runner', () => {
  it('serves the tileset that exists, saying it is stale, and never builds one', async () => {
    const readOnly = await serve(database, dataDirs[0]!)
    const empty = tempDataDir()
    const readOnlyEmpty = await serve(database, empty)
    const warned = vi.spyOn(console, 'warn').mockImplementation(() => {})
    try {
      const runs = (await tilesRuns()).length
      // A building edit (problems are not in the public tileset, so they would not make it stale).
      await database.rows(sql`
        update buildings set floors = coalesce(floors, 0) + 1, updated_at = now()
        where id = (select max(id) from buildings)`)
      const stale = await fetch(`${readOnly.url}/tiles/city/tileset.json`)
      expect(stale.status).toBe(200)
      expect(stale.headers.get(STATE_HEADER)).toBe('stale')
      await stale.arrayBuffer()

      const none = await fetch(`${readOnlyEmpty.url}/tiles/city/tileset.json`)
      expect(none.status).toBe(503)
      expect(none.headers.get(STATE_HEADER)).toBe('stale')
      expect(((await none.json()) as { message: string }).message).toMatch(/任务执行器.* \/ .*no job runner/)
      expect(await tilesRuns()).toHaveLength(runs)
      expect(fs.readdirSync(empty)).toEqual([])
      expect(String(warned.mock.calls.flat())).toMatch(/no job runner/)
    } finally {
      warned.mockRestore()
      await readOnly.close()
      await readOnlyEmpty.close()
    }
  })
})

// Last: it deletes every building.
describe('/tiles/ without buildings', () => {
  it('answers 404 with a reason, and queues nothing, when there are no buildings to tile', async () => {
    await database.rows(sql`delete from buildings`)
    const blank = await serve(database, tempDataDir(), runner)
    try {
      const runs = (await tilesRuns()).length
      const response = await fetch(`${blank.url}/tiles/city/tileset.json`)
      expect(response.status).toBe(404)
      expect(((await response.json()) as { message: string }).message).toMatch(
        /尚未导入建筑.* \/ .*no buildings/,
      )
      expect(await tilesRuns()).toHaveLength(runs)
    } finally {
      await blank.close()
    }
  })
})
