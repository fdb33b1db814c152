/**
 * Photos of stock resources, stored like problem photos (server/evidence/):
 * - `POST /api/resources/{id}/photos?filename=` with a JPEG or PNG as the body (201 with the photo row), for those
 *   who report or verify resources (`resource.report`), inside their scope; none for a rejected resource;
 * - `GET /api/resource-photos/{id}` downloads one within the caller's read scope.
 */
import type http from 'node:http'
import { sql } from 'drizzle-orm'
import { recordAudit } from '../../schema/audit.ts'
import { HttpError, readBody, sendJson } from '../api/request.ts'
import { authorize } from '../auth/permissions.ts'
import { sendStoredFile } from '../evidence/download.ts'
import { evidenceTypeOf, fileNameOf, sanitizeFileName, storeEvidence } from '../evidence/store.ts'
import type { GraphQLContext } from '../graphql/context.ts'
import { MAX_PHOTO_BYTES } from '../problems/photos.ts'

export interface ResourcePhotoRow {
  id: number
  resourceId: number
  sha256: string
  byteSize: number
  mediaType: string
  fileName: string
  regionCode: string
  uploadedBy: string
}

const PHOTO_COLUMNS = sql`id, resource_id as "resourceId", sha256, byte_size as "byteSize",
  media_type as "mediaType", file_name as "fileName", region_code as "regionCode", uploaded_by as "uploadedBy"`

const inScope = (context: GraphQLContext, regionCode: string) =>
  context.scope.kind === 'region' && regionCode.startsWith(context.scope.prefix)

export async function uploadResourcePhoto(
  context: GraphQLContext,
  dataDir: string,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  resourceId: number,
  query: URLSearchParams,
): Promise<void> {
  authorize(context.identity, context.scope, 'resource.report')
  const bytes = await readBody(req, MAX_PHOTO_BYTES)
  if (bytes.length === 0) throw new HttpError(400, '上传的文件为空', 'The uploaded file is empty')
  const given = query.get('filename') ?? fileNameOf(req.headers['content-disposition']) ?? ''
  const type = evidenceTypeOf(bytes, given)
  if (!type?.mediaType.startsWith('image/')) {
    throw new HttpError(415, '照片只能是 JPEG 或 PNG', 'A photo must be a JPEG or PNG image')
  }
  const fileName = sanitizeFileName(given, type)
  const uploadedBy = context.identity?.subject ?? 'unknown'
  const row = await context.database.db.transaction(async (tx) => {
    const found = (await tx.execute(sql`select region_code as "regionCode", verification_state as state, code
      from stock_resources where id = ${resourceId} for update`)) as {
      rows: { regionCode: string; state: string; code: string | null }[]
    }
    const resource = found.rows[0]
    if (!resource || !inScope(context, resource.regionCode)) {
      throw new HttpError(
        404,
        `存量资源 ${resourceId} 不存在或无权访问`,
        `Resource ${resourceId} was not found`,
      )
    }
    authorize(context.identity, context.scope, 'resource.report', { regionCode: resource.regionCode })
    if (resource.state === 'rejected') {
      throw new HttpError(
        409,
        `存量资源 ${resource.code ?? resourceId} 已被驳回`,
        `Resource ${resourceId} was rejected`,
      )
    }
    const sha256 = await storeEvidence(dataDir, bytes)
    const inserted = (await tx.execute(sql`insert into stock_resource_photos
        (resource_id, sha256, byte_size, media_type, file_name, region_code, uploaded_by)
      values (${resourceId}, ${sha256}, ${bytes.length}, ${type.mediaType}, ${fileName}, ${resource.regionCode},
        ${uploadedBy})
      returning ${PHOTO_COLUMNS}`)) as { rows: ResourcePhotoRow[] }
    const photo = inserted.rows[0]!
    await recordAudit(tx, context, {
      entity: 'stock_resource',
      entityId: resourceId,
      action: 'photo',
      regionCode: resource.regionCode,
      before: null,
      after: { photoId: photo.id, sha256, fileName, mediaType: type.mediaType },
    })
    return photo
  })
  sendJson(res, 201, { ...row, url: `/api/resource-photos/${row.id}` })
}

/** Streams one photo; outside the caller's read scope it is 404 like a missing one (ids are sequential). */
export async function downloadResourcePhoto(
  context: GraphQLContext,
  dataDir: string,
  res: http.ServerResponse,
  id: number,
): Promise<void> {
  authorize(context.identity, context.scope, 'resource.read')
  const [row] = await context.database.rows<ResourcePhotoRow>(
    sql`select ${PHOTO_COLUMNS} from stock_resource_photos where id = ${id}`,
  )
  if (!row || !inScope(context, row.regionCode)) {
    throw new HttpError(404, `没有资源照片 ${id}`, `There is no resource photo ${id}`)
  }
  await sendStoredFile(res, dataDir, row, {
    zh: `资源照片 ${id} 的文件已不在存储中`,
    en: `The file of resource photo ${id} is no longer stored`,
  })
}
