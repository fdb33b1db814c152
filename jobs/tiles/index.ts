export { EarClipper, triangulatePolygon } from './earcut.ts'
export {
  BuildingIdRangeError,
  DuplicateBuildingIdError,
  EmptyTilesetError,
  InvalidTileKeyError,
  InvalidTilesOptionError,
  ManifestError,
  TileKeyMismatchError,
  TilesError,
} from './errors.ts'
export { decodeGlb, readAccessor, readBufferView } from './glb.ts'
export {
  contentUriOf,
  MANIFEST_FILE,
  type ManifestTile,
  readManifest,
  TILESET_FILE,
  TileIndex,
  type TilesetManifest,
} from './manifest.ts'
export { BUILDING_USES, INT16_NO_DATA, METADATA_SCHEMA } from './metadata.ts'
export { footprintAnchorDeg, parseTileKey } from './quadtree.ts'
export {
  DEFAULT_GEOMETRIC_ERROR_SCALE,
  DEFAULT_MAX_FEATURES_PER_TILE,
  DEFAULT_MAX_LEVEL,
  generateTileset,
  regenerateTiles,
} from './tileset.ts'
export type * from './types.ts'
