/** The map as the UI sees it: no Cesium types cross this interface. */
import type { BaseMap } from '../core/basemap.ts'
import type { CellOverlay } from '../core/cells.ts'
import type { ExtentDeg } from '../core/extent.ts'
import type { FacilityMarker } from '../core/facilities.ts'
import type { GapOverlay } from '../core/gaps.ts'
import type { Lang } from '../core/i18n.ts'
import type { MeasureMode, Measurement } from '../core/measure.ts'
import type { RenewalOutline } from '../core/renewal.ts'
import type { PlanOverlay } from '../core/resources.ts'
import type { Theme } from '../core/themes.ts'
import type { TimelineProblem } from '../core/timeline.ts'

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
  | 'baseMap'

/**
 * How a flight looks at an extent, always at its centre with the whole extent in view: `oblique` tilted 40°
 * down from the south-south-west, `overhead` 75° down with north up.
 */
export type CameraView = 'oblique' | 'overhead'

/** A camera flight `flyTo` started. */
export interface CameraFlight {
  extent: ExtentDeg
  view: CameraView
  /** Settles when the flight ends: true when the camera arrived, false when another flight or view cut it short. */
  ended: Promise<boolean>
}

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
  /** Extent of the city model (from the tileset's root bounding region): the city shown's. */
  readonly cityExtent: ExtentDeg
  /**
   * Shows another city's tileset instead (docs/adr/0024: tiles are cut per city), with the headers of its requests;
   * resolves with its extent once it is loaded. Theme, visibility, clipping carry over.
   */
  showCity(url: string, headers?: Record<string, string>): Promise<ExtentDeg>
  /** Measuring, clipping and comparing on the city. */
  readonly tools: CimTools
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
  /** Replaces the base map under the buildings (areas, roads, district boundaries and names in `lang`). */
  setBaseMap(map: BaseMap, lang: Lang): void
  /** District names of the base map in another language. */
  setBaseMapLang(lang: Lang): void
  /** What the base map drew, and whether its batched geometry is built (shown once it is). */
  baseMapStatus(): { ready: boolean; areas: number; lines: number; labels: number }
  /** Markers and areas drawn by the two overlays above. */
  overlayCounts(): { uncoveredCells: number; renewalAreas: number }
  /** Replaces the renewal overlays: stock resources, zoning areas and project markers. */
  setPlanOverlay(overlay: PlanOverlay): void
  /** What the renewal overlays drew: polygon parts, points and project markers. */
  planCounts(): { resourcePolygons: number; resourcePoints: number; zoningPolygons: number; projects: number }
  /** Flies to look at an extent (oblique by default, 1.5 s). */
  flyTo(extent: ExtentDeg, durationS?: number, view?: CameraView): CameraFlight
  /** The latest flight, ended or not (null before the first): how a flight the panel started can be awaited. */
  lastFlight(): CameraFlight | null
  /** Where the camera is (degrees, metres above the ellipsoid). */
  cameraPosition(): { lonDeg: number; latDeg: number; heightM: number }
  /** Straight-down view from `rangeM` above a point, at once; a flight under way ends there. */
  lookDownAt(lonDeg: number, latDeg: number, rangeM: number): void
  /** The building at a canvas position (CSS pixels), if any. */
  pick(point: ScreenPoint): PickedBuilding | null
  /** Tile attributes of a building among the loaded tiles, or null when not loaded. */
  building(id: number): PickedBuilding | null
  /** The colour the theme gave a loaded building (`#rrggbb`), or null when not loaded. */
  buildingColour(id: number): string | null
  /**
   * Canvas position (CSS pixels) of a geographic point, or null behind the camera; a point beside the view gets
   * a position outside the canvas.
   */
  project(lonDeg: number, latDeg: number, heightM: number): ScreenPoint | null
  /** Where the line of sight through a canvas position (CSS pixels) meets the ground, or null for the sky. */
  groundAt(point: ScreenPoint): { lonDeg: number; latDeg: number } | null
  /** Called with the clicked building, or null for a click on empty ground. */
  onPick(listener: (picked: PickedBuilding | null) => void): void
  highlight(id: number | null): void
  destroy(): void
}

/** A section box: its centre on the ground, half its side in metres and the height of its top. */
export interface SectionBox {
  centreDeg: [number, number]
  halfSizeM: number
  topM: number
}

export interface ClipState {
  box: SectionBox | null
}

export interface CimTools {
  /** Starts measuring in a mode (null: stops and clears). */
  measure(mode: MeasureMode | null, lang: Lang): void
  /** What the active measurement shows, or null. */
  measurement(): Measurement | null
  /** Adds the point under a canvas position (CSS pixels) to the active measurement. */
  click(point: ScreenPoint): void
  setSectionBox(box: SectionBox | null): void
  clipState(): ClipState
  /** A tool is taking the clicks (the details panel ignores them). */
  busy(): boolean
  /** Called after a click changed what a tool shows. */
  onChange(listener: () => void): void
  /** Two themes left and right of a splitter (null: one city again, in the caller's theme). */
  compare(sides: { left: Theme; right: Theme } | null): Promise<void>
  /** The city tileset now shows another city: a comparison on shows it on both sides. */
  cityChanged(): Promise<void>
  /** Moves the splitter (0–1 of the canvas width). */
  setSplit(share: number): void
  /** Whether the comparison is shown and both halves have loaded their tiles. */
  compareState(): { active: boolean; tilesLoaded: boolean }
  readonly polygon: PolygonClipControl
  readonly time: TimeControl
}

export interface PolygonClipState {
  /** Whether this browser's WebGL can clip by polygon at all (WebGL 2). */
  supported: boolean
  drawing: boolean
  /** Corners clicked (while drawing) or of the polygon applied. */
  points: number
  applied: boolean
  /** Cut what is inside the polygon (true) or what is outside it (false). */
  cutInside: boolean
}

/** The polygon clip: clicks on the ground while drawing are its corners. */
export interface PolygonClipControl {
  /** Starts drawing a new polygon (the clip in place is removed). */
  start(): void
  /** Ends drawing and cuts; false with fewer than three corners. */
  finish(): boolean
  setCutInside(inside: boolean): void
  clear(): void
  state(): PolygonClipState
}

/** What the year's style drew in the last frame: features shown, hidden by the year, and shown undated. */
export interface TimeCounts {
  shown: number
  hidden: number
  unknownYear: number
}

/** The time slider on the map. */
export interface TimeControl {
  /** The city in `year` with the problems of that year, or as it is now (null). */
  setYear(year: number | null, problems?: readonly TimelineProblem[]): void
  year(): number | null
  counts(): TimeCounts
  /** Problem markers drawn: open in the year, closed by it. */
  problemCounts(): { open: number; closed: number }
}
