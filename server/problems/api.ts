/**
 * The problem endpoints under `/api/`: photos (photos.ts). The HTTP server hands a path here when
 * `isProblemApiPath` says it is one; errors answer as the filling endpoints' do.
 */
import type http from 'node:http'
import type { AppContext } from '../app-context.ts'
import type { TokenVerifier } from '../auth/verifier.ts'
import { HttpError, httpErrorOf, requestContext, sendError } from '../fillings/request.ts'
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
  try {
    const upload = UPLOAD_PATH.exec(url.pathname)
    const photo = PHOTO_PATH.exec(url.pathname)
    if (!upload && !photo) throw new HttpError(404, '没有此接口', 'No such endpoint')
    const methods = upload ? ['POST'] : ['GET', 'HEAD']
    const method = req.method ?? 'GET'
    if (!methods.includes(method)) {
      res.setHeader('allow', methods.join(', '))
      throw new HttpError(405, `此接口不支持 ${method}`, `${method} is not allowed here`)
    }
    const context = await requestContext(app, verifier, req, requestId)
    const dataDir = app.config.dataDir
    if (upload) {
      await uploadProblemPhoto(context, dataDir, req, res, Number(upload[1]), url.searchParams)
    } else await downloadProblemPhoto(context, dataDir, res, Number(photo![1]))
  } catch (error) {
    const known = httpErrorOf(error)
    if (!known) throw error
    if (res.headersSent) {
      res.destroy()
      return
    }
    sendError(res, known)
  }
}
