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

/**
 * 标准地址 (一标三实): one address of a city's standard-address list, split into its hierarchy, with the
 * normalised text that matching and joins use (ADR 0020).
 */
export const standardAddresses = pgTable(
  'standard_addresses',
  {
    id: serial('id').primaryKey(),
    /** The city's own address code, when the list has one. */
    code: text('code'),
    regionCode: text('region_code').references(() => regions.code),
    province: text('province'),
    city: text('city'),
    district: text('district'),
    /** 街道 / 镇 */
    street: text('street'),
    /** 街路巷 */
    road: text('road'),
    /** 门牌号 (a lane's number included: `126弄5-21`) */
    number: text('number'),
    /** 楼栋 */
    building: text('building'),
    unit: text('unit'),
    room: text('room'),
    /** The normalised full address, the join key. */
    normalised: text('normalised').notNull(),
    /** The address as the list wrote it. */
    raw: text('raw').notNull(),
    /** Where the list gave a point (converted to WGS84/CGCS2000 on the way in). */
    geom: geometry('geom', 'Point'),
    /** The list it came from (file name) and the row in it. */
    source: text('source').notNull(),
    sourceRow: integer('source_row'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('standard_addresses_normalised_idx').on(t.normalised),
    index('standard_addresses_road_number_idx').on(t.road, t.number),
    index('standard_addresses_geom_gist').using('gist', t.geom),
    uniqueIndex('standard_addresses_source_row_key').on(t.source, t.sourceRow),
  ],
)

export const ADDRESS_TARGETS = ['building', 'opinion', 'resource'] as const
export type AddressTarget = (typeof ADDRESS_TARGETS)[number]
export const ADDRESS_MATCH_STATES = ['matched', 'ambiguous', 'unmatched', 'confirmed', 'rejected'] as const
export type AddressMatchState = (typeof ADDRESS_MATCH_STATES)[number]

/**
 * How a standard address meets a building (or an appeal, a resource): the best target with its score, the
 * candidates when several tie, the reason in both languages, and who confirmed or rejected an ambiguous one.
 */
export const addressMatches = pgTable(
  'address_matches',
  {
    id: serial('id').primaryKey(),
    addressId: integer('address_id')
      .notNull()
      .references(() => standardAddresses.id, { onDelete: 'cascade' }),
    targetType: text('target_type', { enum: ADDRESS_TARGETS }).notNull(),
    /** The matched or confirmed target; null while ambiguous or unmatched. */
    targetId: integer('target_id'),
    candidateIds: integer('candidate_ids').array().notNull().default(sql`'{}'::int[]`),
    score: doublePrecision('score').notNull().default(0),
    state: text('state', { enum: ADDRESS_MATCH_STATES }).notNull(),
    reason: text('reason').notNull(),
    reasonEn: text('reason_en').notNull(),
    details: jsonb('details').$type<Record<string, unknown>>().notNull().default({}),
    decidedBy: text('decided_by'),
    decidedAt: timestamp('decided_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // Not unique: many appeals may name one address; a re-import replaces an address's rows instead.
    index('address_matches_address_idx').on(t.addressId, t.targetType),
    index('address_matches_target_idx').on(t.targetType, t.targetId),
    index('address_matches_state_idx').on(t.state),
  ],
)
