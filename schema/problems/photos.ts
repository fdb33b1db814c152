import { sql } from 'drizzle-orm'
import type { GraphQLContext } from '../../server/graphql/context.ts'
import { builder } from '../builder.ts'
import { groupedByKey } from '../support/loading.ts'
import { Problem } from './problem.ts'

interface PhotoRow {
  id: number
  problemId: number
  taskId: number | null
  kind: string
  fileName: string
  mediaType: string
  byteSize: number
  sha256: string
  uploadedBy: string
  uploadedAt: string
}

const ProblemPhotoKind = builder.enumType('ProblemPhotoKind', {
  description: '照片类别：整改前 / 整改后 / 复查 / before the work, after it, of the re-inspection',
  values: ['before', 'after', 'inspection'] as const,
})

const ProblemPhoto = builder.objectRef<PhotoRow>('ProblemPhoto').implement({
  description:
    '问题的照片（整改前后、复查），上传与下载见 /api/problems/{id}/photos / A photo of a problem’s work',
  fields: (t) => ({
    databaseId: t.exposeInt('id'),
    kind: t.field({ type: ProblemPhotoKind, resolve: (p) => p.kind as 'before' }),
    taskId: t.exposeInt('taskId', { nullable: true, description: '所属整改任务 / the task it is of' }),
    fileName: t.exposeString('fileName'),
    mediaType: t.exposeString('mediaType'),
    byteSize: t.exposeInt('byteSize'),
    sha256: t.exposeString('sha256'),
    uploadedBy: t.exposeString('uploadedBy'),
    uploadedAt: t.field({ type: 'DateTime', resolve: (p) => p.uploadedAt }),
    url: t.string({
      description: '下载地址（需登录凭证）/ where to download it (with a bearer token)',
      resolve: (p) => `/api/problem-photos/${p.id}`,
    }),
  }),
})

/** Photos of many problems in one statement; the problem was read in scope, so its photos are too. */
async function loadPhotos(ids: readonly number[], context: GraphQLContext): Promise<PhotoRow[][]> {
  const rows = await context.database.rows<PhotoRow>(
    sql`select id, problem_id as "problemId", task_id as "taskId", kind, file_name as "fileName",
      media_type as "mediaType", byte_size as "byteSize", sha256, uploaded_by as "uploadedBy",
      uploaded_at as "uploadedAt"
    from problem_photos where problem_id = any(${sql.param([...ids])}::int[]) order by id`,
  )
  return groupedByKey(ids, rows, (r) => r.problemId)
}

builder.objectField(Problem, 'photos', (t) =>
  t.field({
    type: [ProblemPhoto],
    description:
      '整改前后与复查照片，先后排列（需登录）/ photos before and after the work and of re-inspections, for signed-in readers',
    args: { kind: t.arg({ type: ProblemPhotoKind }) },
    resolve: async (p, args, context) => {
      // A public problem is readable without a token; its photos (faces, doorways) are not.
      if (context.scope.kind !== 'region') return []
      const photos = (await context.loader(loadPhotos).load(p.id)) ?? []
      return args.kind ? photos.filter((photo) => photo.kind === args.kind) : photos
    },
  }),
)
