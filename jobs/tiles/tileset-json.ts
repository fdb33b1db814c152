/** tileset.json, rebuilt from the manifest alone (ADR 0006). */
import {
  DEG_TO_RAD,
  type EnuFrame,
  enuFrame,
  enuToEcefMatrix,
  invertRigid,
  multiplyMatrices,
  WGS84_A_M,
} from './geodesy.ts'
import { contentUriOf, type TilesetManifest } from './manifest.ts'
import { metadataSchema } from './metadata.ts'
import { cellCentreDeg, childCoords, formatTileKey, ROOT_TILE, type TileCoord } from './quadtree.ts'
import type { ExtentDeg, Region } from './types.ts'

/** A tile's local frame: east-north-up at its cell's centre, so it never depends on the buildings inside. */
export function tileFrame(coord: TileCoord, root: ExtentDeg): EnuFrame {
  const [lonDeg, latDeg] = cellCentreDeg(coord, root)
  return enuFrame(lonDeg * DEG_TO_RAD, latDeg * DEG_TO_RAD, 0)
}

function unionRegions(regions: readonly Region[]): Region {
  const u = [...regions[0]!] as Region
  for (const r of regions) {
    u[0] = Math.min(u[0], r[0])
    u[1] = Math.min(u[1], r[1])
    u[2] = Math.max(u[2], r[2])
    u[3] = Math.max(u[3], r[3])
    u[4] = Math.min(u[4], r[4])
    u[5] = Math.max(u[5], r[5])
  }
  return u
}

/**
 * Diagonal of a region in metres, measured at the latitude nearest the equator so that it
 * never grows from parent to child (3D Tiles expects child geometric error ≤ parent's).
 */
export function regionDiagonalM(r: Region): number {
  const nearestEquatorLat = r[1] <= 0 && r[3] >= 0 ? 0 : Math.min(Math.abs(r[1]), Math.abs(r[3]))
  const widthM = (r[2] - r[0]) * WGS84_A_M * Math.cos(nearestEquatorLat)
  const heightM = (r[3] - r[1]) * WGS84_A_M
  return Math.hypot(widthM, heightM, r[5] - r[4])
}

interface TileJson {
  boundingVolume: { region: Region }
  geometricError: number
  refine?: 'ADD' | 'REPLACE'
  transform?: number[]
  content?: { uri: string }
  children?: TileJson[]
}

/**
 * Builds tileset.json purely from the manifest, so regeneration needs no other state. A tile with content gets
 * its cell's ENU frame as `transform`, relative to the nearest ancestor with one (3D Tiles transforms compose
 * down the tree). A subdivided cell with a massing takes the larger of the massing's error and its children's;
 * one without content gets `geometricErrorScale` × its diagonal, so it refines whenever its buildings could show.
 */
export function buildTilesetJson(manifest: TilesetManifest): object {
  const split = new Set(manifest.split)
  const root = manifest.rootExtentDeg
  const placed = (coord: TileCoord, parentAbsolute: number[] | null) => {
    const absolute = enuToEcefMatrix(tileFrame(coord, root))
    const transform = parentAbsolute ? multiplyMatrices(invertRigid(parentAbsolute), absolute) : absolute
    return { absolute, transform }
  }
  const visit = (coord: TileCoord, parentAbsolute: number[] | null): TileJson | null => {
    const key = formatTileKey(coord)
    const tile = manifest.tiles[key]
    if (split.has(key)) {
      const own = tile ? placed(coord, parentAbsolute) : null
      const children = childCoords(coord)
        .map((c) => visit(c, own ? own.absolute : parentAbsolute))
        .filter((c): c is TileJson => c !== null)
      if (children.length === 0 && !tile) return null
      const regions = children.map((c) => c.boundingVolume.region)
      if (tile) regions.push(tile.region)
      const region = unionRegions(regions)
      if (!tile || !own) {
        return {
          boundingVolume: { region },
          geometricError: regionDiagonalM(region) * manifest.geometricErrorScale,
          children,
        }
      }
      const childError = Math.max(0, ...children.map((c) => c.geometricError))
      return {
        boundingVolume: { region },
        geometricError: Math.max(tile.geometricError ?? 0, childError),
        transform: own.transform,
        content: { uri: contentUriOf(key) },
        ...(children.length > 0 ? { children } : {}),
      }
    }
    if (!tile) return null
    return {
      boundingVolume: { region: tile.region },
      geometricError: 0,
      transform: placed(coord, parentAbsolute).transform,
      content: { uri: contentUriOf(key) },
    }
  }
  const e = root
  const rootTile: TileJson = visit(ROOT_TILE, null) ?? {
    boundingVolume: {
      region: [
        e.westDeg * DEG_TO_RAD,
        e.southDeg * DEG_TO_RAD,
        e.eastDeg * DEG_TO_RAD,
        e.northDeg * DEG_TO_RAD,
        0,
        0,
      ],
    },
    geometricError: 0,
  }
  rootTile.refine = (manifest.massingDepth ?? 0) > 0 ? 'REPLACE' : 'ADD'
  const diagonalError = regionDiagonalM(rootTile.boundingVolume.region) * manifest.geometricErrorScale
  return {
    asset: { version: '1.1', generator: 'CityCheck jobs/tiles' },
    schema: metadataSchema(!manifest.publicOnly),
    geometricError: Math.max(diagonalError, rootTile.geometricError, 1),
    root: rootTile,
  }
}
