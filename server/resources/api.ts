/**
 * The stock-resource endpoints under `/api/`: a department's file import (upload.ts) and resource photos
 * (photos.ts). Errors answer as the other `/api/` endpoints' do.
 */
import type http from 'node:http'
import { allowMethods, answeringRefusals, HttpError, requestContext } from '../api/request.ts'
import type { AppContext } from '../app-context.ts'
import type { TokenVerifier } from '../auth/verifier.ts'
import { downloadResourcePhoto, uploadResourcePhoto } from './photos.ts'
import { importResourceFile } from './upload.ts'

const IMPORT_PATH = '/api/resources/import'
const UPLOAD_PATH = /^\/api\/resources\/(\d{1,9})\/photos$/
const PHOTO_PATH = /^\/api\/resource-photos\/(\d{1,9})$/

export function isResourceApiPath(pathname: string): boolean {
  return pathname.startsWith('/api/resources/') || pathname.startsWith('/api/resource-photos/')
}

export async function serveResourceApi(
  app: AppContext,
  verifier: TokenVerifier | undefined,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  url: URL,
  requestId: string,
): Promise<void> {
  await answeringRefusals(res, async () => {
    const upload = UPLOAD_PATH.exec(url.pathname)
    const photo = PHOTO_PATH.exec(url.pathname)
    const importing = url.pathname === IMPORT_PATH
    if (!upload && !photo && !importing) throw new HttpError(404, '没有此接口', 'No such endpoint')
    allowMethods(req, res, photo ? ['GET', 'HEAD'] : ['POST'])
    const context = await requestContext(app, verifier, req, requestId)
    const dataDir = app.config.dataDir
    if (importing) await importResourceFile(context, req, res, url.searchParams)
    else if (upload) {
      await uploadResourcePhoto(context, dataDir, req, res, Number(upload[1]), url.searchParams)
    } else await downloadResourcePhoto(context, dataDir, res, Number(photo![1]))
  })
}
