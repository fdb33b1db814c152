/**
 * The generated 3D Tiles under `/tiles/`, as they are on disk: `/tiles/city/<code>/` is a city's public tileset
 * (public buildings, no problems) open to anyone, `/tiles/city/index.json` lists those cities and `/tiles/city/`
 * itself stands for the default city's (docs/adr/0024); `/tiles/region/<code>/` a region's tileset with its
 * problems, every file of it for a bearer token whose read scope covers the region. A tileset.json request never builds, it queues a
 * tiles run when the database changed since the tileset was written and says so in a header (docs/adr/0006).
 */
import type http from 'node:http'
import path from 'node:path'
import { GraphQLError } from 'graphql'
import sirv, { type RequestHandler } from 'sirv'
import { type CityTilesStatus, defaultCity, refreshTilesIfStale, tiledCities } from '../../jobs/api.ts'
import type { AppContext } from '../app-context.ts'
import { lookupRegion, scopeFor } from '../auth/scope.ts'
import type { TokenVerifier } from '../auth/verifier.ts'
import { notFound, readOnlyMethod, safeJoin, serveMounted } from './files.ts'

/** Response header of tileset.json: `fresh`, `refreshing` (a tiles run is queued or running) or `stale`. */
export const TILES_STATE_HEADER = 'x-citycheck-tiles'

/** Seconds a client should wait before asking again for a tileset that is being built. */
export const TILES_RETRY_AFTER_S = 5

/** `city/<code>/<file>`: a city's public tileset (docs/adr/0024); `region/<code>/<file>`: a region's. Codes are digits. */
const CITY_PATH = /^city\/(\d{1,12})\/(.+)$/
const REGION_PATH = /^region\/(\d{1,12})\/(.+)$/
/** The cities with a public tileset, for the viewer's city chooser. */
const CITY_INDEX = 'city/index.json'

/** One handler per tiles directory; it looks files up on each request, since runs rewrite them in place. */
const handlers = new Map<string, RequestHandler>()

export async function serveTiles(
  app: AppContext,
  verifier: TokenVerifier | undefined,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  requested: string,
): Promise<void> {
  if (!readOnlyMethod(req, res)) return
  if (requested === CITY_INDEX) return serveCityIndex(app, res)
  const rel = await withDefaultCity(app, requested)
  // The old address with no public building anywhere: nothing to build, as for a city without buildings.
  if (rel === null) return answerNotBuilt(res, { built: false, state: 'empty', runId: null })
  const root = path.join(app.config.dataDir, 'tiles')
  const file = safeJoin(root, rel)
  // Only the tileset's own files: manifest.json, source.json and the massing summaries are the generator's.
  if (!file || !(path.basename(file) === 'tileset.json' || path.extname(file) === '.glb'))
    return notFound(res)
  const region = REGION_PATH.exec(rel)
  const city = CITY_PATH.exec(rel)
  // Nothing else under /tiles/ is served: a city's public tileset is open, a region's needs its check.
  if (!region && !city) return notFound(res)
  const code = (region ?? city)![1]!
  // The file must lie in that tileset's directory, whatever the path held (`..` resolved by safeJoin).
  if (!file.startsWith(path.join(root, region ? 'region' : 'city', code) + path.sep)) return notFound(res)
  if (!(await tiledPerCity(app, res, code, city !== null))) return
  if (region && !(await mayReadRegion(app, verifier, req, res, code))) return
  if (rel === `${region ? 'region' : 'city'}/${code}/tileset.json`) {
    const status = await refreshTilesIfStale(app.database, app.jobs, {
      dataDir: app.config.dataDir,
      ...(region ? { regionCode: code } : { cityCode: code }),
      requestedBy: 'tileset.json request',
    })
    if (!status.built) return answerNotBuilt(res, status)
    if (status.state === 'stale') warnReadOnly()
    res.setHeader(TILES_STATE_HEADER, status.state === 'empty' ? 'stale' : status.state)
  }
  // Every answer may differ by token: a shared cache must not hand a region's tiles to another caller.
  if (region) res.setHeader('vary', 'authorization')
  let handler = handlers.get(root)
  if (!handler) {
    // dev: no listing taken once at start; etag: rewritten tiles are revalidated (no-cache) and come back fresh.
    handler = sirv(root, { dev: true, etag: true, extensions: [] })
    handlers.set(root, handler)
  }
  await serveMounted(handler, req, res, rel)
}

/**
 * The old single public tileset, `/tiles/city/<file>`, now stands for the default city's (docs/adr/0024): its
 * tileset.json names its tiles relatively, so they resolve under the same alias. Null: no city to stand for.
 */
async function withDefaultCity(app: AppContext, rel: string): Promise<string | null> {
  if (!rel.startsWith('city/') || CITY_PATH.test(rel)) return rel
  const city = await defaultCity(app.database)
  return city ? `city/${city}/${rel.slice('city/'.length)}` : null
}

/**
 * Tiles are cut per city: a city's public tileset must name a city-level region, and a region's tileset a city or
 * a region below one (a province's tiles are those of its cities, which the viewer loads one by one). Otherwise
 * answered here with 404.
 */
async function tiledPerCity(
  app: AppContext,
  res: http.ServerResponse,
  code: string,
  publicCity: boolean,
): Promise<boolean> {
  const region = await lookupRegion(app.database, code)
  if (publicCity ? region?.level === 'city' : region?.level !== 'province') return true
  if (publicCity) {
    answer(
      res,
      404,
      `${code} 不是市级行政区划，没有公开三维瓦片`,
      `${code} is not a city, it has no public 3D Tiles`,
    )
  } else {
    answer(
      res,
      404,
      `三维瓦片按城市生成：请读取 /tiles/region/<市级代码>/`,
      `3D Tiles are cut per city: read /tiles/region/<city code>/`,
    )
  }
  return false
}

/** `{ defaultCity, cities: [{ code, name, nameEn, buildings, tileset }] }`: the cities with public buildings. */
async function serveCityIndex(app: AppContext, res: http.ServerResponse): Promise<void> {
  const [cities, fallback] = await Promise.all([
    tiledCities(app.database, { publicOnly: true }),
    defaultCity(app.database),
  ])
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-cache' })
  res.end(
    JSON.stringify({
      defaultCity: fallback,
      cities: cities.map((c) => ({ ...c, tileset: `/tiles/city/${c.code}/tileset.json` })),
    }),
  )
}

/**
 * Whether the request's bearer token may read the region's tileset: its read scope (the same as for GraphQL,
 * server/auth/scope.ts) must hold the whole region. Otherwise answered here: 401 without a usable token, 403 out
 * of scope, 404 for an unknown region (only once the token is good, so codes cannot be probed without one).
 */
async function mayReadRegion(
  app: AppContext,
  verifier: TokenVerifier | undefined,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  code: string,
): Promise<boolean> {
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1]
  if (!bearer) {
    answer(
      res,
      401,
      '区域三维瓦片需要登录凭证（Authorization: Bearer）',
      "a region's 3D Tiles need a bearer token",
    )
    return false
  }
  if (!verifier) {
    answer(res, 503, '此服务器不能验证登录凭证', 'this server cannot verify bearer tokens')
    return false
  }
  try {
    const scope = await scopeFor(await verifier.verify(bearer), app.database)
    const region = await lookupRegion(app.database, code)
    if (scope.kind === 'region' && region?.prefix.startsWith(scope.prefix)) return true
    if (scope.kind === 'region' && !region) {
      answer(res, 404, `没有行政区划 ${code}`, `there is no region ${code}`)
      return false
    }
    answer(res, 403, `登录凭证的读取范围不包括区域 ${code}`, `the bearer token may not read region ${code}`)
    return false
  } catch (error) {
    if (!(error instanceof GraphQLError)) throw error
    const localized = error.extensions.localized as { 'zh-CN': string; en: string } | undefined
    const status = (error.extensions.http as { status?: number } | undefined)?.status ?? 401
    answer(res, status, localized?.['zh-CN'] ?? error.message, localized?.en ?? error.message)
    return false
  }
}

function answer(res: http.ServerResponse, code: number, zh: string, en: string): void {
  res.writeHead(code, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    ...(code === 401 ? { 'www-authenticate': 'Bearer' } : {}),
  })
  res.end(JSON.stringify({ message: `${zh} / ${en}`, localized: { 'zh-CN': zh, en } }))
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
