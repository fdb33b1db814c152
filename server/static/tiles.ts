/**
 * The generated 3D Tiles under `/tiles/`, as they are on disk: a tileset.json request never builds, it queues a
 * tiles run when the database changed since the tileset was written and says so in a header (docs/adr/0006).
 */
import type http from 'node:http'
import path from 'node:path'
import sirv, { type RequestHandler } from 'sirv'
import { type CityTilesStatus, refreshTilesIfStale } from '../../jobs/api.ts'
import type { AppContext } from '../app-context.ts'
import { notFound, readOnlyMethod, safeJoin, serveMounted } from './files.ts'

/** Response header of tileset.json: `fresh`, `refreshing` (a tiles run is queued or running) or `stale`. */
export const TILES_STATE_HEADER = 'x-citycheck-tiles'

/** Seconds a client should wait before asking again for a tileset that is being built. */
export const TILES_RETRY_AFTER_S = 5

const CITY_TILESET = 'city/tileset.json'

/** One handler per tiles directory; it looks files up on each request, since runs rewrite them in place. */
const handlers = new Map<string, RequestHandler>()

export async function serveTiles(
  app: AppContext,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  rel: string,
): Promise<void> {
  if (!readOnlyMethod(req, res)) return
  const root = path.join(app.config.dataDir, 'tiles')
  const file = safeJoin(root, rel)
  // Only the tileset's own files: manifest.json, source.json and the massing summaries are the generator's.
  if (!file || !(path.basename(file) === 'tileset.json' || path.extname(file) === '.glb'))
    return notFound(res)
  if (rel === CITY_TILESET) {
    const status = await refreshTilesIfStale(app.database, app.jobs, {
      dataDir: app.config.dataDir,
      requestedBy: 'tileset.json request',
    })
    if (!status.built) return answerNotBuilt(res, status)
    if (status.state === 'stale') warnReadOnly()
    res.setHeader(TILES_STATE_HEADER, status.state === 'empty' ? 'stale' : status.state)
  }
  let handler = handlers.get(root)
  if (!handler) {
    // dev: no listing taken once at start; etag: rewritten tiles are revalidated (no-cache) and come back fresh.
    handler = sirv(root, { dev: true, etag: true, extensions: [] })
    handlers.set(root, handler)
  }
  await serveMounted(handler, req, res, rel)
}

/** No tileset.json to serve: being built (503, ask again later), nothing to build, or nothing here to build it. */
function answerNotBuilt(res: http.ServerResponse, status: CityTilesStatus): void {
  const answers = {
    refreshing: {
      code: 503,
      headers: { 'retry-after': String(TILES_RETRY_AFTER_S), [TILES_STATE_HEADER]: 'refreshing' },
      zh: '三维瓦片正在生成，请稍后重试',
      en: 'the 3D Tiles are being generated, retry shortly',
    },
    empty: {
      code: 404,
      headers: {},
      zh: '尚未导入建筑，没有三维瓦片',
      en: 'no buildings imported yet, so there are no 3D Tiles',
    },
    stale: {
      code: 503,
      headers: { [TILES_STATE_HEADER]: 'stale' },
      zh: '此服务器没有任务执行器，不能生成三维瓦片',
      en: 'this server has no job runner, so it cannot generate the 3D Tiles',
    },
  }
  // Never fresh here: only a written tileset has a saved source state to be fresh against.
  const { code, headers, zh, en } = answers[status.state === 'fresh' ? 'refreshing' : status.state]
  if (status.state === 'stale') warnReadOnly()
  res.writeHead(code, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    ...headers,
  })
  res.end(JSON.stringify({ message: `${zh} / ${en}`, localized: { 'zh-CN': zh, en } }))
}

let warned = false

function warnReadOnly(): void {
  if (warned) return
  warned = true
  console.warn('3D Tiles: out of date, and this server has no job runner to refresh them (read-only)')
}
