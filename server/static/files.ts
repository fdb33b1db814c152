/** Files from a directory through sirv, mounted below a URL prefix; GET and HEAD only. */
import type http from 'node:http'
import path from 'node:path'
import type { Readable } from 'node:stream'
import type { RequestHandler } from 'sirv'

/** False (and a 405 sent) unless the request is a GET or a HEAD. */
export function readOnlyMethod(req: http.IncomingMessage, res: http.ServerResponse): boolean {
  if (req.method === 'GET' || req.method === 'HEAD') return true
  res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' })
  res.end('Method not allowed')
  return false
}

/**
 * Serves `rel` (still URL-encoded, below the mount point) with `handler`, or a 404 when it has no such file. The
 * handler reads paths from `req.url`, so it is given the part below the mount.
 */
export function serveMounted(
  handler: RequestHandler,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  rel: string,
): Promise<void> {
  req.url = `/${rel}`
  // sirv pipes the file without an error listener: a tile deleted between its lookup and the open would
  // otherwise throw out of the process instead of failing this one response.
  res.once('pipe', (source: Readable) => source.once('error', () => res.destroy()))
  return new Promise<void>((resolve) => {
    res.once('close', resolve)
    handler(req, res, () => {
      notFound(res)
    })
  })
}

export function notFound(res: http.ServerResponse): void {
  res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' })
  res.end('Not found')
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
