import { sql } from 'drizzle-orm'
import {
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  serial,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core'
import { datasets } from './datasets.ts'
import { geometry } from './geometry.ts'
import { regions } from './regions.ts'

/**
 * 人口网格: residents of a square grid cell by age group. `method` and `methodParameters` say how the figures
 * were produced (census, mobile signal, or derived from residential floor area).
 */
export const populationCells = pgTable(
  'population_cells',
  {
    id: serial('id').primaryKey(),
    regionCode: text('region_code')
      .notNull()
      .references(() => regions.code),
    datasetId: integer('dataset_id').references(() => datasets.id),
    /** Grid key `sizeM:col:row` in the metric CRS named by `metricSrid`. */
    cellKey: text('cell_key').notNull(),
    sizeM: doublePrecision('size_m').notNull(),
    metricSrid: integer('metric_srid').notNull(),
    geom: geometry('geom', 'Polygon').notNull(),
    centroid: geometry('centroid', 'Point').notNull(),
    children: doublePrecision('children').notNull().default(0),
    working: doublePrecision('working').notNull().default(0),
    elderly: doublePrecision('elderly').notNull().default(0),
    total: doublePrecision('total').notNull().default(0),
    method: text('method').notNull(),
    methodParameters: jsonb('method_parameters').$type<Record<string, unknown>>().notNull().default({}),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('population_cells_geom_gist').using('gist', t.geom),
    index('population_cells_centroid_gist').using('gist', t.centroid),
    index('population_cells_region_code_idx').using('btree', sql`${t.regionCode} text_pattern_ops`),
    uniqueIndex('population_cells_dataset_key').on(t.datasetId, t.cellKey),
  ],
)
