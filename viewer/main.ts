/** Viewer entry: wires core (themes, strings), map (Cesium behind CityMap) and the thin DOM UI. */
import './style.css'
import {
  type BuildingDetails,
  fetchBuildingDetails,
  fetchDistrictExtents,
  fetchDistricts,
  fetchFacilities,
  setAuthToken,
} from './core/api.ts'
import { cityOf, type ViewScope, viewScope } from './core/cities.ts'
import type { ExtentDeg } from './core/extent.ts'
import { FACILITY_CATEGORIES, facilityCategory, representativePoint } from './core/facilities.ts'
import { isMessageKey, translator } from './core/i18n.ts'
import { type TilesetWatch, watchLive } from './core/live.ts'
import { isMassing } from './core/massing.ts'
import { CITY_CODE, cameraPresets } from './core/presets.ts'
import { gradeTheme, legendOf, THEME_IDS, THEMES } from './core/themes.ts'
import { ApiLayers } from './layers.ts'
import { createCesiumMap, OSM_ATTRIBUTION } from './map/cesiumMap.ts'
import type { CityMap, PickedBuilding } from './map/types.ts'
import { PlanLayers } from './planLayers.ts'
import { createHandle, initialState, openingTheme } from './state.ts'
import { ToolControls } from './toolControls.ts'
import { cityChooser } from './ui/cityChooser.ts'
import { renderDetails } from './ui/details.ts'
import { renderPanel } from './ui/panel.ts'
import { toolsSection } from './ui/tools.ts'

// Cesium's widget CSS is copied next to the bundle, not bundled: link it at run time.
document.head.append(
  Object.assign(document.createElement('link'), {
    rel: 'stylesheet',
    href: `${window.CESIUM_BASE_URL}Widgets/widgets.css`,
  }),
)

const handle = createHandle()
window.__citycheck = handle

const params = new URLSearchParams(location.search)
/** Seconds between fallback checks for rewritten tiles (`?poll=` overrides); the subscription is the fast path. */
const LIVE_POLL_S = 60
/** Bearer token for the API and the subscription (`?token=`); without one the viewer reads as the public. */
const TOKEN = params.get('token') || null
setAuthToken(TOKEN)
/** `?theme=` opens on another theme than the default one. */
const themeParam = THEME_IDS.find((id) => id === params.get('theme'))
const state = initialState(
  params.get('lang') === 'en' ? 'en' : 'zh-CN',
  themeParam ?? openingTheme(TOKEN !== null),
)
const layers = new ApiLayers(state, handle, TOKEN, render)
const tools = new ToolControls(
  () => state.lang,
  () => render(handle.map),
  {
    regionCode: () => regionCode,
    shown: (years) => {
      handle.compare = years
    },
    restoreTheme: () => handle.map?.setTheme(state.theme),
  },
)
/** The region the page shows: the city chosen (the token's city or district), or the demo city for the public. */
let regionCode = CITY_CODE
/** The cities offered and the token's region (docs/adr/0024); read at start. */
let scope: ViewScope | null = null
const plan = new PlanLayers(
  TOKEN,
  handle,
  () => state.lang,
  () => render(handle.map),
)

const panel = document.getElementById('panel')!
const detailsRoot = document.getElementById('details')!
document.getElementById('attribution')!.textContent = OSM_ATTRIBUTION

function render(map: CityMap | null): void {
  const t = translator(state.lang)
  document.documentElement.lang = state.lang
  document.title = t('title')
  // The whole area: 全市 for a city, a district token's own district by name.
  const below = scope?.token && scope.token.level !== 'city' && scope.token.level !== 'province'
  const whole = below ? (cityOf(scope!, regionCode)?.name[state.lang] ?? t('city')) : t('city')
  const presets = state.presets.map((p) => ({
    ...p,
    label: p.key === 'city' ? whole : (p.name?.[state.lang] ?? p.key),
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
  const toolsPart = toolsSection(tools.state(), t, tools.handlers(map))
  renderPanel(
    panel,
    { ...state, legend: legendOf(state.theme), cellsNote },
    t,
    presets,
    {
      onTheme(themeId) {
        state.themeId = themeId
        state.theme = themeId === 'grade' ? gradeTheme() : THEMES[themeId]
        map?.setTheme(state.theme)
        if (themeId === 'grade' && map) void layers.loadGrades(map)
        render(map)
      },
      onGradeIndicator(code) {
        state.gradeIndicator = code
        if (map) void layers.loadGrades(map)
      },
      onUncoveredCellsVisible(visible) {
        state.uncoveredCellsVisible = visible
        map?.setLayerVisible('uncoveredCells', visible)
        if (visible && map) void layers.loadCells(map)
        else render(map)
      },
      onRenewalAreasVisible(visible) {
        state.renewalAreasVisible = visible
        map?.setLayerVisible('renewalAreas', visible)
        if (visible && map) void layers.loadRenewalAreas(map)
      },
      onLang(lang) {
        state.lang = lang
        map?.setBaseMapLang(lang)
        if (map) plan.redraw(map)
        render(map)
      },
      onBaseMapVisible(visible) {
        state.baseMapVisible = visible
        map?.setLayerVisible('baseMap', visible)
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
        if (visible && map) void layers.loadGaps(map)
      },
      onDemandPointsVisible(visible) {
        state.demandPointsVisible = visible
        map?.setLayerVisible('demandPoints', visible)
        if (visible && map) void layers.loadGaps(map)
      },
      onGapFacilityType(type) {
        state.gapFacilityType = type
        if (map) void layers.loadGaps(map).then(() => layers.loadCells(map))
      },
      onPreset(preset) {
        // The city from an oblique overview; a district north-up from above, the whole district in view.
        map?.flyTo(preset.extent, 1.5, preset.key === 'city' ? 'oblique' : 'overhead')
      },
    },
    [
      ...cityChooser(scope?.cities ?? [], regionCode, state.lang, t, (code) => {
        if (map) void showCity(map, code)
      }),
      ...toolsPart,
      ...plan.section(map, regionCode),
    ],
  )
  renderDetails(detailsRoot, state.details, state.lang, t, () => {
    state.details = null
    handle.detailsFor = null
    map?.highlight(null)
    render(map)
  })
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
  scope = await viewScope(TOKEN)
  // `?city=` opens on another of the cities offered.
  const city = cityOf(scope, params.get('city') ?? '') ?? cityOf(scope, scope.opening)!
  handle.cities = scope.cities.map((c) => c.code)
  handle.city = city.code
  handle.tilesetUrl = city.tilesetUrl
  regionCode = city.code
  layers.regionCode = city.code
  const map = await createCesiumMap({
    container: document.getElementById('map')!,
    tilesetUrl: city.tilesetUrl,
    tilesetHeaders: scope.headers,
    lite: params.has('lite'),
    baseMapMode: params.get('basemap') === 'ground' ? 'ground' : 'flat',
  })
  handle.map = map
  map.setTheme(state.theme)
  if (state.themeId === 'grade') void layers.loadGrades(map)
  void layers.loadBaseMap(map, regionCode)
  map.setLayerVisible('blindSpots', state.blindSpotsVisible)
  map.setLayerVisible('demandPoints', state.demandPointsVisible)
  map.setLayerVisible('uncoveredCells', state.uncoveredCellsVisible)
  map.setLayerVisible('renewalAreas', state.renewalAreasVisible)
  // While a tool takes the clicks, a click measures or draws rather than opening a building's details.
  map.onPick((picked) => {
    if (!map.tools.busy()) void showDetails(map, picked)
  })
  tools.attach(map)
  state.presets = [{ key: 'city', extent: map.cityExtent, source: 'tiles' }]
  map.flyTo(map.cityExtent, 0)
  state.status = ''
  render(map)
  handle.ready = true
  watchTiles(map, city.tilesetUrl, scope.headers)
  await showFacilities(map)
  await offerPresets(map)
  render(map)
}

/** The watch of the city shown's tileset; replaced when another city is chosen. */
let tilesWatch: TilesetWatch | null = null

/** Reloads the buildings when the server rewrote tiles, and the overlays when a run they come from finished. */
function watchTiles(map: CityMap, tilesetUrl: string, tilesetHeaders: Record<string, string>): void {
  tilesWatch?.stop()
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
  tilesWatch = watchLive({
    tilesetUrl,
    tilesetHeaders,
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
      if (run.kind === 'coverage') void layers.loadGaps(map).then(() => layers.loadCells(map))
      // Computed indicator values change the grades.
      if (run.kind === 'indicators') void layers.loadGrades(map)
      // New zoning areas or generated projects: read the renewal overlays again if they were read.
      if (run.kind === 'zoning' || run.kind === 'projects') void plan.refresh(map, regionCode)
    },
  })
}

/** Facilities as point markers coloured by category. */
async function showFacilities(map: CityMap): Promise<void> {
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
}

/**
 * Shows another of the cities offered: its tileset instead of the one shown, the camera flown to it, its base map
 * and its districts' presets.
 */
async function showCity(map: CityMap, code: string): Promise<void> {
  const city = scope && cityOf(scope, code)
  if (!city || code === regionCode) return
  regionCode = city.code
  layers.regionCode = city.code
  handle.city = null
  state.status = translator(state.lang)('cityLoading')
  state.details = null
  render(map)
  let extent: ExtentDeg
  try {
    extent = await map.showCity(city.tilesetUrl, scope!.headers)
  } catch (e) {
    state.status = e instanceof Error ? e.message : String(e)
    render(map)
    return
  }
  if (regionCode !== city.code) return
  handle.tilesetUrl = city.tilesetUrl
  // Rewritten tiles are now looked for in this city's tileset.
  watchTiles(map, city.tilesetUrl, scope!.headers)
  map.flyTo(extent, 1.5, 'oblique')
  state.presets = [{ key: 'city', extent, source: 'tiles' }]
  state.status = ''
  handle.city = city.code
  render(map)
  void layers.loadBaseMap(map, regionCode)
  if (state.themeId === 'grade') void layers.loadGrades(map)
  await offerPresets(map)
  render(map)
}

/** Presets of the city shown: each district's boundary, or the extent of its buildings when it has none. */
async function offerPresets(map: CityMap): Promise<void> {
  const code = regionCode
  try {
    const [districts, extents] = await Promise.all([fetchDistricts(code), fetchDistrictExtents(code)])
    // Another city was chosen meanwhile: its own presets follow.
    if (code !== regionCode) return
    state.presets = cameraPresets(districts, extents, map.cityExtent)
  } catch (e) {
    console.warn('district presets unavailable:', e)
  }
  handle.presets = state.presets.map((p) => ({ key: p.key, source: p.source }))
}

start().catch((e: unknown) => {
  handle.error = e instanceof Error ? e.message : String(e)
  state.status = handle.error
  render(handle.map)
  console.error(e)
})
