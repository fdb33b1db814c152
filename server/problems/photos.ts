/**
 * Problem photos over HTTP, stored like the fillings' evidence (server/evidence/):
 * - `POST /api/problems/{id}/photos?kind=before|after|inspection&filename=&taskId=` with the image as the body
 *   (201 with the photo row). Before and after photos are the rectifier's (`task.work`, a department only on
 *   work routed to it: the task's department when `taskId` names one, else the problem's); inspection photos
 *   are the re-inspector's (`problem.signOff`);
 * - `GET /api/problem-photos/{id}` downloads one within the caller's read scope.
 */
import type http from 'node:http'
import { sql } from 'drizzle-orm'
import { recordAudit, type SqlExecutor } from '../../schema/audit.ts'
import { HttpError, readBody, sendJson } from '../api/request.ts'
import { authorize } from '../auth/permissions.ts'
import { sendStoredFile } from '../evidence/download.ts'
import { evidenceTypeOf, fileNameOf, sanitizeFileName, storeEvidence } from '../evidence/store.ts'
import type { GraphQLContext } from '../graphql/context.ts'

/** Largest photo: a phone photo at full resolution fits. */
export const MAX_PHOTO_BYTES = 20 * 1024 * 1024

export const PHOTO_KINDS = ['before', 'after', 'inspection'] as const
export type PhotoKind = (typeof PHOTO_KINDS)[number]

export interface PhotoRow {
  id: number
  problemId: number
  taskId: number | null
  kind: PhotoKind
  sha256: string
  byteSize: number
  mediaType: string
  fileName: string
  regionCode: string
}

const PHOTO_COLUMNS = sql`id, problem_id as "problemId", task_id as "taskId", kind, sha256,
  byte_size as "byteSize", media_type as "mediaType", file_name as "fileName", region_code as "regionCode"`

interface Target {
  regionCode: string
  department: string | null
  state: string
  taskId: number | null
}

const noProblem = (id: number) =>
  new HttpError(404, `问题 ${id} 不存在或无权访问`, `Problem ${id} was not found`)

export async function uploadProblemPhoto(
  context: GraphQLContext,
  dataDir: string,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  problemId: number,
  query: URLSearchParams,
): Promise<void> {
  const kind = query.get('kind') ?? ''
  if (!(PHOTO_KINDS as readonly string[]).includes(kind)) {
    throw new HttpError(
      400,
      '参数 kind 须为 before、after 或 inspection',
      'The query needs kind: before, after or inspection',
    )
  }
  const operation = kind === 'inspection' ? 'problem.signOff' : 'task.work'
  authorize(context.identity, context.scope, operation)
  const taskId = taskIdOf(query.get('taskId'))
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
    const target = await targetOf(tx, context, problemId, taskId)
    // NOT_FOUND outside the scope, FORBIDDEN for work routed to another department (ADR 0012).
    authorize(context.identity, context.scope, operation, target)
    if (target.state === 'closed') {
      throw new HttpError(409, `问题 ${problemId} 已销号`, `Problem ${problemId} is closed`)
    }
    const sha256 = await storeEvidence(dataDir, bytes)
    const inserted = (await tx.execute(sql`insert into problem_photos
        (problem_id, task_id, kind, sha256, byte_size, media_type, file_name, region_code, uploaded_by)
      values (${problemId}, ${target.taskId}, ${kind}, ${sha256}, ${bytes.length}, ${type.mediaType},
        ${fileName}, ${target.regionCode}, ${uploadedBy})
      returning ${PHOTO_COLUMNS}`)) as unknown as { rows: PhotoRow[] }
    const photo = inserted.rows[0]!
    await recordAudit(tx, context, {
      entity: 'problem',
      entityId: problemId,
      action: 'photo',
      regionCode: target.regionCode,
      before: null,
      after: { photoId: photo.id, kind, taskId, sha256, fileName, mediaType: type.mediaType },
    })
    return photo
  })
  sendJson(res, 201, { ...row, url: `/api/problem-photos/${row.id}` })
}

function taskIdOf(raw: string | null): number | null {
  if (raw === null || raw === '') return null
  if (!/^\d{1,9}$/.test(raw)) throw new HttpError(400, '参数 taskId 无效', 'taskId must be a task id')
  return Number(raw)
}

/**
 * The problem (locked, so a photo never joins a problem being closed) and the work the photo is of: the task
 * when one is named — its region and department decide — else the problem itself.
 */
async function targetOf(
  tx: SqlExecutor,
  context: GraphQLContext,
  problemId: number,
  taskId: number | null,
): Promise<Target> {
  const found = (await tx.execute(sql`select p.region_code as "regionCode",
      p.responsible_department as department, p.state from problems p where p.id = ${problemId} for update`)) as unknown as {
    rows: Omit<Target, 'taskId'>[]
  }
  const problem = found.rows[0]
  if (!problem || !inScope(context, problem.regionCode)) throw noProblem(problemId)
  if (taskId === null) return { ...problem, taskId: null }
  const tasks = (await tx.execute(sql`select coalesce(t.region_code, ${problem.regionCode}) as "regionCode",
      t.department from tasks t where t.id = ${taskId} and t.problem_id = ${problemId}`)) as unknown as {
    rows: { regionCode: string; department: string | null }[]
  }
  const task = tasks.rows[0]
  if (!task) {
    throw new HttpError(
      404,
      `问题 ${problemId} 没有任务 ${taskId}`,
      `Problem ${problemId} has no task ${taskId}`,
    )
  }
  return { ...task, state: problem.state, taskId }
}

function inScope(context: GraphQLContext, regionCode: string): boolean {
  return context.scope.kind === 'region' && regionCode.startsWith(context.scope.prefix)
}

/** Streams one photo; outside the caller's read scope it is 404 like a missing one (ids are sequential). */
export async function downloadProblemPhoto(
  context: GraphQLContext,
  dataDir: string,
  res: http.ServerResponse,
  id: number,
): Promise<void> {
  authorize(context.identity, context.scope, 'problem.read')
  const [row] = await context.database.rows<PhotoRow>(
    sql`select ${PHOTO_COLUMNS} from problem_photos where id = ${id}`,
  )
  if (!row || !inScope(context, row.regionCode)) {
    throw new HttpError(404, `没有问题照片 ${id}`, `There is no problem photo ${id}`)
  }
  await sendStoredFile(res, dataDir, row, {
    zh: `问题照片 ${id} 的文件已不在存储中`,
    en: `The file of problem photo ${id} is no longer stored`,
  })
}
