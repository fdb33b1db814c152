import { sql } from 'drizzle-orm'
import {
  boolean,
  date,
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

/** 街区: a block, the unit between district/street and compound. */
export const blocks = pgTable(
  'blocks',
  {
    id: serial('id').primaryKey(),
    regionCode: text('region_code')
      .notNull()
      .references(() => regions.code),
    name: text('name'),
    geom: geometry('geom', 'MultiPolygon').notNull(),
    areaM2: doublePrecision('area_m2'),
    datasetId: integer('dataset_id').references(() => datasets.id),
    sourceId: text('source_id'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('blocks_geom_gist').using('gist', t.geom),
    index('blocks_region_code_idx').using('btree', sql`${t.regionCode} text_pattern_ops`),
    uniqueIndex('blocks_dataset_source_key').on(t.datasetId, t.sourceId),
  ],
)

/** 小区 (residential compound) or a cluster of self-built houses (自建房). */
export const compounds = pgTable(
  'compounds',
  {
    id: serial('id').primaryKey(),
    regionCode: text('region_code')
      .notNull()
      .references(() => regions.code),
    blockId: integer('block_id').references(() => blocks.id),
    name: text('name'),
    kind: text('kind', { enum: ['compound', 'self_built_cluster'] })
      .notNull()
      .default('compound'),
    geom: geometry('geom', 'MultiPolygon').notNull(),
    areaM2: doublePrecision('area_m2'),
    yearBuilt: integer('year_built'),
    households: integer('households'),
    residents: doublePrecision('residents'),
    datasetId: integer('dataset_id').references(() => datasets.id),
    source: text('source').notNull().default('import'),
    sourceId: text('source_id'),
    attributes: jsonb('attributes').$type<Record<string, unknown>>().notNull().default({}),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('compounds_geom_gist').using('gist', t.geom),
    index('compounds_region_code_idx').using('btree', sql`${t.regionCode} text_pattern_ops`),
    index('compounds_block_id_idx').on(t.blockId),
    uniqueIndex('compounds_dataset_source_key').on(t.datasetId, t.sourceId),
  ],
)

export const BUILDING_USES = [
  'residential',
  'commercial',
  'office',
  'public',
  'industrial',
  'mixed',
  'other',
] as const
export type BuildingUse = (typeof BUILDING_USES)[number]

/**
 * Where a building's height comes from: the imported data's own tag (or its parts), an estimate from the
 * neighbours, or a DSM raster (ADR 0020).
 */
export const HEIGHT_SOURCES = ['import', 'estimated', 'dsm'] as const
export type HeightSource = (typeof HEIGHT_SOURCES)[number]
/** How trustworthy a DSM height is: enough clear pixels, too few for the footprint, or partly nodata. */
export const HEIGHT_QUALITIES = ['good', 'coarse', 'partial'] as const
export type HeightQuality = (typeof HEIGHT_QUALITIES)[number]

/** 建筑: a building of the city model (LOD1: footprint + height). */
export const buildings = pgTable(
  'buildings',
  {
    id: serial('id').primaryKey(),
    regionCode: text('region_code')
      .notNull()
      .references(() => regions.code),
    compoundId: integer('compound_id').references(() => compounds.id),
    blockId: integer('block_id').references(() => blocks.id),
    name: text('name'),
    nameEn: text('name_en'),
    footprint: geometry('footprint', 'MultiPolygon').notNull(),
    /**
     * The footprint as GeoJSON text, kept by PostgreSQL beside the geometry: map viewports ask for footprints on
     * every pan, and writing GeoJSON once per change instead of once per read takes a third off the statement.
     */
    footprintGeojson: text('footprint_geojson').generatedAlwaysAs(sql`ST_AsGeoJSON(footprint, 9)`),
    /** A point inside the footprint (ST_PointOnSurface), for labels, distances and grid aggregation. */
    centroid: geometry('centroid', 'Point').notNull(),
    footprintAreaM2: doublePrecision('footprint_area_m2').notNull(),
    heightM: doublePrecision('height_m').notNull(),
    heightEstimated: boolean('height_estimated').notNull().default(false),
    heightSource: text('height_source', { enum: HEIGHT_SOURCES }).notNull().default('import'),
    /** How the height was derived, in words (e.g. the percentiles of a DSM); null for the source's own tag. */
    heightMethod: text('height_method'),
    /** When the raster the height was measured from was taken. */
    heightRasterDate: date('height_raster_date', { mode: 'string' }),
    heightQuality: text('height_quality', { enum: HEIGHT_QUALITIES }),
    minHeightM: doublePrecision('min_height_m').notNull().default(0),
    floors: integer('floors'),
    floorsEstimated: boolean('floors_estimated').notNull().default(false),
    floorAreaM2: doublePrecision('floor_area_m2'),
    use: text('use', { enum: BUILDING_USES }).notNull().default('other'),
    yearBuilt: integer('year_built'),
    structure: text('structure'),
    /** 标准地址 (一标三实): the normalised standard address used as join key. */
    standardAddress: text('standard_address'),
    residents: doublePrecision('residents'),
    datasetId: integer('dataset_id').references(() => datasets.id),
    source: text('source').notNull().default('import'),
    sourceId: text('source_id'),
    attributes: jsonb('attributes').$type<Record<string, unknown>>().notNull().default({}),
    isPublic: boolean('is_public').notNull().default(true),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('buildings_footprint_gist').using('gist', t.footprint),
    index('buildings_centroid_gist').using('gist', t.centroid),
    index('buildings_region_code_idx').using('btree', sql`${t.regionCode} text_pattern_ops`),
    index('buildings_compound_id_idx').on(t.compoundId),
    index('buildings_block_id_idx').on(t.blockId),
    index('buildings_use_idx').on(t.use),
    uniqueIndex('buildings_dataset_source_key').on(t.datasetId, t.sourceId),
  ],
)
