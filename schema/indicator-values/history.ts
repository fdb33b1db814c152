import { sql } from 'drizzle-orm'
import { lookupRegion } from '../../server/auth/scope.ts'
import { UNIT_TYPES } from '../../server/db/indicator-values.ts'
import type { GraphQLContext } from '../../server/graphql/context.ts'
import { notFound } from '../../server/graphql/errors.ts'
import { builder } from '../builder.ts'
import { regionVisible } from '../regions.ts'

// What the reads across years (trends, persistent weaknesses) share: the names of a value's unit and source, and
// the region a caller asks about, hidden when out of scope.

export const ValueUnitType = builder.enumType('IndicatorValueUnitType', {
  description:
    '指标值的单元类型：行政区划、街区、小区、自建房片、建筑、片区 / The kind of unit a value is for',
  values: UNIT_TYPES,
})

export const VALUE_SOURCES = ['reported', 'computed', 'imported'] as const
export type ValueSourceName = (typeof VALUE_SOURCES)[number]
export const ValueSource = builder.enumType('IndicatorValueSource', {
  description: '指标值来源：填报、计算、导入 / Where a value comes from: reported, computed, imported',
  values: VALUE_SOURCES,
})

/** The region by its code when the caller may read it: a hidden region reads as a missing one. */
export async function visibleRegion(context: GraphQLContext, code: string): Promise<{ prefix: string }> {
  const region = await lookupRegion(context.database, code)
  const [visible] = region
    ? await context.database.rows<{ code: string }>(
        sql`select r.code from regions r where r.code = ${code} and ${regionVisible(context)}`,
      )
    : []
  if (!region || !visible) throw notFound(`行政区划 ${code} 不存在或无权访问`, `Region ${code} was not found`)
  return region
}
