import { sql } from 'drizzle-orm'
import {
  boolean,
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

/** Facility types of the life-circle standard (GB 50180-2018) and the indicator catalogue. */
export const FACILITY_TYPES = [
  'elderly_care',
  'infant_care',
  'kindergarten',
  'primary_school',
  'middle_school',
  'clinic',
  'hospital',
  'market',
  'supermarket',
  'culture_center',
  'sports_ground',
  'park',
  'fire_station',
  'police',
  'parking',
  'ev_charging',
  'bus_stop',
  'subway_entrance',
  'shelter',
] as const
export type FacilityType = (typeof FACILITY_TYPES)[number]

/** 公共服务设施: a point facility with an optional capacity (places, beds, spaces). */
export const facilities = pgTable(
  'facilities',
  {
    id: serial('id').primaryKey(),
    regionCode: text('region_code')
      .notNull()
      .references(() => regions.code),
    type: text('type', { enum: FACILITY_TYPES }).notNull(),
    name: text('name'),
    nameEn: text('name_en'),
    geom: geometry('geom', 'Point').notNull(),
    capacity: doublePrecision('capacity'),
    capacityUnit: text('capacity_unit'),
    capacityEstimated: boolean('capacity_estimated').notNull().default(false),
    /** Site area in m² (parks, sports grounds), for per-capita indicators. */
    areaM2: doublePrecision('area_m2'),
    datasetId: integer('dataset_id').references(() => datasets.id),
    source: text('source').notNull().default('import'),
    sourceId: text('source_id'),
    attributes: jsonb('attributes').$type<Record<string, unknown>>().notNull().default({}),
    isPublic: boolean('is_public').notNull().default(true),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('facilities_geom_gist').using('gist', t.geom),
    index('facilities_type_idx').on(t.type),
    index('facilities_region_code_idx').using('btree', sql`${t.regionCode} text_pattern_ops`),
    uniqueIndex('facilities_dataset_source_key').on(t.datasetId, t.sourceId),
  ],
)
