/**
 * The filling endpoints under `/api/`: workbooks (forms.ts) and evidence (evidence.ts). The HTTP server hands
 * every `/api/` request here; anything else under it is 404.
 */
import type http from 'node:http'
import { allowMethods, answeringRefusals, HttpError, requestContext } from '../api/request.ts'
import type { AppContext } from '../app-context.ts'
import type { TokenVerifier } from '../auth/verifier.ts'
import { downloadEvidence, uploadEvidence } from './evidence.ts'
import { downloadForm, uploadForm } from './forms.ts'

/** The regionCode segment is matched loosely and checked as digits later, so a bad one is answered, not 404. */
const FORM_PATH = /^\/api\/campaigns\/(\d{1,9})\/forms\/([^/]{1,64})\.xlsx$/
const EVIDENCE_UPLOAD_PATH = /^\/api\/campaigns\/(\d{1,9})\/evidence$/
const EVIDENCE_PATH = /^\/api\/evidence\/(\d{1,9})$/

type Route =
  | { kind: 'form'; campaignId: number; regionCode: string; methods: readonly string[] }
  | { kind: 'evidenceUpload'; campaignId: number; methods: readonly string[] }
  | { kind: 'evidence'; id: number; methods: readonly string[] }

function routeOf(pathname: string): Route | null {
  const form = FORM_PATH.exec(pathname)
  if (form) {
    const regionCode = safeDecode(form[2]!)
    return { kind: 'form', campaignId: Number(form[1]), regionCode, methods: ['GET', 'HEAD', 'PUT'] }
  }
  const upload = EVIDENCE_UPLOAD_PATH.exec(pathname)
  if (upload) return { kind: 'evidenceUpload', campaignId: Number(upload[1]), methods: ['POST'] }
  const evidence = EVIDENCE_PATH.exec(pathname)
  if (evidence) return { kind: 'evidence', id: Number(evidence[1]), methods: ['GET', 'HEAD'] }
  return null
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment)
  } catch {
    return segment
  }
}

/** Answers one `/api/` request; errors become bilingual JSON with the status the route's contract names. */
export async function serveFillingApi(
  app: AppContext,
  verifier: TokenVerifier | undefined,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  url: URL,
  requestId: string,
): Promise<void> {
  await answeringRefusals(res, async () => {
    // Outside its scope a filling is 403 by the workbook contract, where the GraphQL layer says NOT_FOUND; the
    // routes check the scope themselves first, so a NOT_FOUND raised here is a missing filling or task.
    const route = routeOf(url.pathname)
    if (!route) throw new HttpError(404, '没有此接口', 'No such endpoint')
    const method = allowMethods(req, res, route.methods)
    const context = await requestContext(app, verifier, req, requestId)
    const dataDir = app.config.dataDir
    if (route.kind === 'form' && method === 'PUT') await uploadForm(context, req, res, route)
    else if (route.kind === 'form') await downloadForm(context, res, route)
    else if (route.kind === 'evidenceUpload')
      await uploadEvidence(context, dataDir, req, res, route.campaignId, url.searchParams)
    else await downloadEvidence(context, dataDir, res, route.id)
  })
}
