import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decodeGlb } from '../../jobs/tiles/glb.ts'
import { loadConfig } from '../../server/config.ts'
import type { Database } from '../../server/db/client.ts'
import { type RunningServer, startHttpServer } from '../../server/http.ts'
import { safeJoin } from '../../server/static.ts'
import { openTestDatabase } from '../helpers/database.ts'

describe('safeJoin', () => {
  const root = path.resolve('/srv/tiles')
  it('resolves paths below the root', () => {
    expect(safeJoin(root, 'city/tileset.json')).toBe(path.join(root, 'city', 'tileset.json'))
    expect(safeJoin(root, 'city/./a/../0-0-0.glb')).toBe(path.join(root, 'city', '0-0-0.glb'))
  })
  it('rejects traversal, encoded or not, and malformed input', () => {
    for (const rel of [
      '../etc/passwd',
      'city/../../x',
      '..%2f..%2fetc/passwd',
      '%2e%2e/x',
      'a%00b',
      '%E0%A4%A',
      'a\\..\\..\\x',
    ]) {
      expect(safeJoin(root, rel), rel).toBeNull()
    }
  })
})

describe('/tiles/ over HTTP', () => {
  let database: Database
  let server: RunningServer
  let dataDir: string

  beforeAll(async () => {
    database = await openTestDatabase()
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'citycheck-static-'))
    server = await startHttpServer({ config: { ...loadConfig(), port: 0, dataDir }, database })
  })

  afterAll(async () => {
    await server?.close()
    await database?.close()
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true })
  })

  it('builds the city tileset on first request and serves it with caching headers', async () => {
    const [a, b] = await Promise.all([
      fetch(`${server.url}/tiles/city/tileset.json`),
      fetch(`${server.url}/tiles/city/tileset.json`),
    ])
    expect(a.status).toBe(200)
    expect(b.status).toBe(200)
    expect(a.headers.get('content-type')).toMatch(/^application\/json/)
    expect(a.headers.get('cache-control')).toBe('no-cache')
    const tileset = (await a.json()) as { asset: { version: string }; root: { children?: unknown[] } }
    expect(tileset.asset.version).toBe('1.1')
    await b.arrayBuffer()
    expect(fs.existsSync(path.join(dataDir, 'tiles', 'city', 'tileset.json'))).toBe(true)

    const etag = a.headers.get('etag')!
    expect(etag).toMatch(/^W\/".+"$/)
    const again = await fetch(`${server.url}/tiles/city/tileset.json`, { headers: { 'if-none-match': etag } })
    expect(again.status).toBe(304)

    const glbName = fs.readdirSync(path.join(dataDir, 'tiles', 'city')).find((f) => f.endsWith('.glb'))!
    const glb = await fetch(`${server.url}/tiles/city/${glbName}`)
    expect(glb.status).toBe(200)
    expect(glb.headers.get('content-type')).toBe('model/gltf-binary')
    expect(glb.headers.get('cache-control')).toBe('no-cache')
    const bytes = new Uint8Array(await glb.arrayBuffer())
    expect(Number(glb.headers.get('content-length'))).toBe(bytes.byteLength)
    expect(decodeGlb(bytes).json.asset.version).toBe('2.0')

    const head = await fetch(`${server.url}/tiles/city/${glbName}`, { method: 'HEAD' })
    expect(head.status).toBe(200)
    expect(head.headers.get('content-length')).toBe(String(bytes.byteLength))
  })

  it('rewrites the tiles of a building whose problems changed when tileset.json is requested again', async () => {
    const before = await fetch(`${server.url}/tiles/city/tileset.json`)
    await before.arrayBuffer()
    const [b] = await database.rows<{ id: number; region_code: string }>(
      sql`select id, region_code from buildings order by id limit 1`,
    )
    await database.rows(sql`
      insert into problems (region_code, type, title, building_id, severity, source, year_found, state)
      values (${b!.region_code}, 'safety', 'test', ${b!.id}, 3, 'survey', 2025, 'identified')`)
    await new Promise((r) => setTimeout(r, 5))
    const after = await fetch(`${server.url}/tiles/city/tileset.json`, {
      headers: { 'if-none-match': before.headers.get('etag')! },
    })
    expect(after.status).toBe(200)
    expect(after.headers.get('etag')).not.toBe(before.headers.get('etag'))
    await after.arrayBuffer()
  })

  it('answers 404 for traversal, bookkeeping files and missing tiles', async () => {
    fs.writeFileSync(path.join(dataDir, 'secret.json'), '{}')
    for (const p of [
      '/tiles/../secret.json',
      '/tiles/%2e%2e/secret.json',
      '/tiles/city/..%2f..%2fsecret.json',
      '/tiles/city/manifest.json',
      '/tiles/city/9-9-9.glb',
      '/tiles/city/',
    ]) {
      const response = await fetch(`${server.url}${p}`)
      expect(response.status, p).toBe(404)
      await response.arrayBuffer()
    }
  })
})
