/**
 * `GET /api/kpis.xlsx?regionCode=&from=&to=&groupBy=` with a bearer token: the figures of `problemKpis` as a
 * workbook, for the assessment meeting that wants a sheet, not an API.
 */
import type http from 'node:http'
import { sql } from 'drizzle-orm'
import { KPI_GROUPINGS, type KpiGrouping, problemKpis } from '../../schema/problems/kpis.ts'
import {
  allowMethods,
  answeringRefusals,
  attachmentDisposition,
  HttpError,
  requestContext,
  XLSX_TYPE,
} from '../api/request.ts'
import type { AppContext } from '../app-context.ts'
import type { TokenVerifier } from '../auth/verifier.ts'
import { buildKpiWorkbook } from './workbook.ts'

export const KPI_WORKBOOK_PATH = '/api/kpis.xlsx'

export async function serveKpiWorkbook(
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
    const params = url.searchParams
    const groupBy = params.get('groupBy') ?? 'district'
    if (!(KPI_GROUPINGS as readonly string[]).includes(groupBy)) {
      throw new HttpError(
        400,
        'groupBy 应为 district、street 或 department',
        'groupBy must be district, street or department',
      )
    }
    const args = {
      regionCode: params.get('regionCode') ?? '',
      from: params.get('from') ?? '',
      to: params.get('to') ?? '',
      groupBy: groupBy as KpiGrouping,
    }
    const rows = await problemKpis(context, args)
    const [region] = await context.database.rows<{ name: string }>(
      // problemKpis has checked the code and the scope; the name is for the sheet and the file name.
      sql`select name from regions where code = ${args.regionCode}`,
    )
    const body = await buildKpiWorkbook({ ...args, regionName: region?.name ?? args.regionCode }, rows)
    res.writeHead(200, {
      'content-type': XLSX_TYPE,
      'content-length': String(body.length),
      'content-disposition': attachmentDisposition(
        `${region?.name ?? args.regionCode}-问题整改考核-${args.from}-${args.to}.xlsx`,
      ),
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    })
    res.end(req.method === 'HEAD' ? undefined : body)
  })
}
