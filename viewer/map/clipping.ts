/**
 * Clipping the city tiles with a section box: five planes around a point, the top at a chosen height — what
 * is outside or above is cut away, so floors, courtyards and the blocks around show in section.
 */
import {
  Cartesian3,
  type Cesium3DTileset,
  ClippingPlane,
  ClippingPlaneCollection,
  Color,
  Matrix4,
  Transforms,
} from 'cesium'
import type { CityTileset } from './cityTileset.ts'
import type { ClipState, SectionBox } from './types.ts'

export class Clipping {
  private box: SectionBox | null = null

  constructor(private readonly city: CityTileset) {}

  state(): ClipState {
    return { box: this.box }
  }

  setBox(box: SectionBox | null): void {
    this.box = box
    this.city.decorate('clipping', (tileset) => {
      // Cesium's typings have no undefined here, though a tileset starts without a collection.
      const clippable = tileset as unknown as { clippingPlanes: ClippingPlaneCollection | undefined }
      // Switched off rather than removed: with the collection taken away, the loaded tiles were still drawn
      // clipped in the tests.
      if (box) clippable.clippingPlanes = sectionPlanes(tileset, box)
      else if (clippable.clippingPlanes) clippable.clippingPlanes.enabled = false
    })
  }
}

/**
 * Five planes facing into the box, in east-north-up metres at its centre. Cesium keeps what is on the side a
 * plane's normal points to and, with `unionClippingRegions`, cuts what is outside any of them.
 */
function sectionPlanes(tileset: Cesium3DTileset, box: SectionBox): ClippingPlaneCollection {
  const h = box.halfSizeM
  const planes = [
    new ClippingPlane(new Cartesian3(1, 0, 0), h),
    new ClippingPlane(new Cartesian3(-1, 0, 0), h),
    new ClippingPlane(new Cartesian3(0, 1, 0), h),
    new ClippingPlane(new Cartesian3(0, -1, 0), h),
    new ClippingPlane(new Cartesian3(0, 0, -1), box.topM),
  ]
  const enu = Transforms.eastNorthUpToFixedFrame(
    Cartesian3.fromDegrees(box.centreDeg[0], box.centreDeg[1], 0),
  )
  // The planes are placed relative to the tileset's clipping origin (its root transform or bounding-sphere
  // centre frame): undo that, then go to the box's frame.
  const origin = (tileset as unknown as { clippingPlanesOriginMatrix: Matrix4 }).clippingPlanesOriginMatrix
  return new ClippingPlaneCollection({
    planes,
    unionClippingRegions: true,
    modelMatrix: Matrix4.multiply(Matrix4.inverseTransformation(origin, new Matrix4()), enu, new Matrix4()),
    edgeColor: Color.fromCssColorString('#ffd54f'),
    edgeWidth: 2,
  })
}
