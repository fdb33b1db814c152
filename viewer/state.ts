/** The viewer's page state (what the panel and the details show) and the handle it exposes to tests. */
import { DEFAULT_GAP_FACILITY_TYPE, type DistanceModel } from './core/gaps.ts'
import type { GradedIndicator } from './core/grades.ts'
import type { Lang, MessageKey } from './core/i18n.ts'
import type { LiveStatus } from './core/live.ts'
import type { CameraPreset } from './core/presets.ts'
import { THEMES, type Theme, type ThemeId } from './core/themes.ts'
import type { CityMap } from './map/types.ts'
import type { DetailsView } from './ui/details.ts'

/** What the viewer exposes for tests and the benchmark. */
export interface ViewerHandle {
  ready: boolean
  error: string | null
  map: CityMap | null
  /** Id of the building whose details are shown, once they have been fetched (0: a block massing's). */
  detailsFor: number | null
  /** Facility markers shown, once loaded. */
  facilities: number | null
  /**
   * The tileset loaded: the public one (no problem attributes) without a token, the token's region's with one.
   */
  tilesetUrl: string | null
  /** Times the buildings were reloaded because the server rewrote tiles. */
  tilesetVersion: number
  /** `problemChanged` events received over the GraphQL subscription. */
  liveEvents: number
  /** State of the subscription's WebSocket. */
  live: LiveStatus
  /** Coverage overlays shown (blind-spot polygons, demand points), once loaded; null while not loaded. */
  gaps: { runId: number | null; facilityType: string; blindSpots: number; demandPoints: number } | null
  /** Grade theme data shown, once loaded: campaign, indicator (null: worst over all) and graded buildings. */
  grades: { campaignId: number | null; indicatorCode: string | null; buildings: number } | null
  /** Uncovered-population markers shown, once loaded (`served`: their uncovered served residents). */
  uncoveredCells: { runId: number | null; facilityType: string; cells: number; served: number } | null
  /** Renewal areas drawn, once loaded. */
  renewalAreas: number | null
  /** The cities offered (docs/adr/0024) and the one shown, once its tileset is loaded (null while switching). */
  cities: string[]
  city: string | null
  /** Camera presets offered, with what their extents came from. */
  presets: { key: string; source: string }[]
  /** The years shown left and right of the splitter, while comparing. */
  compare: { left: number; right: number } | null
  /** The base map drawn, once loaded and built: its region and what it holds. */
  baseMap: { regionCode: string; areas: number; lines: number; labels: number } | null
  /** The renewal overlays drawn (polygon parts, points, markers) and the lists read, once loaded. */
  plan: {
    resourcePolygons: number
    resourcePoints: number
    zoningPolygons: number
    projects: number
    loaded: { resources: number; zoning: number; projects: number }
  } | null
}

declare global {
  interface Window {
    __citycheck: ViewerHandle
    /** Where Cesium's Workers, Assets, ThirdParty and Widgets are served (set in index.html). */
    CESIUM_BASE_URL: string
  }
}

export function createHandle(): ViewerHandle {
  return {
    ready: false,
    error: null,
    map: null,
    detailsFor: null,
    facilities: null,
    tilesetUrl: null,
    cities: [],
    city: null,
    tilesetVersion: 0,
    liveEvents: 0,
    live: 'connecting',
    gaps: null,
    grades: null,
    uncoveredCells: null,
    renewalAreas: null,
    presets: [],
    baseMap: null,
    compare: null,
    plan: null,
  }
}

/**
 * The theme a page opens on: with a token, the check's grades (every building takes the grade of the most specific
 * unit with a value, so the whole city is coloured); without one, grades are not public and building use is.
 */
export function openingTheme(signedIn: boolean): ThemeId {
  return signedIn ? 'grade' : 'use'
}

/** The state of a page opened in `lang`. */
export function initialState(lang: Lang, themeId: ThemeId = 'severity') {
  return {
    lang,
    themeId,
    buildingsVisible: true,
    facilitiesVisible: true,
    blindSpotsVisible: false,
    demandPointsVisible: false,
    gapFacilityType: DEFAULT_GAP_FACILITY_TYPE,
    gapsHint: null as MessageKey | null,
    gapsModel: null as DistanceModel | null,
    theme: THEMES[themeId] as Theme,
    gradeIndicator: null as string | null,
    gradeIndicators: [] as GradedIndicator[],
    gradeCampaign: null as string | null,
    gradesHint: null as MessageKey | null,
    uncoveredCellsVisible: false,
    /** What the uncovered-population layer shows: a hint, or the served groups and their uncovered total. */
    cells: { hint: 'gapsSignIn', groups: [], served: 0 } as {
      hint: MessageKey | null
      groups: string[]
      served: number
    },
    renewalAreasVisible: false,
    renewalHint: null as MessageKey | null,
    baseMapVisible: true,
    status: '',
    details: null as DetailsView | null,
    presets: [] as CameraPreset[],
  }
}

export type ViewerState = ReturnType<typeof initialState>
