/**
 * Building colour themes as data: each class is a 3D Tiles styling expression over the tile metadata
 * (EXT_structural_metadata properties `worstSeverity`, `use`, `yearBuilt`, `heightM`) and a CSS colour.
 * The grade theme has no tile property to test: its colours are looked up by building id (`byBuilding`), and a
 * block massing of a far view (which lists its buildings' ids in `members`) takes the worst class among them.
 * The legend is generated from the same classes, so map and legend never disagree.
 */
import { type BuildingGrade, GRADE_COLOURS, GRADES, gradeCounts } from './grades.ts'
import type { MessageKey } from './i18n.ts'
import { SEVERITY_RAMP, USE_PALETTE, YELLOW_RED_RAMP } from './ramps.ts'

export type ThemeId = 'severity' | 'use' | 'age' | 'height' | 'grade'
export const THEME_IDS: readonly ThemeId[] = ['severity', 'use', 'age', 'height', 'grade']

export interface ThemeClass {
  label: MessageKey
  /** 3D Tiles styling language condition (`${property}` refers to a feature property). */
  condition: string
  colour: string
  /** Buildings in the class, when the theme knows (themes from the API). */
  count?: number
}

export interface Theme {
  id: ThemeId
  label: MessageKey
  /** In the order of their styling conditions; a by-id theme lists them worst first (see {@link colourOfMembers}). */
  classes: readonly ThemeClass[]
  /** Colour of features matching no class (missing data). */
  fallbackColour: string
  /** Colour by building id, for themes whose data is not in the tiles; ids not in it take the fallback. */
  byBuilding?: ReadonlyMap<number, string>
}

const NO_DATA_COLOUR = '#9e9e9e'

/** A feature property reference in the styling language: `${name}`. */
function ref(name: string): string {
  return `\${${name}}`
}
const year = ref('yearBuilt')
/** A building with no known year has no `yearBuilt` (its noData): compared with a number, Cesium throws. */
const known = `${year} !== undefined`
const height = ref('heightM')

const USES = ['residential', 'commercial', 'office', 'public', 'industrial', 'mixed', 'other'] as const

export const THEMES: Record<ThemeId, Theme> = {
  severity: {
    id: 'severity',
    label: 'theme.severity',
    classes: [3, 2, 1, 0].map((s) => ({
      label: `severity.${s}` as MessageKey,
      condition: `${ref('worstSeverity')} === ${s}`,
      colour: SEVERITY_RAMP[s]!,
    })),
    fallbackColour: NO_DATA_COLOUR,
  },
  use: {
    id: 'use',
    label: 'theme.use',
    classes: USES.map((use, i) => ({
      label: `use.${use}` as MessageKey,
      condition: `${ref('use')} === '${use}'`,
      colour: USE_PALETTE[i]!,
    })),
    fallbackColour: NO_DATA_COLOUR,
  },
  age: {
    id: 'age',
    label: 'theme.age',
    classes: [
      {
        label: 'age.pre1949',
        condition: `${known} && ${year} >= 0 && ${year} < 1949`,
        colour: YELLOW_RED_RAMP[3]!,
      },
      {
        label: 'age.1949',
        condition: `${known} && ${year} >= 1949 && ${year} < 1980`,
        colour: YELLOW_RED_RAMP[2]!,
      },
      {
        label: 'age.1980',
        condition: `${known} && ${year} >= 1980 && ${year} < 2000`,
        colour: YELLOW_RED_RAMP[1]!,
      },
      { label: 'age.2000', condition: `${known} && ${year} >= 2000`, colour: YELLOW_RED_RAMP[0]! },
    ],
    fallbackColour: NO_DATA_COLOUR,
  },
  height: {
    id: 'height',
    label: 'theme.height',
    classes: [
      { label: 'height.100', condition: `${height} >= 100`, colour: YELLOW_RED_RAMP[3]! },
      { label: 'height.50', condition: `${height} >= 50`, colour: YELLOW_RED_RAMP[2]! },
      { label: 'height.24', condition: `${height} >= 24`, colour: YELLOW_RED_RAMP[1]! },
      { label: 'height.0', condition: 'true', colour: YELLOW_RED_RAMP[0]! },
    ],
    fallbackColour: NO_DATA_COLOUR,
  },
  grade: gradeTheme(),
}

/** The grade theme for a set of building grades (worst first); with none, every building is ungraded. */
export function gradeTheme(grades: readonly BuildingGrade[] = []): Theme {
  const counts = gradeCounts(grades)
  return {
    id: 'grade',
    label: 'theme.grade',
    // The tiles carry no grade: no condition matches, the colours come from `byBuilding`.
    classes: GRADES.map((grade) => ({
      label: `grade.${grade}` as MessageKey,
      condition: 'false',
      colour: GRADE_COLOURS[grade],
      count: counts[grade],
    })),
    fallbackColour: NO_DATA_COLOUR,
    byBuilding: new Map(grades.map((g) => [g.buildingId, GRADE_COLOURS[g.grade]])),
  }
}

/** The colour a by-id theme gives a building, or null for a theme that styles by tile properties. */
export function colourById(theme: Theme, buildingId: number): string | null {
  if (!theme.byBuilding) return null
  return theme.byBuilding.get(buildingId) ?? theme.fallbackColour
}

/**
 * The colour a by-id theme gives a block massing standing for the buildings `ids`: the first class (the worst)
 * any of them has, the fallback when none has one; null for a theme that styles by tile properties.
 */
export function colourOfMembers(theme: Theme, ids: Iterable<number>): string | null {
  if (!theme.byBuilding) return null
  const rank = new Map(theme.classes.map((c, i) => [c.colour, i]))
  let best = theme.classes.length
  for (const id of ids) {
    const colour = theme.byBuilding.get(id)
    const r = colour === undefined ? undefined : rank.get(colour)
    if (r !== undefined && r < best) {
      best = r
      if (best === 0) break
    }
  }
  return theme.classes[best]?.colour ?? theme.fallbackColour
}

export interface LegendEntry {
  label: MessageKey
  /** Absent on a note (a line of text without a swatch). */
  colour?: string
  count?: number
}

export function legendOf(theme: Theme): LegendEntry[] {
  return [
    ...theme.classes.map(({ label, colour, count }) =>
      count === undefined ? { label, colour } : { label, colour, count },
    ),
    // A by-id theme leaves many buildings without data: say what grey means, and what a far block's colour is.
    ...(theme.byBuilding
      ? [
          { label: 'noData' as MessageKey, colour: theme.fallbackColour },
          { label: 'legend.blockWorst' as MessageKey },
        ]
      : []),
  ]
}

/** `[condition, colour]` pairs ending with the fallback, in 3D Tiles style `color.conditions` form. */
export function colourConditions(theme: Theme): [string, string][] {
  return [
    ...theme.classes.map((c): [string, string] => [c.condition, `color('${c.colour}')`]),
    ['true', `color('${theme.fallbackColour}')`],
  ]
}
