import { diffEditions, type EditionDiff, type FieldChange } from '../../server/domain/edition-diff.ts'
import { notFound } from '../../server/graphql/errors.ts'
import { builder } from '../builder.ts'
import { keyOfType } from '../support/global-id.ts'
import {
  Indicator,
  type IndicatorRow,
  IndicatorSystem,
  type IndicatorSystemRow,
  loadIndicatorsOfSystems,
  loadSystems,
} from './catalogue.ts'

interface DiffRow extends EditionDiff<IndicatorRow> {
  from: IndicatorSystemRow
  to: IndicatorSystemRow
}

const FieldChangeRef = builder.objectRef<FieldChange>('IndicatorFieldChange').implement({
  description: '一个字段的变化 / One field that changed',
  fields: (t) => ({
    field: t.exposeString('field', { description: '指标的字段名，如 standardValues / the Indicator field' }),
    before: t.field({ type: 'JSON', nullable: true, resolve: (c) => c.before }),
    after: t.field({ type: 'JSON', nullable: true, resolve: (c) => c.after }),
  }),
})

const IndicatorChangeRef = builder.objectRef<DiffRow['changed'][number]>('IndicatorChange').implement({
  description: '两个版本中代码相同、内容不同的指标 / An indicator present in both editions that differs',
  fields: (t) => ({
    code: t.exposeString('code'),
    name: t.string({
      description: '新版本中的名称 / its name in the later edition',
      resolve: (c) => c.after.name,
    }),
    before: t.field({ type: Indicator, resolve: (c) => c.before }),
    after: t.field({ type: Indicator, resolve: (c) => c.after }),
    fields: t.field({ type: [FieldChangeRef], resolve: (c) => c.fields }),
  }),
})

const DiffRef = builder.objectRef<DiffRow>('IndicatorSystemDiff').implement({
  description:
    '两个指标体系版本之间的差异（按指标代码对应）/ What changed between two editions, matched by code',
  fields: (t) => ({
    from: t.field({ type: IndicatorSystem, resolve: (d) => d.from }),
    to: t.field({ type: IndicatorSystem, resolve: (d) => d.to }),
    added: t.field({ type: [Indicator], description: '新增 / only in `to`', resolve: (d) => d.added }),
    removed: t.field({ type: [Indicator], description: '删除 / only in `from`', resolve: (d) => d.removed }),
    changed: t.field({
      type: [IndicatorChangeRef],
      description: '变化 / in both, different',
      resolve: (d) => d.changed,
    }),
  }),
})

builder.queryField('indicatorSystemDiff', (t) =>
  t.field({
    type: DiffRef,
    description:
      '比较两个指标体系版本：新增、删除和变化的指标及其变化的字段 / Added, removed and changed indicators between two editions',
    args: {
      from: t.arg.globalID({
        required: true,
        description: '较早（或上级）的版本 / the earlier or base edition',
      }),
      to: t.arg.globalID({
        required: true,
        description: '较新（或下级）的版本 / the later or derived edition',
      }),
    },
    resolve: async (_root, args, context) => {
      const ids = [keyOfType(args.from, 'IndicatorSystem'), keyOfType(args.to, 'IndicatorSystem')]
      const [from, to] = await context.loader(loadSystems).loadMany(ids)
      for (const [n, edition] of [from, to].entries()) {
        if (!edition || edition instanceof Error) {
          throw notFound(
            `指标体系版本 ${ids[n]} 不存在或无权访问`,
            `Indicator system ${ids[n]} was not found`,
          )
        }
      }
      const [before, after] = await context.loader(loadIndicatorsOfSystems).loadMany(ids)
      const list = (rows: IndicatorRow[] | Error | null | undefined) => {
        if (rows instanceof Error) throw rows
        return rows ?? []
      }
      return {
        from: from as IndicatorSystemRow,
        to: to as IndicatorSystemRow,
        ...diffEditions(list(before), list(after)),
      }
    },
  }),
)
