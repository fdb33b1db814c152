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
import { geometry } from './geometry.ts'
import { regions } from './regions.ts'

/** What a stock resource is (存量资源的类型); a city may add its own kinds beside these. */
export const RESOURCE_KINDS = [
  'idle_land',
  'idle_building',
  'underused_building',
  'vacated_factory',
  'under_bridge_space',
  'corner_space',
  'parking',
] as const
export const RESOURCE_STATES = ['reported', 'verified', 'rejected'] as const
export type ResourceState = (typeof RESOURCE_STATES)[number]
/** How a resource entered the one-map: a department's file, a street's field report, or derived from OSM tags. */
export const RESOURCE_SOURCES = ['import', 'field', 'osm'] as const

/** 存量资源: idle land, idle buildings, under-bridge space, vacated village land… */
export const stockResources = pgTable(
  'stock_resources',
  {
    id: serial('id').primaryKey(),
    /** 编号: the resource's number in the 资源清单, e.g. `ZY-310101-0001`. */
    code: text('code'),
    regionCode: text('region_code')
      .notNull()
      .references(() => regions.code),
    kind: text('kind').notNull(),
    name: text('name'),
    geom: geometry('geom').notNull(),
    areaM2: doublePrecision('area_m2'),
    ownership: text('ownership'),
    currentUse: text('current_use'),
    department: text('department'),
    layer: text('layer'),
    address: text('address'),
    source: text('source', { enum: RESOURCE_SOURCES }).notNull().default('import'),
    /** The record's id in its source (a department's file, an OSM element): re-imports update, not duplicate. */
    sourceKey: text('source_key'),
    verificationState: text('verification_state', { enum: RESOURCE_STATES }).notNull().default('reported'),
    reportedBy: text('reported_by'),
    reportedAt: timestamp('reported_at', { withTimezone: true }).notNull().defaultNow(),
    /** Who verified or rejected it: never the reporter (checked in the mutation). */
    verifiedBy: text('verified_by'),
    verifiedAt: timestamp('verified_at', { withTimezone: true }),
    verificationNote: text('verification_note'),
    attributes: jsonb('attributes').$type<Record<string, unknown>>().notNull().default({}),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('stock_resources_geom_gist').using('gist', t.geom),
    index('stock_resources_region_code_idx').using('btree', sql`${t.regionCode} text_pattern_ops`),
    uniqueIndex('stock_resources_code_key').on(t.code),
    uniqueIndex('stock_resources_source_key').on(t.source, t.layer, t.sourceKey),
  ],
)

/** Photos of a resource taken in the field by the reporter or the verifier (files in the evidence store). */
export const stockResourcePhotos = pgTable(
  'stock_resource_photos',
  {
    id: serial('id').primaryKey(),
    resourceId: integer('resource_id')
      .notNull()
      .references(() => stockResources.id, { onDelete: 'cascade' }),
    sha256: text('sha256').notNull(),
    byteSize: integer('byte_size').notNull(),
    mediaType: text('media_type').notNull(),
    fileName: text('file_name').notNull(),
    regionCode: text('region_code').notNull(),
    uploadedBy: text('uploaded_by').notNull(),
    uploadedAt: timestamp('uploaded_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('stock_resource_photos_resource_idx').on(t.resourceId)],
)
