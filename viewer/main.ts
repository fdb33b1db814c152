/** Viewer entry: wires core (themes, strings), map (Cesium behind CityMap) and the thin DOM UI. */
import './style.css'
import {
  type BuildingDetails,
  fetchBuildingDetails,
  fetchCoverageGaps,
  fetchDistrictExtents,
  fetchFacilities,
  setAuthToken,
} from './core/api.ts'
import { padExtent } from './core/extent.ts'
import { FACILITY_CATEGORIES, facilityCategory, representativePoint } from './core/facilities.ts'
import { DEFAULT_GAP_FACILITY_TYPE, type DistanceModel, EMPTY_OVERLAY, gapOverlay } from './core/gaps.ts'
import { type Lang, type MessageKey, translator } from './core/i18n.ts'
import { type LiveStatus, watchLive } from './core/live.ts'
import { type CameraPreset, CITY_CODE, DISTRICTS } from './core/presets.ts'
import { THEMES, type ThemeId } from './core/themes.ts'
import { createCesiumMap, OSM_ATTRIBUTION } from './map/cesiumMap.ts'
import type { CityMap, PickedBuilding } from './map/types.ts'
import { type DetailsView, renderDetails } from './ui/details.ts'
import { renderPanel } from './ui/panel.ts'

/** What the viewer exposes for tests and the benchmark. */
export interface ViewerHandle {
  ready: boolean
  error: string | null
  map: CityMap | null
  /** Id of the building whose details are shown, once they have been fetched. */
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
  gapFacilityType: DEFAULT_GAP_FACILITY_TYPE as string,
  gapsHint: null as MessageKey | null,
  gapsModel: null as DistanceModel | null,
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
    label:
      p.key === 'city' ? t('city') : (DISTRICTS.find((d) => d.code === p.key)?.name[state.lang] ?? p.key),
  }))
  renderPanel(panel, state, t, presets, {
    onTheme(themeId) {
      state.themeId = themeId
      map?.setTheme(THEMES[themeId])
      render(map)
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
      if (map) void loadGaps(map)
    },
    onPreset(preset) {
      map?.flyTo(preset.extent)
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

async function showDetails(map: CityMap, picked: PickedBuilding | null): Promise<void> {
  map.highlight(picked?.id ?? null)
  handle.detailsFor = null
  if (!picked) {
    state.details = null
    render(map)
    return
  }
  let details: BuildingDetails | null = null
  let error: string | null = null
  try {
    details = await fetchBuildingDetails(picked.id, picked.positionDeg ?? undefined)
  } catch (e) {
    error = e instanceof Error ? e.message : String(e)
  }
  state.details = { picked, details, error }
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
  map.onPick((picked) => void showDetails(map, picked))
  state.presets = [{ key: 'city', extent: map.cityExtent }]
  map.flyTo(map.cityExtent, 0)
  state.status = ''
  render(map)
  handle.ready = true
  const refresh = async () => {
    await map.reloadBuildings()
    handle.tilesetVersion++
    if (state.details) {
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
      if (run.kind === 'coverage') void loadGaps(map)
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
  // District presets: the extent of each district's buildings, from the aggregate API.
  try {
    const extents = await fetchDistrictExtents(CITY_CODE)
    for (const d of DISTRICTS) {
      const extent = extents.get(d.code)
      if (extent) state.presets.push({ key: d.code, extent: padExtent(extent, 0.1) })
    }
  } catch (e) {
    console.warn('district presets unavailable:', e)
  }
  render(map)
}

start().catch((e: unknown) => {
  handle.error = e instanceof Error ? e.message : String(e)
  state.status = handle.error
  render(handle.map)
  console.error(e)
})
