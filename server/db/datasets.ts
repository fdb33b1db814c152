import { index, jsonb, pgTable, serial, text, timestamp } from 'drizzle-orm/pg-core'

/**
 * Where a set of rows came from: an import of files, a derivation (population from floor area) or a synthetic
 * generator. Derived data names its method and parameters here, so a reader can tell measured from estimated.
 */
export const datasets = pgTable(
  'datasets',
  {
    id: serial('id').primaryKey(),
    name: text('name').notNull(),
    kind: text('kind', { enum: ['import', 'derived', 'synthetic', 'reported'] }).notNull(),
    regionCode: text('region_code'),
    method: text('method'),
    parameters: jsonb('parameters').$type<Record<string, unknown>>().notNull().default({}),
    report: jsonb('report').$type<Record<string, unknown>>(),
    licence: text('licence'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('datasets_region_code_idx').on(t.regionCode)],
)
