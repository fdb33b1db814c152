/** The map as the UI sees it: no Cesium types cross this interface. */
import type { ExtentDeg } from '../core/extent.ts'
import type { FacilityMarker } from '../core/facilities.ts'
import type { GapOverlay } from '../core/gaps.ts'
import type { Theme } from '../core/themes.ts'

/** A building under the cursor, with the tile metadata of its feature. */
export interface PickedBuilding {
  id: number
  properties: Record<string, unknown>
  /** Where the building was hit, when the renderer can tell. */
  positionDeg: { lonDeg: number; latDeg: number } | null
}

export interface ScreenPoint {
  x: number
  y: number
}

export type MapLayer = 'buildings' | 'facilities' | 'blindSpots' | 'demandPoints'

export interface MapStatus {
  /** The tileset's root has loaded. */
  ready: boolean
  /** Every tile needed for the current view is loaded (no requests pending). */
  tilesLoaded: boolean
  /** GLB contents loaded so far. */
  tileContentsLoaded: number
  /** Load failures so far (tileset.json or GLB). */
  errors: string[]
}

export interface CityMap {
  /** Extent of the city model (from the tileset's root bounding region). */
  readonly cityExtent: ExtentDeg
  status(): MapStatus
  setTheme(theme: Theme): void
  /** Reloads the buildings after the server rewrote tiles; resolves once the new tiles are shown. */
  reloadBuildings(): Promise<void>
  setLayerVisible(layer: MapLayer, visible: boolean): void
  /** Replaces the facility markers. */
  setFacilities(markers: readonly FacilityMarker[]): void
  /** Replaces the coverage overlays (blind-spot polygons, demand points labelled with their rank). */
  setGaps(overlay: GapOverlay): void
  /** Oblique view onto an extent. */
  flyTo(extent: ExtentDeg, durationS?: number): void
  /** Straight-down view from `rangeM` above a point. */
  lookDownAt(lonDeg: number, latDeg: number, rangeM: number): void
  /** The building at a canvas position (CSS pixels), if any. */
  pick(point: ScreenPoint): PickedBuilding | null
  /** Tile attributes of a building among the loaded tiles, or null when not loaded. */
  building(id: number): PickedBuilding | null
  /** Canvas position (CSS pixels) of a geographic point, or null when off screen. */
  project(lonDeg: number, latDeg: number, heightM: number): ScreenPoint | null
  /** Called with the clicked building, or null for a click on empty ground. */
  onPick(listener: (picked: PickedBuilding | null) => void): void
  highlight(id: number | null): void
  destroy(): void
}
