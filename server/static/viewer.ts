/** The built viewer under `/viewer/`, built with Vite on first request when missing or older than its sources. */
import { readdir, rename, rm, stat } from 'node:fs/promises'
import type http from 'node:http'
import path from 'node:path'
import sirv, { type RequestHandler } from 'sirv'
import { PROJECT_ROOT } from '../config.ts'
import { readOnlyMethod, serveMounted } from './files.ts'

export const VIEWER_ROOT = path.join(PROJECT_ROOT, 'viewer')
export const VIEWER_DIST = path.join(VIEWER_ROOT, 'dist')

let viewerBuild: Promise<void> | null = null
let viewerFiles: Promise<RequestHandler> | null = null

export async function serveViewer(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  rel: string,
): Promise<void> {
  if (!readOnlyMethod(req, res)) return
  // The build is done once per process, so the listing of its files is taken once, after it.
  viewerFiles ??= ensureViewerBuilt().then(() =>
    sirv(VIEWER_DIST, {
      etag: true,
      // Routes fall back to index.html; a path with an extension (a missing asset) is a 404, not HTML. sirv's own
      // test for an extension misses names with URL escapes in them.
      single: true,
      ignores: [/\.[^/]*$/],
      setHeaders: (response, pathname) => response.setHeader('cache-control', cachePolicy(pathname)),
    }),
  )
  const handler = await viewerFiles.catch((error: unknown) => {
    viewerFiles = null
    throw error
  })
  await serveMounted(handler, req, res, rel)
}

/** Hashed assets never change; HTML (and the routes answered by it) is revalidated; the rest for an hour. */
function cachePolicy(pathname: string): string {
  if (pathname.startsWith('/assets/')) return 'public, max-age=31536000, immutable'
  const ext = path.posix.extname(pathname)
  return ext === '' || ext === '.html' ? 'no-cache' : 'public, max-age=3600'
}

/** Builds `viewer/dist` with Vite when missing or older than the viewer sources. */
export async function ensureViewerBuilt(): Promise<void> {
  viewerBuild ??= buildViewerIfStale().catch((error: unknown) => {
    viewerBuild = null
    throw error
  })
  await viewerBuild
}

async function buildViewerIfStale(): Promise<void> {
  const built = await stat(path.join(VIEWER_DIST, 'index.html')).catch(() => null)
  const sources = await newestMtimeMs(VIEWER_ROOT)
  if (built && built.mtimeMs >= sources) return
  console.log(`viewer: ${built ? 'sources changed' : 'no build yet'}, building ${VIEWER_DIST} with Vite …`)
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
