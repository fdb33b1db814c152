import { BUILDING_USES } from '../../server/db/buildings.ts'
import type { TileAttributes } from './types.ts'

/**
 * Enum members of the `use` property, in value order (value = index): the database's own list, so a use added
 * there is a value here too.
 */
export { BUILDING_USES }

/** Sentinel for missing `floors` / `yearBuilt` (INT16). */
export const INT16_NO_DATA = -1

const OTHER_USE = BUILDING_USES.indexOf('other')
const USE_NO_DATA = 255
const useValue = new Map<string, number>(BUILDING_USES.map((name, i) => [name, i]))

/**
 * EXT_structural_metadata schema of a tileset with problem attributes (a region's tileset, read with a token):
 * shared by its GLBs and tileset.json. The enum reserves a `noData` member because a property table column
 * cannot be absent for single rows.
 */
export const METADATA_SCHEMA = {
  id: 'citycheck_buildings',
  name: 'CityCheck buildings',
  version: '1',
  classes: {
    building: {
      name: 'Building',
      properties: {
        id: {
          description: 'Database id of the building',
          type: 'SCALAR',
          componentType: 'UINT32',
          required: true,
        },
        heightM: {
          description: 'Height above base, metres',
          type: 'SCALAR',
          componentType: 'FLOAT32',
          required: true,
        },
        floors: { type: 'SCALAR', componentType: 'INT16', noData: INT16_NO_DATA },
        use: { type: 'ENUM', enumType: 'buildingUse', noData: 'unknown' },
        yearBuilt: { type: 'SCALAR', componentType: 'INT16', noData: INT16_NO_DATA },
        openProblems: {
          description: 'Open problems; saturates at 65535',
          type: 'SCALAR',
          componentType: 'UINT16',
          required: true,
        },
        worstSeverity: {
          description: '0 none, 1 low, 2 medium, 3 high',
          type: 'SCALAR',
          componentType: 'UINT8',
          required: true,
        },
        buildings: {
          description:
            'Buildings the feature stands for: 1 for a building; a block massing of a coarse tile (id 0) stands for several',
          type: 'SCALAR',
          componentType: 'UINT32',
          required: true,
        },
        members: {
          description:
            'Ids of the buildings a block massing stands for, ascending; absent from the tables of leaf tiles',
          type: 'SCALAR',
          componentType: 'UINT32',
          array: true,
        },
      },
    },
  },
  enums: {
    buildingUse: {
      valueType: 'UINT8',
      values: [
        ...BUILDING_USES.map((name, value) => ({ name, value })),
        { name: 'unknown', value: USE_NO_DATA },
      ],
    },
  },
} as const

export const METADATA_CLASS = 'building'

/** Properties only a reader with a token may see: problems are not public (docs/adr/0006). */
export const PROBLEM_PROPERTIES = ['openProblems', 'worstSeverity'] as const

const {
  openProblems: _openProblems,
  worstSeverity: _worstSeverity,
  ...PUBLIC_PROPERTIES
} = METADATA_SCHEMA.classes.building.properties

/** The schema of the public tileset: the same, without the problem properties (dropped, not written as no data). */
export const PUBLIC_METADATA_SCHEMA = {
  ...METADATA_SCHEMA,
  id: 'citycheck_buildings_public',
  name: 'CityCheck buildings (public)',
  classes: { building: { name: 'Building', properties: PUBLIC_PROPERTIES } },
} as const

/** The schema of a tileset with or without the problem properties. */
export function metadataSchema(withProblems: boolean) {
  return withProblems ? METADATA_SCHEMA : PUBLIC_METADATA_SCHEMA
}

/** One typed column per schema property, in schema order. */
export interface PropertyColumns {
  id: Uint32Array
  heightM: Float32Array
  floors: Int16Array
  use: Uint8Array
  yearBuilt: Int16Array
  openProblems: Uint16Array
  worstSeverity: Uint8Array
  buildings: Uint32Array
}

function clampInt(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, Math.round(v)))
}

function optionalInt16(v: number | null): number {
  if (v === null || !Number.isFinite(v)) return INT16_NO_DATA
  return clampInt(v, -32768, 32767)
}

/**
 * The `members` column of massing rows as a variable-length array: the ids one after the other and the offset
 * of each row's first id (one more offset than rows); null when no row has members (a leaf tile).
 */
export function encodeMembers(
  rows: readonly TileAttributes[],
): { values: Uint32Array; offsets: Uint32Array } | null {
  if (!rows.some((b) => b.members)) return null
  const offsets = new Uint32Array(rows.length + 1)
  for (let i = 0; i < rows.length; i++) offsets[i + 1] = offsets[i]! + (rows[i]!.members?.length ?? 0)
  const values = new Uint32Array(offsets[rows.length]!)
  for (let i = 0; i < rows.length; i++) {
    const members = rows[i]!.members
    if (members) values.set(members, offsets[i])
  }
  return { values, offsets }
}

/** The columns of a public tile: no problem columns. */
export type PublicPropertyColumns = Omit<PropertyColumns, (typeof PROBLEM_PROPERTIES)[number]>

/**
 * Encodes property-table rows; out-of-range values saturate rather than wrap. Without `withProblems` the problem
 * columns are left out.
 */
export function encodePropertyColumns(
  rows: readonly TileAttributes[],
  withProblems = true,
): PropertyColumns | PublicPropertyColumns {
  const n = rows.length
  const cols: PropertyColumns = {
    id: new Uint32Array(n),
    heightM: new Float32Array(n),
    floors: new Int16Array(n),
    use: new Uint8Array(n),
    yearBuilt: new Int16Array(n),
    openProblems: new Uint16Array(n),
    worstSeverity: new Uint8Array(n),
    buildings: new Uint32Array(n),
  }
  for (let i = 0; i < n; i++) {
    const b = rows[i]!
    cols.id[i] = b.id
    cols.heightM[i] = b.heightM
    cols.floors[i] = optionalInt16(b.floors)
    cols.use[i] = b.use === null ? USE_NO_DATA : (useValue.get(b.use) ?? OTHER_USE)
    cols.yearBuilt[i] = optionalInt16(b.yearBuilt)
    cols.openProblems[i] = Number.isFinite(b.openProblems) ? clampInt(b.openProblems, 0, 65535) : 0
    cols.worstSeverity[i] = Number.isFinite(b.worstSeverity) ? clampInt(b.worstSeverity, 0, 255) : 0
    cols.buildings[i] = b.buildings ?? 1
  }
  if (withProblems) return cols
  const { openProblems: _p, worstSeverity: _s, ...publicCols } = cols
  return publicCols
}
