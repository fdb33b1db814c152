/** `fileAppeal`: a resident's appeal filed by staff (hot-line operators, street offices), through intake.ts. */
import { builder } from '../builder.ts'
import { type AppealOutcome, fileAppeal, OPINION_KINDS } from './intake.ts'
import { loadProblems, Problem } from './problem.ts'

export const OpinionKindEnum = builder.enumType('OpinionKind', {
  description: '民意来源：问卷、走访、热线（12345）、网上、信访 / Where an opinion came from',
  values: OPINION_KINDS,
})

const FileAppealInput = builder.inputType('FileAppealInput', {
  fields: (t) => ({
    serviceCode: t.string({
      required: true,
      description: '可上报的问题类型代码 / a reportable problem type',
    }),
    lat: t.float({ required: true, description: 'WGS84 纬度 / latitude' }),
    long: t.float({ required: true, description: 'WGS84 经度 / longitude' }),
    address: t.string(),
    description: t.string({ required: true, description: '诉求内容 / what the resident says' }),
    mediaUrl: t.string(),
    attributes: t.field({ type: 'JSON', description: '问题类型定义的属性 / the type’s attributes' }),
    kind: t.field({ type: OpinionKindEnum, required: true }),
    submittedBy: t.string({ description: '诉求人（不公开）/ who filed it, never public' }),
  }),
})

const FileAppealPayload = builder.objectRef<AppealOutcome>('FileAppealPayload').implement({
  description:
    '诉求受理结果：新问题，或并入附近 50 米、30 天内同类未销号问题 / A new problem, or the open problem nearby it joined',
  fields: (t) => ({
    problem: t.field({
      type: Problem,
      nullable: true,
      resolve: (o, _a, context) => context.loader(loadProblems).load(o.problemId),
    }),
    opinionId: t.exposeInt('opinionId'),
    joined: t.exposeBoolean('joined', {
      description: '并入已有问题（重复诉求）/ joined an existing problem as a duplicate',
    }),
    reportCount: t.exposeInt('reportCount', { description: '该问题的诉求次数 / reports the problem counts' }),
  }),
})

builder.mutationField('fileAppeal', (t) =>
  t.field({
    type: FileAppealPayload,
    description:
      '受理市民诉求（热线、网上等）：重复诉求并入附近同类问题，否则新建问题并派单 / Files a resident’s appeal',
    args: { input: t.arg({ type: FileAppealInput, required: true }) },
    resolve: (_root, { input }, context) =>
      fileAppeal(context, {
        serviceCode: input.serviceCode,
        lat: input.lat,
        long: input.long,
        address: input.address ?? null,
        description: input.description,
        mediaUrl: input.mediaUrl ?? null,
        attributes: (input.attributes as Record<string, unknown> | null | undefined) ?? null,
        kind: input.kind,
        submittedBy: input.submittedBy ?? null,
      }),
  }),
)
