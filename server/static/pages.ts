/**
 * A page built with Vite (the viewer under `/viewer/`, the big screen under `/screen/`): built on the first
 * request when its build is missing or older than its sources, then served with sirv from `<root>/dist`.
 */
import { readdir, rename, rm, stat } from 'node:fs/promises'
import type http from 'node:http'
import path from 'node:path'
import sirv, { type RequestHandler } from 'sirv'
import { readOnlyMethod, serveMounted } from './files.ts'

export interface BuiltPage {
  readonly dist: string
  /** Answers `rel` (below the page's mount point), building the page first if need be. */
  serve(req: http.IncomingMessage, res: http.ServerResponse, rel: string): Promise<void>
  /** Builds `dist` with Vite when missing or older than the sources. */
  ensureBuilt(): Promise<void>
}

/**
 * @param name for the log lines
 * @param root the page's directory, holding `vite.config.ts`
 * @param sources the directories whose files go into the build (the root, and any it imports from)
 */
export function builtPage(name: string, root: string, sources: readonly string[] = [root]): BuiltPage {
  const dist = path.join(root, 'dist')
  let build: Promise<void> | null = null
  let files: Promise<RequestHandler> | null = null
  const ensureBuilt = async () => {
    build ??= buildIfStale(name, root, dist, sources).catch((error: unknown) => {
      build = null
      throw error
    })
    await build
  }
  return {
    dist,
    ensureBuilt,
    async serve(req, res, rel) {
      if (!readOnlyMethod(req, res)) return
      // The build is done once per process, so the listing of its files is taken once, after it.
      files ??= ensureBuilt().then(() =>
        sirv(dist, {
          etag: true,
          // Routes fall back to index.html; a path with an extension (a missing asset) is a 404, not HTML.
          // sirv's own test for an extension misses names with URL escapes in them.
          single: true,
          ignores: [/\.[^/]*$/],
          setHeaders: (response, pathname) => response.setHeader('cache-control', cachePolicy(pathname)),
        }),
      )
      const handler = await files.catch((error: unknown) => {
        files = null
        throw error
      })
      await serveMounted(handler, req, res, rel)
    },
  }
}

/** Hashed assets never change; HTML (and the routes answered by it) is revalidated; the rest for an hour. */
function cachePolicy(pathname: string): string {
  if (pathname.startsWith('/assets/')) return 'public, max-age=31536000, immutable'
  const ext = path.posix.extname(pathname)
  return ext === '' || ext === '.html' ? 'no-cache' : 'public, max-age=3600'
}

async function buildIfStale(
  name: string,
  root: string,
  dist: string,
  sources: readonly string[],
): Promise<void> {
  const built = await stat(path.join(dist, 'index.html')).catch(() => null)
  let newest = 0
  for (const dir of sources) newest = Math.max(newest, await newestMtimeMs(dir))
  if (built && built.mtimeMs >= newest) return
  console.log(`${name}: ${built ? 'sources changed' : 'no build yet'}, building ${dist} with Vite …`)
  const started = performance.now()
  const staging = `${dist}.tmp-${process.pid}`
  const { build } = await import('vite')
  await build({
    configFile: path.join(root, 'vite.config.ts'),
    logLevel: 'warn',
    build: { outDir: staging, emptyOutDir: true },
  })
  await rm(dist, { recursive: true, force: true })
  await rename(staging, dist)
  console.log(`${name}: built in ${((performance.now() - started) / 1000).toFixed(1)} s`)
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
