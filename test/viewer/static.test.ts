import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
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

describe('/viewer/ over HTTP', () => {
  let database: Database
  let server: RunningServer

  beforeAll(async () => {
    database = await openTestDatabase()
    server = await startHttpServer({ config: { ...loadConfig(), port: 0 }, database })
  })

  afterAll(async () => {
    await server?.close()
    await database?.close()
  })

  it('serves the page to revalidate, hashed assets as immutable, and routes from the page', async () => {
    const moved = await fetch(`${server.url}/viewer`, { redirect: 'manual' })
    expect(moved.status).toBe(301)
    expect(moved.headers.get('location')).toBe('/viewer/')
    const page = await fetch(`${server.url}/viewer/`)
    expect(page.status).toBe(200)
    expect(page.headers.get('content-type')).toMatch(/^text\/html/)
    expect(page.headers.get('cache-control')).toBe('no-cache')
    const html = await page.text()
    const route = await fetch(`${server.url}/viewer/districts/310101`)
    expect(route.headers.get('cache-control')).toBe('no-cache')
    expect(await route.text()).toBe(html)

    const asset = /src="\/viewer\/(assets\/[^"]+\.js)"/.exec(html)?.[1]
    expect(asset, 'the page loads a hashed script').toBeDefined()
    const script = await fetch(`${server.url}/viewer/${asset}`)
    expect(script.status).toBe(200)
    expect(script.headers.get('content-type')).toMatch(/^text\/javascript/)
    expect(script.headers.get('cache-control')).toBe('public, max-age=31536000, immutable')
    const etag = script.headers.get('etag')!
    await script.arrayBuffer()
    expect(
      (await fetch(`${server.url}/viewer/${asset}`, { headers: { 'if-none-match': etag } })).status,
    ).toBe(304)
  })

  it('answers 404 for a missing asset and for traversal, and 405 for other methods', async () => {
    for (const p of [
      '/viewer/assets/missing-0000.js',
      '/viewer/..%2f..%2fpackage.json',
      '/viewer/%2e%2e/package.json',
    ]) {
      const response = await fetch(`${server.url}${p}`)
      expect(response.status, p).toBe(404)
      expect(response.headers.get('content-type'), p).not.toMatch(/html/)
      await response.arrayBuffer()
    }
    const post = await fetch(`${server.url}/viewer/`, { method: 'POST', body: '' })
    expect(post.status).toBe(405)
    await post.arrayBuffer()
  })
})
