/**
 * The problem endpoints under `/api/`: photos (photos.ts). The HTTP server hands a path here when
 * `isProblemApiPath` says it is one; errors answer as the filling endpoints' do.
 */
import type http from 'node:http'
import { allowMethods, answeringRefusals, HttpError, requestContext } from '../api/request.ts'
import type { AppContext } from '../app-context.ts'
import type { TokenVerifier } from '../auth/verifier.ts'
import { downloadProblemPhoto, uploadProblemPhoto } from './photos.ts'

const UPLOAD_PATH = /^\/api\/problems\/(\d{1,9})\/photos$/
const PHOTO_PATH = /^\/api\/problem-photos\/(\d{1,9})$/

export function isProblemApiPath(pathname: string): boolean {
  return pathname.startsWith('/api/problems/') || pathname.startsWith('/api/problem-photos/')
}

export async function serveProblemApi(
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
    if (!upload && !photo) throw new HttpError(404, '没有此接口', 'No such endpoint')
    allowMethods(req, res, upload ? ['POST'] : ['GET', 'HEAD'])
    const context = await requestContext(app, verifier, req, requestId)
    const dataDir = app.config.dataDir
    if (upload) {
      await uploadProblemPhoto(context, dataDir, req, res, Number(upload[1]), url.searchParams)
    } else await downloadProblemPhoto(context, dataDir, res, Number(photo![1]))
  })
}
