/**
 * 节假日: the days off (and 调休 weekend days worked) that deadlines count in Asia/Shanghai. Everyone may read
 * the calendar; province and city staff edit it ('routing.write'), audited like every write. The table is one
 * for the country: the State Council sets the holidays, not a region.
 */
import { sql } from 'drizzle-orm'
import { authorize } from '../../server/auth/permissions.ts'
import type { GraphQLContext } from '../../server/graphql/context.ts'
import { badUserInput } from '../../server/graphql/errors.ts'
import { recordAudit, type SqlExecutor } from '../audit.ts'
import { builder } from '../builder.ts'

interface HolidayRow {
  day: string
  name: string
  isWorkday: boolean
}

const Holiday = builder.objectRef<HolidayRow>('Holiday').implement({
  description: '节假日或调休工作日（上海时间）/ A day off, or a weekend day worked in exchange (调休)',
  fields: (t) => ({
    day: t.exposeString('day', { description: 'YYYY-MM-DD' }),
    name: t.exposeString('name'),
    isWorkday: t.exposeBoolean('isWorkday', { description: '调休上班 / worked in exchange' }),
  }),
})

/** A calendar day as `YYYY-MM-DD` that exists (no 2 月 30 日). */
function checkDay(day: string): string {
  const time = /^\d{4}-\d{2}-\d{2}$/.test(day) ? Date.parse(`${day}T00:00:00Z`) : Number.NaN
  // Month 13 does not parse; 2 月 30 日 may parse as 2 March, which the round trip tells apart.
  const valid = !Number.isNaN(time) && new Date(time).toISOString().startsWith(day)
  if (!valid) throw badUserInput(`日期无效：${day}（格式 YYYY-MM-DD）`, `Not a date: ${day} (YYYY-MM-DD)`)
  return day
}

const HOLIDAY_COLUMNS = sql`day, name, is_workday as "isWorkday"`
const rowsOf = async <T>(tx: SqlExecutor, query: ReturnType<typeof sql>): Promise<T[]> =>
  ((await tx.execute(query)) as unknown as { rows: T[] }).rows
const auditRegion = (context: GraphQLContext) =>
  context.scope.kind === 'region' ? context.scope.regionCode : ''

builder.queryField('holidays', (t) =>
  t.field({
    type: [Holiday],
    description: '节假日与调休（按日期）/ Days off and 调休 working days, by date',
    args: {
      from: t.arg.string({ description: '起始日期（含）/ first day, YYYY-MM-DD' }),
      to: t.arg.string({ description: '截止日期（含）/ last day, YYYY-MM-DD' }),
    },
    resolve: (_root, args, context) => {
      const from = args.from ? checkDay(args.from) : '0000-01-01'
      const to = args.to ? checkDay(args.to) : '9999-12-31'
      return context.database.rows<HolidayRow>(
        sql`select ${HOLIDAY_COLUMNS} from holidays where day between ${from} and ${to} order by day`,
      )
    },
  }),
)

const SetHolidayInput = builder.inputType('SetHolidayInput', {
  fields: (t) => ({
    day: t.string({ required: true, description: 'YYYY-MM-DD' }),
    name: t.string({ required: true, description: '如「国庆节」/ e.g. 国庆节' }),
    isWorkday: t.boolean({
      description: '调休上班（默认否）/ a weekend day worked in exchange (default no)',
    }),
  }),
})

builder.mutationField('setHoliday', (t) =>
  t.field({
    type: Holiday,
    description: '设置一天为节假日或调休工作日（省级、市级）/ Sets a day off or a 调休 working day',
    args: { input: t.arg({ type: SetHolidayInput, required: true }) },
    resolve: (_root, { input }, context) => {
      authorize(context.identity, context.scope, 'routing.write')
      const day = checkDay(input.day)
      const name = input.name.trim()
      if (!name) throw badUserInput('节假日需要名称', 'A holiday needs a name')
      const isWorkday = input.isWorkday ?? false
      return context.database.db.transaction(async (tx) => {
        const [before] = await rowsOf<HolidayRow>(
          tx,
          sql`select ${HOLIDAY_COLUMNS} from holidays where day = ${day} for update`,
        )
        const [after] = await rowsOf<HolidayRow>(
          tx,
          sql`insert into holidays (day, name, is_workday) values (${day}, ${name}, ${isWorkday})
            on conflict (day) do update set name = excluded.name, is_workday = excluded.is_workday
            returning ${HOLIDAY_COLUMNS}`,
        )
        await recordAudit(tx, context, {
          entity: 'holiday',
          entityId: day,
          action: 'set',
          regionCode: auditRegion(context),
          before: before ?? null,
          after,
        })
        return after!
      })
    },
  }),
)

builder.mutationField('deleteHoliday', (t) =>
  t.field({
    type: Holiday,
    nullable: true,
    description:
      '删除一天的节假日设置，返回被删除的（没有则为空）/ Removes a day from the calendar; the removed day, or null',
    args: { day: t.arg.string({ required: true }) },
    resolve: (_root, args, context) => {
      authorize(context.identity, context.scope, 'routing.write')
      const day = checkDay(args.day)
      return context.database.db.transaction(async (tx) => {
        const [removed] = await rowsOf<HolidayRow>(
          tx,
          sql`delete from holidays where day = ${day} returning ${HOLIDAY_COLUMNS}`,
        )
        // Removing a day that is not there changes nothing and records nothing.
        if (!removed) return null
        await recordAudit(tx, context, {
          entity: 'holiday',
          entityId: day,
          action: 'delete',
          regionCode: auditRegion(context),
          before: removed,
          after: null,
        })
        return removed
      })
    },
  }),
)
