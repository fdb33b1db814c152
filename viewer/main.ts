/** Viewer entry: wires core (themes, strings), map (Cesium behind CityMap) and the thin DOM UI. */
import './style.css'
import {
  type BuildingDetails,
  fetchBuildingDetails,
  fetchBuildingGrades,
  fetchCoverageGaps,
  fetchDistrictExtents,
  fetchDistricts,
  fetchFacilities,
  fetchRenewalAreas,
  fetchUncoveredCells,
  setAuthToken,
} from './core/api.ts'
import { cellOverlay, EMPTY_CELLS } from './core/cells.ts'
import { FACILITY_CATEGORIES, facilityCategory, representativePoint } from './core/facilities.ts'
import { DEFAULT_GAP_FACILITY_TYPE, type DistanceModel, EMPTY_OVERLAY, gapOverlay } from './core/gaps.ts'
import type { GradedIndicator } from './core/grades.ts'
import { isMessageKey, type Lang, type MessageKey, translator } from './core/i18n.ts'
import { type LiveStatus, watchLive } from './core/live.ts'
import { isMassing } from './core/massing.ts'
import { type CameraPreset, CITY_CODE, cameraPresets } from './core/presets.ts'
import { renewalOutlines } from './core/renewal.ts'
import { gradeTheme, legendOf, THEMES, type Theme, type ThemeId } from './core/themes.ts'
import { createCesiumMap, OSM_ATTRIBUTION } from './map/cesiumMap.ts'
import type { CityMap, PickedBuilding } from './map/types.ts'
import { type DetailsView, renderDetails } from './ui/details.ts'
import { renderPanel } from './ui/panel.ts'

/** What the viewer exposes for tests and the benchmark. */
export interface ViewerHandle {
  ready: boolean
  error: string | null
  map: CityMap | null
  /** Id of the building whose details are shown, once they have been fetched (0: a block massing's). */
  detailsFor: number | null
  /** Facility markers shown, once loaded. */
  facilities: number | null
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
  /** Camera presets offered, with what their extents came from. */
  presets: { key: string; source: string }[]
}

declare global {
  interface Window {
    __citycheck: ViewerHandle
    /** Where Cesium's Workers, Assets, ThirdParty and Widgets are served (set in index.html). */
    CESIUM_BASE_URL: string
  }
}

// Cesium's widget CSS is copied next to the bundle, not bundled: link it at run time.
document.head.append(
  Object.assign(document.createElement('link'), {
    rel: 'stylesheet',
    href: `${window.CESIUM_BASE_URL}Widgets/widgets.css`,
  }),
)

const handle: ViewerHandle = {
  ready: false,
  error: null,
  map: null,
  detailsFor: null,
  facilities: null,
  tilesetVersion: 0,
  liveEvents: 0,
  live: 'connecting',
  gaps: null,
  grades: null,
  uncoveredCells: null,
  renewalAreas: null,
  presets: [],
}
window.__citycheck = handle

const params = new URLSearchParams(location.search)
const TILESET_URL = '/tiles/city/tileset.json'
/** Seconds between fallback checks for rewritten tiles (`?poll=` overrides); the subscription is the fast path. */
const LIVE_POLL_S = 60
/** Bearer token for the API and the subscription (`?token=`); without one the viewer reads as the public. */
const TOKEN = params.get('token') || null
setAuthToken(TOKEN)
const state = {
  lang: (params.get('lang') === 'en' ? 'en' : 'zh-CN') as Lang,
  themeId: 'severity' as ThemeId,
  buildingsVisible: true,
  facilitiesVisible: true,
  blindSpotsVisible: false,
  demandPointsVisible: false,
  gapFacilityType: DEFAULT_GAP_FACILITY_TYPE,
  gapsHint: null as MessageKey | null,
  gapsModel: null as DistanceModel | null,
  theme: THEMES.severity as Theme,
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
  status: '',
  details: null as DetailsView | null,
  presets: [] as CameraPreset[],
}

const panel = document.getElementById('panel')!
const detailsRoot = document.getElementById('details')!
document.getElementById('attribution')!.textContent = OSM_ATTRIBUTION

function render(map: CityMap | null): void {
  const t = translator(state.lang)
  document.documentElement.lang = state.lang
  document.title = t('title')
  const presets = state.presets.map((p) => ({
    ...p,
    label: p.key === 'city' ? t('city') : (p.name?.[state.lang] ?? p.key),
  }))
  const groups = state.cells.groups
    .map((g) => `group.${g}`)
    .filter(isMessageKey)
    .map((k) => t(k))
    .join(' / ')
  const cellsNote = !state.uncoveredCellsVisible
    ? ''
    : state.cells.hint
      ? t(state.cells.hint)
      : `${t('uncoveredTotal')} (${groups}): ${Math.round(state.cells.served)}`
  renderPanel(panel, { ...state, legend: legendOf(state.theme), cellsNote }, t, presets, {
    onTheme(themeId) {
      state.themeId = themeId
      state.theme = themeId === 'grade' ? gradeTheme() : THEMES[themeId]
      map?.setTheme(state.theme)
      if (themeId === 'grade' && map) void loadGrades(map)
      render(map)
    },
    onGradeIndicator(code) {
      state.gradeIndicator = code
      if (map) void loadGrades(map)
    },
    onUncoveredCellsVisible(visible) {
      state.uncoveredCellsVisible = visible
      map?.setLayerVisible('uncoveredCells', visible)
      if (visible && map) void loadCells(map)
      else render(map)
    },
    onRenewalAreasVisible(visible) {
      state.renewalAreasVisible = visible
      map?.setLayerVisible('renewalAreas', visible)
      if (visible && map) void loadRenewalAreas(map)
    },
    onLang(lang) {
      state.lang = lang
      render(map)
    },
    onBuildingsVisible(visible) {
      state.buildingsVisible = visible
      map?.setLayerVisible('buildings', visible)
    },
    onFacilitiesVisible(visible) {
      state.facilitiesVisible = visible
      map?.setLayerVisible('facilities', visible)
    },
    onBlindSpotsVisible(visible) {
      state.blindSpotsVisible = visible
      map?.setLayerVisible('blindSpots', visible)
      if (visible && map) void loadGaps(map)
    },
    onDemandPointsVisible(visible) {
      state.demandPointsVisible = visible
      map?.setLayerVisible('demandPoints', visible)
      if (visible && map) void loadGaps(map)
    },
    onGapFacilityType(type) {
      state.gapFacilityType = type
      if (map) void loadGaps(map).then(() => loadCells(map))
    },
    onPreset(preset) {
      // The city from an oblique overview; a district from above it, so the camera is over the district.
      map?.flyTo(preset.extent, 1.5, preset.key === 'city' ? 'oblique' : 'overhead')
    },
  })
  renderDetails(detailsRoot, state.details, state.lang, t, () => {
    state.details = null
    handle.detailsFor = null
    map?.highlight(null)
    render(map)
  })
}

/** The region whose latest coverage run is overlaid. */
const GAPS_REGION = CITY_CODE
let gapsRequest = 0

/** Loads the overlays of the chosen facility type from the latest coverage run (only with a token). */
async function loadGaps(map: CityMap): Promise<void> {
  if (!state.blindSpotsVisible && !state.demandPointsVisible) return
  const request = ++gapsRequest
  const facilityType = state.gapFacilityType
  if (!TOKEN) {
    map.setGaps(EMPTY_OVERLAY)
    state.gapsHint = 'gapsSignIn'
    state.gapsModel = null
    handle.gaps = { runId: null, facilityType, blindSpots: 0, demandPoints: 0 }
    render(map)
    return
  }
  try {
    const result = await fetchCoverageGaps(GAPS_REGION, facilityType)
    if (request !== gapsRequest) return
    const overlay = result ? gapOverlay(result.gaps) : EMPTY_OVERLAY
    map.setGaps(overlay)
    state.gapsHint = result ? null : 'gapsNone'
    state.gapsModel = overlay.distanceModel
    handle.gaps = {
      runId: result?.runId ?? null,
      facilityType,
      blindSpots: overlay.polygons.length,
      demandPoints: overlay.points.length,
    }
  } catch (e) {
    console.warn('coverage overlays unavailable:', e)
    state.gapsHint = 'gapsNone'
  }
  render(map)
}

let gradesRequest = 0

/** Grades of the buildings for the grade theme (only with a token: indicator values are never public). */
async function loadGrades(map: CityMap): Promise<void> {
  if (state.themeId !== 'grade') return
  const request = ++gradesRequest
  const indicatorCode = state.gradeIndicator
  if (!TOKEN) {
    state.gradesHint = 'gapsSignIn'
    handle.grades = { campaignId: null, indicatorCode, buildings: 0 }
    render(map)
    return
  }
  try {
    const grades = await fetchBuildingGrades(GAPS_REGION, indicatorCode)
    if (request !== gradesRequest || state.themeId !== 'grade') return
    state.theme = gradeTheme(grades?.buildings ?? [])
    map.setTheme(state.theme)
    state.gradeIndicators = grades?.indicators ?? []
    state.gradeCampaign = grades ? `${grades.campaignName}（${grades.year}）` : null
    state.gradesHint = grades ? null : 'gradesNone'
    handle.grades = {
      campaignId: grades?.campaignId ?? null,
      indicatorCode,
      buildings: grades?.buildings.length ?? 0,
    }
  } catch (e) {
    console.warn('building grades unavailable:', e)
    state.gradesHint = 'gradesNone'
  }
  render(map)
}

let cellsRequest = 0

/** Uncovered population cells of the chosen type and the overlays' distance model (only with a token). */
async function loadCells(map: CityMap): Promise<void> {
  if (!state.uncoveredCellsVisible) return
  const request = ++cellsRequest
  const facilityType = state.gapFacilityType
  if (!TOKEN) {
    map.setUncoveredCells(EMPTY_CELLS)
    state.cells = { hint: 'gapsSignIn', groups: [], served: 0 }
    handle.uncoveredCells = { runId: null, facilityType, cells: 0, served: 0 }
    render(map)
    return
  }
  try {
    const result = await fetchUncoveredCells(GAPS_REGION, facilityType, state.gapsModel)
    if (request !== cellsRequest) return
    const overlay = result ? cellOverlay(result.cells) : EMPTY_CELLS
    map.setUncoveredCells(overlay)
    state.cells = {
      hint: result ? null : 'gapsNone',
      groups: result?.servedGroups ?? [],
      served: overlay.served,
    }
    handle.uncoveredCells = {
      runId: result?.runId ?? null,
      facilityType,
      cells: overlay.markers.length,
      served: overlay.served,
    }
  } catch (e) {
    console.warn('uncovered cells unavailable:', e)
    state.cells = { hint: 'gapsNone', groups: [], served: 0 }
  }
  render(map)
}

/** Renewal areas with their names (only with a token: areas are plans under work). */
async function loadRenewalAreas(map: CityMap): Promise<void> {
  if (!state.renewalAreasVisible) return
  if (!TOKEN) {
    map.setRenewalAreas([])
    state.renewalHint = 'gapsSignIn'
    handle.renewalAreas = 0
    render(map)
    return
  }
  try {
    const areas = (await fetchRenewalAreas()) ?? []
    const outlines = renewalOutlines(areas)
    map.setRenewalAreas(outlines)
    state.renewalHint = outlines.length > 0 ? null : 'renewalNone'
    handle.renewalAreas = outlines.length
  } catch (e) {
    console.warn('renewal areas unavailable:', e)
    state.renewalHint = 'renewalNone'
  }
  render(map)
}

let detailsRequest = 0

async function showDetails(map: CityMap, picked: PickedBuilding | null): Promise<void> {
  const request = ++detailsRequest
  handle.detailsFor = null
  if (!picked || isMassing(picked.id)) {
    // A massing stands for many buildings: no building to ask the API for, no single feature to highlight.
    map.highlight(null)
    state.details = picked ? { picked, details: null, error: null, signedIn: TOKEN !== null } : null
    handle.detailsFor = picked?.id ?? null
    render(map)
    return
  }
  map.highlight(picked.id)
  let details: BuildingDetails | null = null
  let error: string | null = null
  try {
    details = await fetchBuildingDetails(picked.id, picked.positionDeg ?? undefined)
  } catch (e) {
    error = e instanceof Error ? e.message : String(e)
  }
  // A later click wins: its answer may have come first.
  if (request !== detailsRequest) return
  state.details = { picked, details, error, signedIn: TOKEN !== null }
  handle.detailsFor = picked.id
  render(map)
}

async function start(): Promise<void> {
  state.status = translator(state.lang)('loading')
  render(null)
  const map = await createCesiumMap({
    container: document.getElementById('map')!,
    tilesetUrl: TILESET_URL,
    lite: params.has('lite'),
  })
  handle.map = map
  map.setTheme(THEMES[state.themeId])
  map.setLayerVisible('blindSpots', state.blindSpotsVisible)
  map.setLayerVisible('demandPoints', state.demandPointsVisible)
  map.setLayerVisible('uncoveredCells', state.uncoveredCellsVisible)
  map.setLayerVisible('renewalAreas', state.renewalAreasVisible)
  map.onPick((picked) => void showDetails(map, picked))
  state.presets = [{ key: 'city', extent: map.cityExtent, source: 'tiles' }]
  map.flyTo(map.cityExtent, 0)
  state.status = ''
  render(map)
  handle.ready = true
  const refresh = async () => {
    await map.reloadBuildings()
    handle.tilesetVersion++
    if (state.details && !isMassing(state.details.picked.id)) {
      // The selected building may have changed: show its new tile attributes.
      const p = state.details.picked
      const fresh = map.building(p.id)
      if (fresh) state.details = { ...state.details, picked: { ...fresh, positionDeg: p.positionDeg } }
      map.highlight(p.id)
      render(map)
    }
  }
  watchLive({
    tilesetUrl: TILESET_URL,
    wsUrl: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`,
    token: TOKEN,
    pollS: Number(params.get('poll')) || LIVE_POLL_S,
    onChange: refresh,
    onEvent: () => {
      handle.liveEvents++
    },
    onStatus: (status) => {
      handle.live = status
    },
    onRunSucceeded: (run) => {
      if (run.kind === 'coverage') void loadGaps(map).then(() => loadCells(map))
      // Computed indicator values change the grades.
      if (run.kind === 'indicators') void loadGrades(map)
    },
  })
  // Facilities as point markers coloured by category.
  try {
    const markers = (await fetchFacilities()).flatMap((f) => {
      const point = representativePoint(f.geom)
      if (!point) return []
      return [
        { lonDeg: point[0], latDeg: point[1], colour: FACILITY_CATEGORIES[facilityCategory(f.type)].colour },
      ]
    })
    map.setFacilities(markers)
    handle.facilities = markers.length
  } catch (e) {
    console.warn('facilities unavailable:', e)
  }
  // Presets: each district's boundary, or the extent of its buildings when it has none.
  try {
    const [districts, extents] = await Promise.all([
      fetchDistricts(CITY_CODE),
      fetchDistrictExtents(CITY_CODE),
    ])
    state.presets = cameraPresets(districts, extents, map.cityExtent)
  } catch (e) {
    console.warn('district presets unavailable:', e)
  }
  handle.presets = state.presets.map((p) => ({ key: p.key, source: p.source }))
  render(map)
}

start().catch((e: unknown) => {
  handle.error = e instanceof Error ? e.message : String(e)
  state.status = handle.error
  render(handle.map)
  console.error(e)
})
