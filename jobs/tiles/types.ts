/** A linear ring of [lonDeg, latDeg] (extra ordinates ignored); closed or unclosed. */
export type Ring = ReadonlyArray<ReadonlyArray<number>>

/** Rings of one polygon: the first is the outer boundary, the rest are holes. */
export type PolygonRings = ReadonlyArray<Ring>

/**
 * Footprint geometry in EPSG:4326 degrees; structurally a GeoJSON Polygon or MultiPolygon
 * geometry (as returned by `ST_AsGeoJSON`), so `@types/geojson` values are accepted too.
 */
export type Footprint =
  | { readonly type: 'Polygon'; readonly coordinates: PolygonRings }
  | { readonly type: 'MultiPolygon'; readonly coordinates: ReadonlyArray<PolygonRings> }

/** One building as the tiler consumes it (LOD1: footprint extruded from baseM by heightM). */
export interface TileBuilding {
  /** Database id; stored as the `id` property of the feature (must fit in UINT32). */
  id: number
  footprint: Footprint
  /** Bottom of the extrusion, metres above the WGS84 ellipsoid. */
  baseM: number
  /** Extrusion height above `baseM`, metres; non-positive heights are skipped. */
  heightM: number
  floors: number | null
  /** One of {@link BUILDING_USES}; other strings are stored as `other`, null as no data. */
  use: string | null
  yearBuilt: number | null
  openProblems: number
  /** 0 none .. 3 high. */
  worstSeverity: number
  /** Buildings this feature stands for: 1 (the default) for a building, more for a block massing (id 0). */
  buildings?: number
  /**
   * The ids of the buildings a block massing stands for, ascending (absent on a building): themes whose data is
   * not in the tiles (indicator grades, looked up by id) colour a massing from its buildings.
   */
  members?: readonly number[]
}

/** A building's or massing box's attributes: what its tile's property table holds. */
export type TileAttributes = Omit<TileBuilding, 'footprint'>

/** Geographic extent in degrees. */
export interface ExtentDeg {
  westDeg: number
  southDeg: number
  eastDeg: number
  northDeg: number
}

/** 3D Tiles bounding region: [west, south, east, north] radians, then min/max height metres. */
export type Region = [number, number, number, number, number, number]

/** Quadtree tile key `level-x-y`; x grows eastwards, y northwards from the root's south-west corner. */
export type TileKey = string

export interface SkippedBuilding {
  id: number
  reason: string
}

export interface GenerateTilesetOptions {
  /** Directory receiving tileset.json, manifest.json and the GLB files; created if missing. */
  outDir: string
  /**
   * Maximum buildings per GLB; a quadtree cell holding more is split. Bounds tile size for
   * streaming (about 2–4 MB per 2000 typical footprints).
   */
  maxFeaturesPerTile?: number
  /**
   * Fixed extent of the quadtree root. Pass the city's bounds so later regeneration can place
   * new buildings anywhere in the city; defaults to the bounds of the input's anchor points.
   * Buildings whose anchor lies outside are skipped.
   */
  rootExtentDeg?: ExtentDeg
  /** Deepest quadtree level; stops splitting when many buildings share an anchor point. */
  maxLevel?: number
  /**
   * Geometric error of a content-less parent tile as a fraction of its region's diagonal (without block
   * massings). Such a parent left unrefined shows nothing of its buildings: its error must be
   * large enough that any tile big enough to see is refined. With the viewer's maximum screen-space
   * error (8 px at 640 px height, 60° field of view) a parent is refined while the camera is within
   * about 69 × geometricError of it; the default of 0.5 refines a tile seen from up to ~35 of its
   * diagonals, so a whole-city view shows every building (a smaller scale left the inner tiles of a
   * 100k-building city unrefined and the view empty).
   */
  geometricErrorScale?: number
  /**
   * Levels of block massing under each inner tile (see massing.ts): an inner cell at level L gets one box per
   * occupied cell of level L + massingDepth, standing for the buildings below it, and tiles refine by REPLACE.
   * 0 (the default) leaves the inner tiles without content and refines by ADD.
   */
  massingDepth?: number
  /**
   * Writes the public tileset: no problem properties in the GLBs' metadata or tileset.json's schema (saved in the
   * manifest, so regenerated tiles follow). The caller passes only public buildings.
   */
  publicOnly?: boolean
}

export interface GenerateTilesetResult {
  /** Number of GLB tiles written. */
  tiles: number
  /** Total bytes of the GLB files written. */
  bytes: number
  /** GLB URIs relative to tileset.json, in tile key order. */
  contentUris: string[]
  /** Building id → URI of the GLB holding it. */
  tileOf: Map<number, string>
  /** Buildings left out, with the reason (invalid or degenerate footprint, bad height, …). */
  skipped: SkippedBuilding[]
}

export interface RegenerateTilesOptions {
  /** Directory of an existing tileset written by `generateTileset`. */
  outDir: string
  /**
   * Tiles to rebuild. The buildings passed must be exactly the current contents of these
   * tiles; every one of them must map (via `TileIndex.keyOf`) to a key listed here.
   */
  tileKeys: readonly TileKey[]
}

export interface RegenerateMassingsOptions {
  /** Directory of an existing tileset written by `generateTileset` with a massing depth. */
  outDir: string
  /** Inner (split) cells whose massing to rebuild. */
  tileKeys: readonly TileKey[]
  /**
   * Cells whose buildings changed (leaves rewritten, split or emptied): only the boxes overlapping them are
   * recomputed. Omitted: every box is, from sources holding every building below `tileKeys`.
   */
  dirtyKeys?: readonly TileKey[]
}

export interface RegenerateTilesResult {
  /** Keys whose GLB was (re)written, including children created by splitting. */
  rewritten: TileKey[]
  /** Keys whose GLB was deleted because they became empty or were split. */
  removed: TileKey[]
  /** Keys that were split because they exceeded maxFeaturesPerTile. */
  split: TileKey[]
  /** Bytes of the GLB files written. */
  bytes: number
  tileOf: Map<number, string>
  skipped: SkippedBuilding[]
}
