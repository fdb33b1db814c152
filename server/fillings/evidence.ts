/**
 * 佐证材料 over HTTP (docs/adr/0013):
 * - `POST /api/campaigns/{campaignId}/evidence?regionCode=&indicator=&unitKey=&filename=` with the file as the
 *   body attaches it to a value that has been filled (201 with the evidence row); `unitKey` defaults to the
 *   region itself, the unit of region-level indicators;
 * - `GET /api/evidence/{id}` downloads it as an attachment, within the caller's read scope.
 * Evidence is attached to an existing value, not to a task: the row needs a value to hang on (evidence_files
 * names no indicator or unit of its own), and a value filled later would otherwise find no evidence.
 */
import type http from 'node:http'
import { sql } from 'drizzle-orm'
import { recordAudit, type SqlExecutor } from '../../schema/audit.ts'
import { fillingForChange } from '../../schema/fillings/values.ts'
import { assertRegionInScope, HttpError, readBody, sendJson } from '../api/request.ts'
import { authorize } from '../auth/permissions.ts'
import { sendStoredFile } from '../evidence/download.ts'
import { evidenceTypeOf, fileNameOf, sanitizeFileName, storeEvidence } from '../evidence/store.ts'
import type { GraphQLContext } from '../graphql/context.ts'

/** Largest evidence file: a phone photo or a scanned PDF fits; a video does not belong here. */
export const MAX_EVIDENCE_BYTES = 20 * 1024 * 1024

export interface EvidenceRow {
  id: number
  sha256: string
  byteSize: number
  mediaType: string
  fileName: string
  valueId: number | null
  regionCode: string
}

interface Target {
  valueId: number | null
  regionCode: string
  department: string | null
}

export async function uploadEvidence(
  context: GraphQLContext,
  dataDir: string,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  campaignId: number,
  query: URLSearchParams,
): Promise<void> {
  authorize(context.identity, context.scope, 'filling.fill')
  const regionCode = query.get('regionCode') ?? ''
  const indicator = query.get('indicator') ?? ''
  const unitKey = query.get('unitKey') ?? regionCode
  if (!regionCode || !indicator) {
    throw new HttpError(400, '需要参数 regionCode 和 indicator', 'The query needs regionCode and indicator')
  }
  await assertRegionInScope(context, regionCode)
  const bytes = await readBody(req, MAX_EVIDENCE_BYTES)
  if (bytes.length === 0) throw new HttpError(400, '上传的文件为空', 'The uploaded file is empty')
  const given = query.get('filename') ?? fileNameOf(req.headers['content-disposition']) ?? ''
  const type = evidenceTypeOf(bytes, given)
  if (!type) {
    throw new HttpError(
      415,
      '不接受此类文件：佐证材料只能是 JPEG、PNG、PDF、XLSX、DOCX、CSV 或纯文本',
      'File type refused: evidence must be JPEG, PNG, PDF, XLSX, DOCX, CSV or plain text',
    )
  }
  const fileName = sanitizeFileName(given, type)
  const row = await context.database.db.transaction(async (tx) => {
    // Locks the filling: no evidence joins a filling that is under review or approved.
    const filling = await fillingForChange(tx, context, campaignId, regionCode)
    const target = await targetOf(tx, filling.id, indicator, unitKey)
    if (context.identity?.role === 'department' && target.department !== context.identity.department) {
      throw new HttpError(
        403,
        '该指标不由本部门填报',
        `Indicator ${indicator} is not routed to your department`,
      )
    }
    if (target.valueId === null) {
      throw new HttpError(
        422,
        `请先填报指标 ${indicator}（${unitKey}）的值，再上传佐证材料`,
        `Fill the value of ${indicator} for unit ${unitKey} before attaching evidence to it`,
      )
    }
    const sha256 = await storeEvidence(dataDir, bytes)
    const inserted = (await tx.execute(sql`insert into evidence_files
        (sha256, byte_size, media_type, file_name, campaign_id, value_id, region_code, uploaded_by)
      values (${sha256}, ${bytes.length}, ${type.mediaType}, ${fileName}, ${campaignId}, ${target.valueId},
        ${target.regionCode}, ${context.identity?.subject ?? 'unknown'})
      returning id, sha256, byte_size as "byteSize", media_type as "mediaType", file_name as "fileName",
        value_id as "valueId", region_code as "regionCode"`)) as unknown as { rows: EvidenceRow[] }
    const evidence = inserted.rows[0]!
    await recordAudit(tx, context, {
      entity: 'evidence_file',
      entityId: evidence.id,
      action: 'attach',
      regionCode: target.regionCode,
      before: null,
      after: { indicator, unitKey, sha256, fileName, mediaType: type.mediaType, byteSize: bytes.length },
    })
    return evidence
  })
  sendJson(res, 201, { ...row, url: `/api/evidence/${row.id}` })
}

async function targetOf(
  tx: SqlExecutor,
  fillingId: number,
  indicator: string,
  unitKey: string,
): Promise<Target> {
  const found = (await tx.execute(sql`select v.id as "valueId", t.region_code as "regionCode", t.department
    from filling_tasks t join indicators i on i.id = t.indicator_id
    left join indicator_values v on v.campaign_id = t.campaign_id and v.indicator_id = t.indicator_id
      and v.unit_type = t.unit_type and v.unit_key = t.unit_key
    where t.filling_id = ${fillingId} and i.code = ${indicator} and t.unit_key = ${unitKey}`)) as unknown as {
    rows: Target[]
  }
  const target = found.rows[0]
  if (!target) {
    throw new HttpError(
      404,
      `该填报表没有指标 ${indicator}（单元 ${unitKey}）的填报任务`,
      `The filling has no task for indicator ${indicator} and unit ${unitKey}`,
    )
  }
  return target
}

/**
 * Streams one evidence file as an attachment. A row outside the caller's read scope answers 404 like a missing
 * one: ids are sequential, and a 403 would tell which exist.
 */
export async function downloadEvidence(
  context: GraphQLContext,
  dataDir: string,
  res: http.ServerResponse,
  id: number,
): Promise<void> {
  authorize(context.identity, context.scope, 'filling.read')
  const [row] = await context.database.rows<EvidenceRow>(sql`select id, sha256, byte_size as "byteSize",
      media_type as "mediaType", file_name as "fileName", value_id as "valueId", region_code as "regionCode"
    from evidence_files where id = ${id}`)
  const inScope = row && context.scope.kind === 'region' && row.regionCode.startsWith(context.scope.prefix)
  if (!row || !inScope) throw new HttpError(404, `没有佐证材料 ${id}`, `There is no evidence file ${id}`)
  await sendStoredFile(res, dataDir, row, {
    zh: `佐证材料 ${id} 的文件已不在存储中`,
    en: `The file of evidence ${id} is no longer stored`,
  })
}
