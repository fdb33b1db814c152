/**
 * `GET /api/campaigns/{campaignId}/lists.xlsx` with a bearer token: the campaign's four lists (问题清单, 意见清单,
 * 资源清单, 项目清单) as one workbook, scoped by the token's region.
 */
import type http from 'node:http'
import { sql } from 'drizzle-orm'
import {
  allowMethods,
  answeringRefusals,
  attachmentDisposition,
  HttpError,
  requestContext,
  XLSX_TYPE,
} from '../api/request.ts'
import type { AppContext } from '../app-context.ts'
import { authorize } from '../auth/permissions.ts'
import type { TokenVerifier } from '../auth/verifier.ts'
import { buildListsWorkbook, readLists } from './lists.ts'

const LISTS_PATH = /^\/api\/campaigns\/(\d{1,9})\/lists\.xlsx$/

export function isListsPath(pathname: string): boolean {
  return LISTS_PATH.test(pathname)
}

export async function serveListsWorkbook(
  app: AppContext,
  verifier: TokenVerifier | undefined,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  url: URL,
  requestId: string,
): Promise<void> {
  await answeringRefusals(res, async () => {
    allowMethods(req, res, ['GET', 'HEAD'])
    const context = await requestContext(app, verifier, req, requestId)
    authorize(context.identity, context.scope, 'project.read')
    authorize(context.identity, context.scope, 'resource.read')
    const campaignId = Number(LISTS_PATH.exec(url.pathname)?.[1])
    const [campaign] = await context.database.rows<{ name: string; year: number; prefix: string }>(sql`
      select k.name, k.year, r.scope_prefix as prefix from campaigns k join regions r on r.code = k.region_code
      where k.id = ${campaignId}`)
    // A campaign shares the caller's scope when either holds the other (a district reads its part of the city's).
    const scope = context.scope
    const shared =
      campaign &&
      scope.kind === 'region' &&
      (campaign.prefix.startsWith(scope.prefix) || scope.prefix.startsWith(campaign.prefix))
    if (!campaign || !shared) {
      throw new HttpError(
        404,
        `体检任务 ${campaignId} 不存在或无权访问`,
        `Campaign ${campaignId} was not found`,
      )
    }
    const body = await buildListsWorkbook(await readLists(context, campaignId))
    res.writeHead(200, {
      'content-type': XLSX_TYPE,
      'content-length': String(body.length),
      'content-disposition': attachmentDisposition(`${campaign.name}-四清单.xlsx`),
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    })
    res.end(req.method === 'HEAD' ? undefined : body)
  })
}
