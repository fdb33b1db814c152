/**
 * Static files: the generated 3D Tiles under `/tiles/` (built from the database on first request, brought up to
 * date — only the affected tiles — whenever tileset.json is requested after buildings or problems changed) and the
 * built viewer under `/viewer/` (built with Vite on first request when missing or older than its sources).
 */
import { createReadStream } from 'node:fs'
import { readdir, rename, rm, stat } from 'node:fs/promises'
import type http from 'node:http'
import path from 'node:path'
import { buildCityTileset, cityTilesDir, refreshCityTiles } from '../jobs/tiles/city.ts'
import type { AppContext } from './app-context.ts'
import { PROJECT_ROOT } from './config.ts'

export const VIEWER_ROOT = path.join(PROJECT_ROOT, 'viewer')
export const VIEWER_DIST = path.join(VIEWER_ROOT, 'dist')

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.glb': 'model/gltf-binary',
  '.gltf': 'model/gltf+json',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.ktx2': 'image/ktx2',
  '.xml': 'application/xml',
  '.txt': 'text/plain; charset=utf-8',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.b3dm': 'application/octet-stream',
}

/** Tileset builds in flight, per tiles directory. */
const tileBuilds = new Map<string, Promise<void>>()
let viewerBuild: Promise<void> | null = null

/** True when the request was for `/tiles/` or `/viewer` and has been answered. */
export async function serveStatic(
  app: AppContext,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  pathname: string,
): Promise<boolean> {
  if (pathname === '/viewer') {
    res.writeHead(301, { location: '/viewer/' })
    res.end()
    return true
  }
  if (pathname.startsWith('/tiles/')) {
    await serveTiles(app, req, res, pathname.slice('/tiles/'.length))
    return true
  }
  if (pathname.startsWith('/viewer/')) {
    await ensureViewerBuilt()
    await serveViewer(req, res, pathname.slice('/viewer/'.length))
    return true
  }
  return false
}

async function serveTiles(
  app: AppContext,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  rel: string,
): Promise<void> {
  const root = path.join(app.config.dataDir, 'tiles')
  if (rel === 'city/tileset.json') await refreshCityTileset(app)
  else if (rel.startsWith('city/')) await ensureCityTileset(app)
  const file = safeJoin(root, rel)
  const ext = file ? path.extname(file) : ''
  // manifest.json is the generator's bookkeeping, not part of the tileset.
  if (!file || !(ext === '.json' || ext === '.glb') || path.basename(file) === 'manifest.json') {
    return notFound(res)
  }
  // Tiles are rewritten in place when buildings change: clients always revalidate (cheap 304s via the ETag).
  await sendFile(req, res, file, 'no-cache')
}

/** Builds `<dataDir>/tiles/city/` from the database unless its tileset.json exists. */
export async function ensureCityTileset(app: AppContext): Promise<void> {
  const outDir = cityTilesDir(app.config.dataDir)
  if (await exists(path.join(outDir, 'tileset.json'))) return
  let pending = tileBuilds.get(outDir)
  if (!pending) {
    console.log(`3D Tiles: building the city tileset in ${outDir}`)
    pending = buildCityTileset(app.database, { outDir })
      .then((r) => {
        console.log(
          `3D Tiles: ${r.buildings} buildings in ${r.tiles} tiles (${(r.bytes / 1e6).toFixed(1)} MB) in ${r.seconds.toFixed(1)} s`,
        )
      })
      .finally(() => tileBuilds.delete(outDir))
    tileBuilds.set(outDir, pending)
  }
  await pending
}

/** Rebuilds the tiles of changed buildings (or everything, when needed) before tileset.json is served. */
async function refreshCityTileset(app: AppContext): Promise<void> {
  const outDir = cityTilesDir(app.config.dataDir)
  if (!(await exists(path.join(outDir, 'tileset.json')))) return ensureCityTileset(app)
  const refreshed = await refreshCityTiles(app.database, { outDir })
  if (refreshed.kind === 'updated') {
    const r = refreshed.result
    console.log(
      `3D Tiles: rewrote ${r.rewritten.length} tile(s) for changed buildings in ${r.seconds.toFixed(2)} s`,
    )
  } else if (refreshed.kind === 'built') {
    console.log(`3D Tiles: rebuilt the city tileset (${refreshed.result.tiles} tiles)`)
  }
}

async function serveViewer(req: http.IncomingMessage, res: http.ServerResponse, rel: string): Promise<void> {
  const file = safeJoin(VIEWER_DIST, rel)
  if (!file) return notFound(res)
  const info = await stat(file).catch(() => null)
  if (info?.isFile()) {
    const immutable = rel.startsWith('assets/')
    const cache = immutable ? 'public, max-age=31536000, immutable' : 'public, max-age=3600'
    return sendFile(req, res, file, file.endsWith('.html') ? 'no-cache' : cache)
  }
  // Single-page fallback, but a missing asset is a 404 rather than HTML.
  if (path.extname(rel) && !rel.endsWith('.html')) return notFound(res)
  await sendFile(req, res, path.join(VIEWER_DIST, 'index.html'), 'no-cache')
}

/** Builds `viewer/dist` with Vite when missing or older than the viewer sources. */
export async function ensureViewerBuilt(): Promise<void> {
  if (!viewerBuild) {
    viewerBuild = (async () => {
      const built = await stat(path.join(VIEWER_DIST, 'index.html')).catch(() => null)
      const sources = await newestMtimeMs(VIEWER_ROOT)
      if (built && built.mtimeMs >= sources) return
      console.log(
        `viewer: ${built ? 'sources changed' : 'no build yet'}, building ${VIEWER_DIST} with Vite …`,
      )
      const started = performance.now()
      const staging = `${VIEWER_DIST}.tmp-${process.pid}`
      const { build } = await import('vite')
      await build({
        configFile: path.join(VIEWER_ROOT, 'vite.config.ts'),
        logLevel: 'warn',
        build: { outDir: staging, emptyOutDir: true },
      })
      await rm(VIEWER_DIST, { recursive: true, force: true })
      await rename(staging, VIEWER_DIST)
      console.log(`viewer: built in ${((performance.now() - started) / 1000).toFixed(1)} s`)
    })().catch((error: unknown) => {
      viewerBuild = null
      throw error
    })
  }
  await viewerBuild
}

async function newestMtimeMs(dir: string): Promise<number> {
  let newest = 0
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.name === 'dist' || entry.name.startsWith('dist.tmp-') || entry.name === 'node_modules') continue
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) newest = Math.max(newest, await newestMtimeMs(full))
    else if (entry.isFile()) newest = Math.max(newest, (await stat(full)).mtimeMs)
  }
  return newest
}

/** Resolves a URL path below `root`, or null when it escapes it or is malformed. */
export function safeJoin(root: string, rel: string): string | null {
  let decoded: string
  try {
    decoded = decodeURIComponent(rel)
  } catch {
    return null
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null
  const file = path.resolve(root, `.${path.posix.sep}${decoded}`)
  if (file !== root && !file.startsWith(root + path.sep)) return null
  return file
}

async function sendFile(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  file: string,
  cacheControl: string,
): Promise<void> {
  const info = await stat(file).catch(() => null)
  if (!info?.isFile()) return notFound(res)
  const etag = `W/"${info.size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}"`
  const headers: http.OutgoingHttpHeaders = {
    'content-type': CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
    'cache-control': cacheControl,
    etag,
    'last-modified': info.mtime.toUTCString(),
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD' })
    res.end()
    return
  }
  if (req.headers['if-none-match'] === etag) {
    res.writeHead(304, headers)
    res.end()
    return
  }
  res.writeHead(200, { ...headers, 'content-length': info.size })
  if (req.method === 'HEAD') {
    res.end()
    return
  }
  await new Promise<void>((resolve, reject) => {
    const stream = createReadStream(file)
    stream.on('error', reject)
    res.on('close', resolve)
    stream.pipe(res)
  })
}

function notFound(res: http.ServerResponse): void {
  res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' })
  res.end('Not found')
}

async function exists(file: string): Promise<boolean> {
  return (await stat(file).catch(() => null)) !== null
}
