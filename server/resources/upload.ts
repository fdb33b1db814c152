/**
 * `POST /api/resources/import?regionCode=&layer=&format=geojson|csv|xlsx&crs=` (docs/adr/0021): a department's
 * stock resources from a file. All or nothing: when any row is refused nothing is written and the answer (422)
 * lists every refused row with its number and reason; otherwise every row is written in one transaction (200),
 * a row whose id the layer already holds updating that resource.
 */
import type http from 'node:http'
import { assertRegionInScope, HttpError, readBody, sendJson } from '../api/request.ts'
import { authorize } from '../auth/permissions.ts'
import { lookupRegion } from '../auth/scope.ts'
import { parseCrs } from '../domain/crs.ts'
import { listZip, startsAsZip } from '../evidence/zip.ts'
import type { GraphQLContext } from '../graphql/context.ts'
import type { RowRejection } from './columns.ts'
import { placeDrafts, writeResources } from './import.ts'
import { formatOf, ImportFileError, type ReadFile, readCsv, readGeoJson, readWorkbook } from './read.ts'

/** A department's list with polygons fits well within this. */
export const MAX_IMPORT_BYTES = 20 * 1024 * 1024
const MAX_UNPACKED_BYTES = 100 * 1024 * 1024

async function readFile(format: string, body: Buffer): Promise<ReadFile> {
  if (format === 'geojson') return readGeoJson(body)
  if (format === 'csv') return readCsv(body)
  if (!startsAsZip(body))
    throw new ImportFileError('文件不是 .xlsx 工作簿', 'The file is not an .xlsx workbook')
  const listing = listZip(body)
  if (!listing) throw new ImportFileError('工作簿已损坏，无法读取', 'The workbook is corrupt')
  if (listing.uncompressedBytes > MAX_UNPACKED_BYTES) {
    throw new HttpError(
      413,
      '工作簿解压后过大',
      `The workbook unpacks to more than ${MAX_UNPACKED_BYTES} bytes`,
    )
  }
  return readWorkbook(body)
}

/** The layer written: a department's own, whatever it asks; others name one. */
function layerOf(context: GraphQLContext, asked: string | null): string {
  const own = context.identity?.role === 'department' ? context.identity.department : null
  if (own) {
    if (asked && asked !== own) {
      throw new HttpError(
        403,
        `部门只能导入本部门（${own}）的图层`,
        `A department imports its own layer (${own}) only`,
      )
    }
    return own
  }
  const layer = asked?.trim()
  if (!layer || layer.length > 50) {
    throw new HttpError(
      400,
      '请用参数 layer 指明部门图层（不超过 50 字）',
      'Name the department layer (layer=, ≤ 50 characters)',
    )
  }
  return layer
}

const describe = (r: RowRejection) => ({
  row: r.row,
  sheet: r.sheet,
  sourceKey: r.sourceKey,
  message: `${r.zh} / ${r.en}`,
  localized: { 'zh-CN': r.zh, en: r.en },
})

export async function importResourceFile(
  context: GraphQLContext,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  query: URLSearchParams,
): Promise<void> {
  authorize(context.identity, context.scope, 'resource.import')
  const regionCode = query.get('regionCode') ?? ''
  await assertRegionInScope(context, regionCode)
  const region = (await lookupRegion(context.database, regionCode))!
  const layer = layerOf(context, query.get('layer'))
  let srid: number
  try {
    srid = parseCrs(query.get('crs') ?? undefined)
  } catch (error) {
    const [zh, en] = (error instanceof Error ? error.message : String(error)).split(' / ')
    throw new HttpError(400, zh ?? 'crs 无效', en ?? zh ?? 'Invalid crs')
  }
  const body = await readBody(req, MAX_IMPORT_BYTES)
  if (body.length === 0) throw new HttpError(400, '上传的文件为空', 'The uploaded file is empty')
  let file: ReadFile
  let format: string
  try {
    format = formatOf(query.get('format'), body)
    file = await readFile(format, body)
  } catch (error) {
    if (error instanceof ImportFileError) throw new HttpError(422, error.zh, error.en)
    throw error
  }
  const target = {
    regionCode,
    prefix: region.prefix,
    layer,
    department: context.identity?.department ?? (context.identity?.role === 'department' ? layer : null),
    srid,
  }
  const { placed, rejected } = await placeDrafts(context.database, file.drafts, target)
  const refused = [...file.rejected, ...rejected].sort(
    (a, b) => (a.sheet ?? '').localeCompare(b.sheet ?? '') || a.row - b.row,
  )
  if (refused.length > 0 || placed.length === 0) {
    sendJson(res, 422, {
      format,
      layer,
      inserted: 0,
      updated: 0,
      rejected: refused.map(describe),
      message:
        refused.length > 0
          ? `${refused.length} 行被拒绝，未写入任何资源 / ${refused.length} rows refused; nothing was written`
          : '文件中没有资源 / The file holds no resources',
    })
    return
  }
  const outcome = await writeResources(context, target, placed)
  sendJson(res, 200, { format, layer, ...outcome, rejected: [] })
}
