import { sql } from 'drizzle-orm'
import {
  boolean,
  doublePrecision,
  index,
  integer,
  pgTable,
  serial,
  text,
  timestamp,
} from 'drizzle-orm/pg-core'
import { datasets } from './datasets.ts'
import { geometry } from './geometry.ts'
import { regions } from './regions.ts'

/** Roads and paths, the network for walking-distance analysis and road-density indicators. */
export const roads = pgTable(
  'roads',
  {
    id: serial('id').primaryKey(),
    regionCode: text('region_code')
      .notNull()
      .references(() => regions.code),
    kind: text('kind').notNull(),
    kindDetail: text('kind_detail'),
    name: text('name'),
    geom: geometry('geom', 'LineString').notNull(),
    lengthM: doublePrecision('length_m').notNull(),
    walkable: boolean('walkable').notNull().default(true),
    datasetId: integer('dataset_id').references(() => datasets.id),
    sourceId: text('source_id'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('roads_geom_gist').using('gist', t.geom),
    index('roads_region_code_idx').using('btree', sql`${t.regionCode} text_pattern_ops`),
    index('roads_dataset_id_idx').on(t.datasetId),
  ],
)
