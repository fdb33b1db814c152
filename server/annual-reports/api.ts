/**
 * `GET /api/annual-reports/<file id>` with a bearer token: a report file (DOCX or PDF) a report run wrote, for a
 * caller whose scope holds the report's region and whose role may read reports.
 */
import fs from 'node:fs'
import type http from 'node:http'
import path from 'node:path'
import { sql } from 'drizzle-orm'
import {
  allowMethods,
  answeringRefusals,
  attachmentDisposition,
  HttpError,
  requestContext,
} from '../api/request.ts'
import type { AppContext } from '../app-context.ts'
import { authorize } from '../auth/permissions.ts'
import type { TokenVerifier } from '../auth/verifier.ts'

export const REPORT_FILES_PREFIX = '/api/annual-reports/'

const MEDIA_TYPES: Record<string, string> = {
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  pdf: 'application/pdf',
}

export const isReportFilePath = (pathname: string) => pathname.startsWith(REPORT_FILES_PREFIX)

export async function serveReportFile(
  app: AppContext,
  verifier: TokenVerifier | undefined,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  url: URL,
  requestId: string,
): Promise<void> {
  await answeringRefusals(res, async () => {
    allowMethods(req, res, ['GET', 'HEAD'])
    const id = url.pathname.slice(REPORT_FILES_PREFIX.length)
    const missing = new HttpError(
      404,
      `报告文件 ${id.slice(0, 20)} 不存在`,
      `There is no report file ${id.slice(0, 20)}`,
    )
    if (!/^\d{1,9}$/.test(id)) throw missing
    const context = await requestContext(app, verifier, req, requestId)
    authorize(context.identity, context.scope, 'report.read')
    const [file] = await context.database.rows<{
      regionCode: string
      format: string
      fileName: string
      path: string
    }>(
      sql`select region_code as "regionCode", format, file_name as "fileName", path from annual_reports where id = ${Number(id)}`,
    )
    if (!file) throw missing
    // Out of scope answers as a missing file: a refusal never tells that a file exists.
    authorize(context.identity, context.scope, 'report.read', { regionCode: file.regionCode })
    const root = path.resolve(app.config.dataDir)
    const full = path.resolve(root, file.path)
    if (!full.startsWith(`${root}${path.sep}`) || !fs.existsSync(full)) throw missing
    const size = fs.statSync(full).size
    res.writeHead(200, {
      'content-type': MEDIA_TYPES[file.format] ?? 'application/octet-stream',
      'content-length': String(size),
      'content-disposition': attachmentDisposition(file.fileName),
      'cache-control': 'private, no-store',
      'x-content-type-options': 'nosniff',
    })
    if (req.method === 'HEAD') {
      res.end()
      return
    }
    await new Promise<void>((resolve, reject) => {
      fs.createReadStream(full).on('error', reject).pipe(res).on('finish', resolve).on('error', reject)
    })
  })
}
