/**
 * Static files: the generated 3D Tiles under `/tiles/`, the base maps under `/basemap/`, the built viewer under
 * `/viewer/` and the big screen under `/screen/`.
 */
import type http from 'node:http'
import type { AppContext } from './app-context.ts'
import type { TokenVerifier } from './auth/verifier.ts'
import { serveBaseMap } from './static/basemap.ts'
import { serveScreen } from './static/screen.ts'
import { serveTiles } from './static/tiles.ts'
import { serveViewer } from './static/viewer.ts'

export { safeJoin } from './static/files.ts'

/**
 * The server's token verifier (one per server: one revocation list, one cache), for the regions' tiles. The HTTP
 * server registers it here rather than in the app context, which every handler shares.
 */
const verifiers = new WeakMap<AppContext, TokenVerifier>()

export function useTokenVerifier(app: AppContext, verifier: TokenVerifier): void {
  verifiers.set(app, verifier)
}

/** True when the request was for `/tiles/`, `/basemap/`, `/viewer` or `/screen` and has been answered. */
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
    await serveTiles(app, verifiers.get(app), req, res, pathname.slice('/tiles/'.length))
    return true
  }
  if (pathname.startsWith('/basemap/')) {
    await serveBaseMap(app, req, res, pathname.slice('/basemap/'.length))
    return true
  }
  if (pathname.startsWith('/viewer/')) {
    await serveViewer(req, res, pathname.slice('/viewer/'.length))
    return true
  }
  if (pathname === '/screen') {
    res.writeHead(301, { location: '/screen/' })
    res.end()
    return true
  }
  if (pathname.startsWith('/screen/')) {
    await serveScreen(req, res, pathname.slice('/screen/'.length))
    return true
  }
  return false
}
