import { sql } from 'drizzle-orm'
import { doublePrecision, index, pgTable, serial, text, timestamp } from 'drizzle-orm/pg-core'
import { geometry } from './geometry.ts'
import { regions } from './regions.ts'

export const FIELD_PHOTO_KINDS = ['street_view', 'field'] as const
export type FieldPhotoKind = (typeof FIELD_PHOTO_KINDS)[number]

/**
 * 街景与现场照片: a photo taken at a point, looking one way (street view always, a field photo when the camera
 * knew), at a time; linked to the buildings and problems in view by distance and heading when read (ADR 0020).
 */
export const fieldPhotos = pgTable(
  'field_photos',
  {
    id: serial('id').primaryKey(),
    kind: text('kind', { enum: FIELD_PHOTO_KINDS }).notNull(),
    regionCode: text('region_code')
      .notNull()
      .references(() => regions.code),
    geom: geometry('geom', 'Point').notNull(),
    /** Compass heading the camera looked along, degrees clockwise from north; null when unknown. */
    headingDeg: doublePrecision('heading_deg'),
    takenAt: timestamp('taken_at', { withTimezone: true }).notNull(),
    /** Where the image is: the street-view provider's or the evidence store's URL. */
    url: text('url').notNull(),
    caption: text('caption'),
    createdBy: text('created_by'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('field_photos_geom_gist').using('gist', t.geom),
    index('field_photos_region_code_idx').using('btree', sql`${t.regionCode} text_pattern_ops`),
  ],
)
