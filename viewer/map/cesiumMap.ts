/** {@link CityMap} on CesiumJS: the city model as a 3D Tiles 1.1 tileset, offline (no ion, no remote data). */
import { Credit, type Viewer } from 'cesium'
import { type ExtentDeg, extentOfRegion } from '../core/extent.ts'
import type { Theme } from '../core/themes.ts'
import { BaseMapLayer, type BaseMapMode } from './baseMapLayer.ts'
import { CameraControl } from './camera.ts'
import { CityTileset } from './cityTileset.ts'
import { GapLayer } from './gapLayer.ts'
import { createOfflineViewer } from './offlineViewer.ts'
import { CellLayer, FacilityLayer, RenewalLayer } from './overlays.ts'
import { BuildingPicker } from './picking.ts'
import { ResourceLayer } from './resourceLayer.ts'
import { styleOf } from './themeStyle.ts'
import { createCimTools } from './tools.ts'
import type { CityMap, MapLayer } from './types.ts'

export const OSM_ATTRIBUTION = '© OpenStreetMap contributors (ODbL)'

export interface CesiumMapOptions {
  container: HTMLElement
  tilesetUrl: string
  /** Sent with every tileset and tile request: the Authorization of a region's tileset. */
  tilesetHeaders?: Record<string, string>
  /**
   * Cheaper rendering for software GL (headless tests, old machines): no MSAA, sky box, atmosphere or
   * sun/moon. The city looks the same.
   */
  lite?: boolean
  /** How the base map is drawn (docs/adr/0019): `flat` (default) or `ground`. */
  baseMapMode?: BaseMapMode
}

export async function createCesiumMap(options: CesiumMapOptions): Promise<CityMap> {
  const viewer = createOfflineViewer(options.container, options.lite ?? false)
  viewer.creditDisplay.addStaticCredit(new Credit(OSM_ATTRIBUTION, true))
  const headers = options.tilesetHeaders ?? {}
  const city = await CityTileset.load(viewer.scene, options.tilesetUrl, headers, options.lite ?? false)
  let cityExtent = await tilesetExtent(options.tilesetUrl, headers)
  const camera = new CameraControl(viewer.scene)
  const picker = new BuildingPicker(viewer.scene, () => city.tileset)
  const tools = createCimTools(viewer, city)
  return {
    get cityExtent() {
      return cityExtent
    },
    async showCity(url, cityHeaders = {}) {
      picker.forgetHighlight()
      await city.replace(url, cityHeaders)
      await tools.cityChanged()
      cityExtent = await tilesetExtent(url, cityHeaders)
      return cityExtent
    },
    tools,
    status: () => ({ ...city.status, tilesLoaded: city.status.tilesLoaded && city.tileset.tilesLoaded }),
    setTheme(theme: Theme) {
      city.setStyle(styleOf(theme))
      picker.forgetHighlight()
    },
    async reloadBuildings() {
      picker.forgetHighlight()
      await city.reload()
    },
    ...overlays(viewer, city, options.baseMapMode ?? 'flat'),
    flyTo: (extent, durationS = 1.5, view = 'oblique') => camera.flyTo(extent, durationS, view),
    lastFlight: () => camera.lastFlight(),
    cameraPosition: () => camera.position(),
    lookDownAt: (lonDeg, latDeg, rangeM) => camera.lookDownAt(lonDeg, latDeg, rangeM),
    project: (lonDeg, latDeg, heightM) => camera.project(lonDeg, latDeg, heightM),
    groundAt: (point) => camera.groundAt(point),
    pick: (point) => picker.pick(point),
    building: (id) => picker.building(id),
    buildingColour: (id) => picker.buildingColour(id),
    onPick: (listener) => picker.onPick(listener),
    highlight: (id) => picker.highlight(id),
    destroy() {
      picker.destroy()
      viewer.destroy()
    },
  }
}

/** The extent of the city model, from the tileset's root bounding region. */
async function tilesetExtent(tilesetUrl: string, headers: Record<string, string>): Promise<ExtentDeg> {
  const root = (await (await fetch(tilesetUrl, { headers })).json()) as {
    root: { boundingVolume: { region: number[] } }
  }
  return extentOfRegion(root.root.boundingVolume.region)
}

/** The overlay layers drawn over the city and their part of the {@link CityMap}. */
function overlays(
  viewer: Viewer,
  city: CityTileset,
  baseMapMode: BaseMapMode,
): Pick<
  CityMap,
  | 'setLayerVisible'
  | 'setFacilities'
  | 'setGaps'
  | 'setUncoveredCells'
  | 'setRenewalAreas'
  | 'overlayCounts'
  | 'setPlanOverlay'
  | 'planCounts'
  | 'setBaseMap'
  | 'setBaseMapLang'
  | 'baseMapStatus'
> {
  const baseMap = new BaseMapLayer(viewer.scene, baseMapMode)
  const facilities = new FacilityLayer(viewer.scene)
  const gaps = new GapLayer(viewer.scene)
  const cells = new CellLayer(viewer.scene)
  const renewal = new RenewalLayer(viewer.scene)
  const plan = new ResourceLayer(viewer.scene)
  const show: Record<MapLayer, (visible: boolean) => void> = {
    buildings: (visible) => city.setShow(visible),
    facilities: (visible) => (facilities.show = visible),
    blindSpots: (visible) => (gaps.showBlindSpots = visible),
    demandPoints: (visible) => (gaps.showDemandPoints = visible),
    uncoveredCells: (visible) => (cells.show = visible),
    renewalAreas: (visible) => (renewal.show = visible),
    baseMap: (visible) => (baseMap.show = visible),
  }
  return {
    setLayerVisible: (layer, visible) => show[layer](visible),
    setFacilities: (markers) => facilities.draw(markers),
    setGaps: (overlay) => gaps.draw(overlay),
    setUncoveredCells: (overlay) => cells.draw(overlay),
    setRenewalAreas: (outlines) => renewal.draw(outlines),
    overlayCounts: () => ({ uncoveredCells: cells.count, renewalAreas: renewal.count }),
    setPlanOverlay: (overlay) => plan.draw(overlay),
    planCounts: () => plan.counts,
    setBaseMap: (map, lang) => baseMap.draw(map, lang),
    setBaseMapLang: (lang) => baseMap.setLang(lang),
    baseMapStatus: () => ({ ready: baseMap.ready, ...baseMap.counts() }),
  }
}
