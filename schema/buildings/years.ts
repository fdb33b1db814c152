/**
 * The span of construction years a reader can see, for timelines (the viewer's time slider starts at the
 * oldest building with a year): the earliest and latest year and how many buildings have one.
 */
import { sql } from 'drizzle-orm'
import { badUserInput } from '../../server/graphql/errors.ts'
import { builder } from '../builder.ts'
import { regionPrefix } from '../support/live.ts'
import { buildingVisible } from './buildings.ts'

interface YearSpan {
  earliest: number | null
  latest: number | null
  withYear: number
  buildings: number
}

const BuildingYearSpan = builder.objectRef<YearSpan>('BuildingYearSpan').implement({
  description: '建筑建成年份的范围 / The span of the buildings’ construction years',
  fields: (t) => ({
    earliest: t.exposeInt('earliest', { nullable: true, description: '最早建成年份 / earliest year built' }),
    latest: t.exposeInt('latest', { nullable: true, description: '最晚建成年份 / latest year built' }),
    withYear: t.exposeInt('withYear', { description: '有建成年份的建筑数 / buildings with a known year' }),
    buildings: t.exposeInt('buildings', { description: '建筑总数 / all buildings' }),
  }),
})

builder.queryField('buildingYearSpan', (t) =>
  t.field({
    type: BuildingYearSpan,
    description:
      '可见建筑的建成年份范围（可按行政区划）/ The construction years of the buildings the reader sees, optionally within a region',
    args: {
      regionCode: t.arg.string({
        description: '行政区划代码（含下级）/ region code, with the regions under it',
      }),
    },
    resolve: async (_root, args, context) => {
      const code = args.regionCode
      if (code && !/^\d{6,12}$/.test(code))
        throw badUserInput(`无效的行政区划代码 ${code}`, `Invalid region code ${code}`)
      const region = code ? sql`and b.region_code like ${`${regionPrefix(code)}%`}` : sql``
      const [span] = await context.database.rows<YearSpan>(
        sql`select min(b.year_built)::int as earliest, max(b.year_built)::int as latest,
            count(b.year_built)::int as "withYear", count(*)::int as buildings
          from buildings b where ${buildingVisible(context)} ${region}`,
      )
      return span ?? { earliest: null, latest: null, withYear: 0, buildings: 0 }
    },
  }),
)
