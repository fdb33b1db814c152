import { sql } from 'drizzle-orm'
import { index, integer, pgTable, serial, text } from 'drizzle-orm/pg-core'
import { datasets } from './datasets.ts'
import { geometry } from './geometry.ts'
import { regions } from './regions.ts'

/**
 * What covers the ground between the buildings — water, green, other land use — as imported with a city: the
 * base map of the viewer and the screen (docs/adr/0019). Not analysed; parks that serve residents are facilities.
 */
export const landCover = pgTable(
  'land_cover',
  {
    id: serial('id').primaryKey(),
    regionCode: text('region_code').references(() => regions.code),
    /** `water`, `green` or `landuse`: how the base map draws it. */
    cover: text('cover', { enum: ['water', 'green', 'landuse'] }).notNull(),
    /** The source kind (`riverbank`, `grass`, `commercial` …). */
    kind: text('kind').notNull(),
    name: text('name'),
    geom: geometry('geom', 'MultiPolygon').notNull(),
    datasetId: integer('dataset_id').references(() => datasets.id),
    sourceId: text('source_id'),
  },
  (t) => [
    index('land_cover_geom_gist').using('gist', t.geom),
    index('land_cover_region_code_idx').using('btree', sql`${t.regionCode} text_pattern_ops`),
    index('land_cover_dataset_id_idx').on(t.datasetId),
  ],
)
