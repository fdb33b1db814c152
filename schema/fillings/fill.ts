import { badUserInput } from '../../server/graphql/errors.ts'
import { builder } from '../builder.ts'
import { checkRegionCode, databaseKey } from './keys.ts'
import { type FillOutcome, type FillRejection, fillValues } from './values.ts'

/** Values one request may write: a district's whole filling (about 50 indicators × its streets) fits. */
export const MAX_VALUES_PER_FILL = 5_000

const FilledValueInput = builder.inputType('FilledValueInput', {
  fields: (t) => ({
    indicatorCode: t.string({ required: true }),
    unitKey: t.string({ required: true, description: '单元编号（区划为代码）/ the unit (a region’s code)' }),
    value: t.float({
      description: '填报值；与 rawValue 均为空时清除 / the value; null (and no rawValue) clears it',
    }),
    rawValue: t.string({
      description:
        '原样转交的输入（表单、粘贴的单元格），按工作簿单元格的规则检查；value 为空时使用 / the input as typed, checked like a workbook cell; used when value is null',
    }),
    remark: t.string({ description: '备注 / remark' }),
  }),
})

const FillIndicatorValuesInput = builder.inputType('FillIndicatorValuesInput', {
  fields: (t) => ({
    campaignId: t.id({ required: true, description: 'databaseId 或全局 ID / databaseId or global ID' }),
    regionCode: t.string({ required: true, description: '填报单位（区，或市）/ the filling region' }),
    values: t.field({ type: [FilledValueInput], required: true }),
  }),
})

const FillRejectionType = builder.objectRef<FillRejection>('FillRejection').implement({
  description: '未写入的值及原因 / A value not written, and why',
  fields: (t) => ({
    index: t.exposeInt('index', { description: '在输入中的位置（从 0 起）/ position in the input' }),
    indicator: t.exposeString('indicator'),
    unitKey: t.exposeString('unitKey'),
    message: t.exposeString('message'),
  }),
})

const FillPayload = builder.objectRef<FillOutcome>('FillIndicatorValuesPayload').implement({
  fields: (t) => ({
    accepted: t.exposeInt('accepted'),
    rejected: t.field({ type: [FillRejectionType], resolve: (o) => o.rejected }),
  }),
})

builder.mutationField('fillIndicatorValues', (t) =>
  t.field({
    type: FillPayload,
    description:
      '填报指标值：有效的值在一个事务中写入，无效的逐条说明原因；已提交或已锁定的填报返回 CONFLICT / Writes the valid values in one transaction and names every invalid one; CONFLICT while under review or locked',
    args: { input: t.arg({ type: FillIndicatorValuesInput, required: true }) },
    resolve: (_root, { input }, context) => {
      if (input.values.length > MAX_VALUES_PER_FILL) {
        throw badUserInput(
          `一次最多填报 ${MAX_VALUES_PER_FILL} 个值`,
          `At most ${MAX_VALUES_PER_FILL} values per request`,
        )
      }
      return fillValues(
        context,
        databaseKey(input.campaignId, 'Campaign'),
        checkRegionCode(input.regionCode),
        input.values.map((v) => ({
          indicatorCode: v.indicatorCode,
          unitKey: v.unitKey,
          value: v.value ?? v.rawValue ?? null,
          remark: v.remark ?? null,
        })),
      )
    },
  }),
)
