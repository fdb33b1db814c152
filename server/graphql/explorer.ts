/**
 * The API explorer served at GET /graphql to browsers: GraphiQL, built with the viewer (viewer/explorer/,
 * Vite) so that it works offline, on an intranet or behind a government network's egress rules — Apollo's own
 * landing pages load from a CDN. Documentation and completion come from introspection of the schema.
 */
import { readFile } from 'node:fs/promises'
import type http from 'node:http'
import path from 'node:path'
import { ensureViewerBuilt, VIEWER_DIST } from '../static/viewer.ts'

export const EXPLORER_HTML = path.join(VIEWER_DIST, 'explorer.html')

/** Answers with the explorer's page (its scripts and styles are under /viewer/assets/). */
export async function serveExplorer(res: http.ServerResponse): Promise<void> {
  await ensureViewerBuilt()
  const html = await readFile(EXPLORER_HTML)
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache' })
  res.end(html)
}
