/** Base class so callers can catch every tiler failure at once. */
export class TilesError extends Error {
  override name = 'TilesError'
}

export class InvalidTilesOptionError extends TilesError {
  override name = 'InvalidTilesOptionError'
}

/** Two input buildings share an id; feature ids would be ambiguous. */
export class DuplicateBuildingIdError extends TilesError {
  override name = 'DuplicateBuildingIdError'
  constructor(readonly buildingId: number) {
    super(`duplicate building id ${buildingId}`)
  }
}

/** A building id is not an integer representable as UINT32. */
export class BuildingIdRangeError extends TilesError {
  override name = 'BuildingIdRangeError'
  constructor(readonly buildingId: number) {
    super(`building id ${buildingId} is not an integer in 0..4294967295`)
  }
}

/** No building survived validation and no root extent was given, so there is nothing to anchor. */
export class EmptyTilesetError extends TilesError {
  override name = 'EmptyTilesetError'
}

/** manifest.json is missing or not one this version wrote. */
export class ManifestError extends TilesError {
  override name = 'ManifestError'
}

/** A tile key is malformed or not a leaf of the manifest's quadtree. */
export class InvalidTileKeyError extends TilesError {
  override name = 'InvalidTileKeyError'
  constructor(
    readonly tileKey: string,
    reason: string,
  ) {
    super(`tile key ${tileKey}: ${reason}`)
  }
}

/**
 * A building passed to regeneration belongs to a tile that was not listed; rebuilding only the
 * listed tiles would drop it, or lose the other buildings of its tile.
 */
export class TileKeyMismatchError extends TilesError {
  override name = 'TileKeyMismatchError'
  constructor(
    readonly buildingId: number,
    readonly tileKey: string,
  ) {
    super(`building ${buildingId} belongs to tile ${tileKey}, which is not being regenerated`)
  }
}
