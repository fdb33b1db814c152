/** The map as the UI sees it: no Cesium types cross this interface. */
import type { CellOverlay } from '../core/cells.ts'
import type { ExtentDeg } from '../core/extent.ts'
import type { FacilityMarker } from '../core/facilities.ts'
import type { GapOverlay } from '../core/gaps.ts'
import type { RenewalOutline } from '../core/renewal.ts'
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

export type MapLayer =
  | 'buildings'
  | 'facilities'
  | 'blindSpots'
  | 'demandPoints'
  | 'uncoveredCells'
  | 'renewalAreas'

/** `oblique`: a tilted overview from outside the extent; `overhead`: steeply down from above the extent. */
export type CameraView = 'oblique' | 'overhead'

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
  /** Replaces the uncovered-population markers. */
  setUncoveredCells(overlay: CellOverlay): void
  /** Replaces the renewal-area outlines and their names. */
  setRenewalAreas(outlines: readonly RenewalOutline[]): void
  /** Markers and areas drawn by the two overlays above. */
  overlayCounts(): { uncoveredCells: number; renewalAreas: number }
  /** View onto an extent (oblique by default). */
  flyTo(extent: ExtentDeg, durationS?: number, view?: CameraView): void
  /** Where the camera is (degrees, metres above the ellipsoid). */
  cameraPosition(): { lonDeg: number; latDeg: number; heightM: number }
  /** Straight-down view from `rangeM` above a point. */
  lookDownAt(lonDeg: number, latDeg: number, rangeM: number): void
  /** The building at a canvas position (CSS pixels), if any. */
  pick(point: ScreenPoint): PickedBuilding | null
  /** Tile attributes of a building among the loaded tiles, or null when not loaded. */
  building(id: number): PickedBuilding | null
  /** The colour the theme gave a loaded building (`#rrggbb`), or null when not loaded. */
  buildingColour(id: number): string | null
  /** Canvas position (CSS pixels) of a geographic point, or null when off screen. */
  project(lonDeg: number, latDeg: number, heightM: number): ScreenPoint | null
  /** Called with the clicked building, or null for a click on empty ground. */
  onPick(listener: (picked: PickedBuilding | null) => void): void
  highlight(id: number | null): void
  destroy(): void
}
