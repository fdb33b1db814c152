import { sql } from 'drizzle-orm'
import type { RunRow } from '../../jobs/api.ts'
import { authorize } from '../../server/auth/permissions.ts'
import type { GraphQLContext } from '../../server/graphql/context.ts'
import { notFound } from '../../server/graphql/errors.ts'
import { builder } from '../builder.ts'
import { valueVisible } from '../indicator-values/visibility.ts'
import { Indicator, loadIndicators } from '../indicators/catalogue.ts'
import { DiagnosticRun, RUN_COLUMNS } from '../runs.ts'
import { encodeGlobalId } from '../support/global-id.ts'
import { DISAGREEMENT_THRESHOLD, disagrees, relativeDifference } from './disagreement.ts'
import { FillingReviewRound } from './filling.ts'
import { databaseKey } from './keys.ts'

interface ProvenanceRow {
  id: number
  campaignId: number
  indicatorId: number
  unitType: string
  unitKey: string
  regionCode: string
  value: number | null
  computedValue: number | null
  grade: string | null
  warning: string | null
  source: string
  runId: number | null
  details: Record<string, unknown>
  reviewState: string
  reviewer: string | null
  reviewComment: string | null
  reportedBy: string | null
  reportedAt: Date | string | null
  datasetId: number | null
  derivation: string | null
  remark: string | null
  updatedAt: Date | string
  fillingId: number | null
}

interface DatasetRow {
  id: number
  name: string
  kind: string
  method: string | null
  parameters: Record<string, unknown>
  licence: string | null
  createdAt: Date | string
}

interface EvidenceRow {
  id: number
  fileName: string
  mediaType: string
  byteSize: number
  sha256: string
  uploadedBy: string
  uploadedAt: Date | string
}

interface ValueReviewRow {
  round: 'city' | 'province' | null
  decision: string
  comment: string | null
  valueComment: string | null
  actor: string
  role: string | null
  at: Date | string
}

interface ValueAuditRow {
  at: Date | string
  actor: string
  role: string | null
  action: string
  before: unknown
  after: unknown
  requestId: string | null
}

/** The run a value's figure came from: its own for a computed value, the one kept beside a reported value. */
const runIdOf = (v: ProvenanceRow): number | null => {
  const kept = (v.details?.computed as { runId?: unknown } | undefined)?.runId
  return v.runId ?? (typeof kept === 'number' ? kept : null)
}

const ValueDataset = builder.objectRef<DatasetRow>('ValueDataset').implement({
  description: '值导入自的数据集 / The dataset a value was imported from',
  fields: (t) => ({
    databaseId: t.exposeInt('id'),
    name: t.exposeString('name'),
    kind: t.exposeString('kind', { description: 'import | derived | synthetic | reported' }),
    method: t.exposeString('method', { nullable: true }),
    parameters: t.field({ type: 'JSON', resolve: (d) => d.parameters }),
    licence: t.exposeString('licence', { nullable: true }),
    createdAt: t.field({ type: 'DateTime', resolve: (d) => d.createdAt }),
  }),
})

const ValueEvidenceFile = builder.objectRef<EvidenceRow>('ValueEvidenceFile').implement({
  description: '佐证材料 / An evidence file attached to a value',
  fields: (t) => ({
    databaseId: t.exposeInt('id'),
    fileName: t.exposeString('fileName'),
    mediaType: t.exposeString('mediaType'),
    byteSize: t.exposeFloat('byteSize'),
    sha256: t.exposeString('sha256'),
    uploadedBy: t.exposeString('uploadedBy'),
    uploadedAt: t.field({ type: 'DateTime', resolve: (e) => e.uploadedAt }),
  }),
})

const ValueReview = builder.objectRef<ValueReviewRow>('ValueReview').implement({
  description:
    '值所在填报表的审核记录，及针对此值的意见 / A review step of the value’s filling, with the comment on this value',
  fields: (t) => ({
    round: t.field({ type: FillingReviewRound, nullable: true, resolve: (r) => r.round }),
    decision: t.exposeString('decision', { description: 'submit | approve | return | unlock' }),
    comment: t.exposeString('comment', { nullable: true, description: '总体意见 / on the filling' }),
    valueComment: t.exposeString('valueComment', { nullable: true, description: '针对此值 / on this value' }),
    actor: t.exposeString('actor'),
    role: t.exposeString('role', { nullable: true }),
    at: t.field({ type: 'DateTime', resolve: (r) => r.at }),
  }),
})

const ValueAuditEvent = builder.objectRef<ValueAuditRow>('ValueAuditEvent').implement({
  description: '此值的审计记录 / A recorded write of this value',
  fields: (t) => ({
    at: t.field({ type: 'DateTime', resolve: (e) => e.at }),
    actor: t.exposeString('actor'),
    role: t.exposeString('role', { nullable: true }),
    action: t.exposeString('action'),
    before: t.field({ type: 'JSON', nullable: true, resolve: (e) => e.before }),
    after: t.field({ type: 'JSON', nullable: true, resolve: (e) => e.after }),
    requestId: t.exposeString('requestId', { nullable: true }),
  }),
})

const rowsFor = <T>(context: GraphQLContext, query: ReturnType<typeof sql>) => context.database.rows<T>(query)

const Provenance = builder.objectRef<ProvenanceRow>('IndicatorValueProvenance').implement({
  description:
    '指标值溯源：谁填报、哪次运行计算、来自哪个数据集、佐证材料与审核记录 / Where a value came from and what happened to it',
  fields: (t) => ({
    id: t.id({ resolve: (v) => encodeGlobalId('IndicatorValue', v.id) }),
    valueId: t.exposeInt('id'),
    campaignId: t.exposeInt('campaignId'),
    indicator: t.field({
      type: Indicator,
      nullable: true,
      resolve: (v, _a, c) => c.loader(loadIndicators).load(v.indicatorId),
    }),
    unitType: t.exposeString('unitType'),
    unitKey: t.exposeString('unitKey'),
    regionCode: t.exposeString('regionCode'),
    source: t.exposeString('source', { description: 'reported | computed | imported' }),
    value: t.exposeFloat('value', { nullable: true }),
    computedValue: t.float({
      nullable: true,
      description: '计算值：计算所得的值本身，或填报值旁保留的计算值 / the computed figure',
      resolve: (v) => (v.source === 'computed' ? v.value : v.computedValue),
    }),
    relativeDifference: t.float({
      nullable: true,
      description: '|填报 − 计算| / |计算| / relative difference of the reported and computed figures',
      resolve: (v) => (v.source === 'computed' ? null : relativeDifference(v.value, v.computedValue)),
    }),
    disagreement: t.boolean({
      description: `填报值与计算值相差超过 ${DISAGREEMENT_THRESHOLD * 100}% / reported and computed differ by more than ${DISAGREEMENT_THRESHOLD * 100} %`,
      resolve: (v) => v.source !== 'computed' && disagrees(v.value, v.computedValue),
    }),
    disagreementThreshold: t.float({ resolve: () => DISAGREEMENT_THRESHOLD }),
    grade: t.exposeString('grade', { nullable: true }),
    warning: t.exposeString('warning', { nullable: true }),
    reportedBy: t.exposeString('reportedBy', { nullable: true }),
    reportedAt: t.field({ type: 'DateTime', nullable: true, resolve: (v) => v.reportedAt }),
    remark: t.exposeString('remark', { nullable: true }),
    derivation: t.exposeString('derivation', {
      nullable: true,
      description: '推算规则（如由其他年度推算）/ the documented rule a derived value follows',
    }),
    reviewState: t.exposeString('reviewState'),
    reviewer: t.exposeString('reviewer', { nullable: true }),
    reviewComment: t.exposeString('reviewComment', { nullable: true }),
  }),
})

// Where the value came from and what happened to it since: each a statement of its own, read when asked for.
builder.objectFields(Provenance, (t) => ({
  run: t.field({
    type: DiagnosticRun,
    nullable: true,
    description: '计算此值（或其旁的计算值）的运行 / the run that computed the value or the figure beside it',
    resolve: async (v, _a, c) => {
      const runId = runIdOf(v)
      if (runId === null) return null
      // A city's run computes its districts' values: whoever may read the value may read the run behind it,
      // though the run's region lies above the reader's.
      const [run] = await rowsFor<RunRow>(
        c,
        sql`select ${RUN_COLUMNS} from diagnostic_runs r where r.id = ${runId}`,
      )
      return run ?? null
    },
  }),
  computedInputs: t.field({
    type: 'JSON',
    nullable: true,
    description: '运行为此值记录的输入与参数 / what the run recorded for this value (inputs, parameters)',
    resolve: (v) => (v.source === 'computed' ? v.details : (v.details?.computed ?? null)),
  }),
  dataset: t.field({
    type: ValueDataset,
    nullable: true,
    resolve: async (v, _a, c) =>
      v.datasetId === null
        ? null
        : ((
            await rowsFor<DatasetRow>(
              c,
              sql`select id, name, kind, method, parameters, licence, created_at as "createdAt"
                  from datasets where id = ${v.datasetId}`,
            )
          )[0] ?? null),
  }),
  evidence: t.field({
    type: [ValueEvidenceFile],
    resolve: (v, _a, c) =>
      rowsFor<EvidenceRow>(
        c,
        sql`select id, file_name as "fileName", media_type as "mediaType", byte_size as "byteSize", sha256,
            uploaded_by as "uploadedBy", uploaded_at as "uploadedAt"
          from evidence_files where value_id = ${v.id} order by id`,
      ),
  }),
  reviews: t.field({
    type: [ValueReview],
    description: '所在填报表的审核记录，先后顺序 / the review steps of its filling, oldest first',
    resolve: (v, _a, c) => reviewsOf(c, v),
  }),
  auditEvents: t.field({
    type: [ValueAuditEvent],
    description: '此值的审计记录，先后顺序 / the audit events of this value, oldest first',
    resolve: (v, _a, c) =>
      rowsFor<ValueAuditRow>(
        c,
        sql`select e.at, e.actor, e.role, e.action, e.before, e.after, e.request_id as "requestId"
          from audit_events e where e.entity = 'indicator_value' and e.entity_id = ${String(v.id)} order by e.id`,
      ),
  }),
}))

async function reviewsOf(context: GraphQLContext, v: ProvenanceRow): Promise<ValueReviewRow[]> {
  if (v.fillingId === null) return []
  return rowsFor<ValueReviewRow>(
    context,
    sql`select r.round, r.decision, r.comment, r.actor, r.role, r.at,
      (select c->>'comment' from jsonb_array_elements(r.value_comments) c
        where c->>'indicatorCode' = i.code and c->>'unitKey' = ${v.unitKey} limit 1) as "valueComment"
    from filling_reviews r cross join indicators i
    where r.filling_id = ${v.fillingId} and i.id = ${v.indicatorId} order by r.id`,
  )
}

builder.queryField('indicatorValueProvenance', (t) =>
  t.field({
    type: Provenance,
    description:
      '指标值溯源（需可读填报的角色，限本辖区）/ The provenance of one value, within the caller’s region',
    args: {
      id: t.arg.id({ required: true, description: '指标值编号或全局 ID / value id or global ID' }),
    },
    resolve: async (_root, args, context) => {
      authorize(context.identity, context.scope, 'filling.read')
      const id = databaseKey(args.id, 'IndicatorValue')
      const [row] = await rowsFor<ProvenanceRow>(
        context,
        sql`select v.id, v.campaign_id as "campaignId", v.indicator_id as "indicatorId", v.unit_type as "unitType",
          v.unit_key as "unitKey", v.region_code as "regionCode", v.value, v.computed_value as "computedValue",
          v.grade, v.warning, v.source, v.run_id as "runId", v.details, v.review_state as "reviewState",
          v.reviewer, v.review_comment as "reviewComment", v.reported_by as "reportedBy",
          v.reported_at as "reportedAt", v.dataset_id as "datasetId", v.derivation, v.remark,
          v.updated_at as "updatedAt",
          (select t.filling_id from filling_tasks t where t.campaign_id = v.campaign_id
            and t.indicator_id = v.indicator_id and t.unit_type = v.unit_type and t.unit_key = v.unit_key)
            as "fillingId"
        from indicator_values v where v.id = ${id} and ${valueVisible(context)}`,
      )
      if (!row) throw notFound(`指标值 ${id} 不存在或无权访问`, `Indicator value ${id} was not found`)
      return row
    },
  }),
)
