/**
 * Clipping the city tiles: a section box (five planes around a point, the top at a chosen height: what is
 * outside or above is cut away, so floors and courtyards show) and polygon clips (`ClippingPolygonCollection`:
 * the buildings inside a drawn polygon are cut away, as for a planned demolition). Polygons need WebGL 2.
 */
import {
  Cartesian3,
  type Cesium3DTileset,
  ClippingPlane,
  ClippingPlaneCollection,
  ClippingPolygon,
  ClippingPolygonCollection,
  Color,
  Matrix4,
  type Scene,
  Transforms,
} from 'cesium'
import type { CityTileset } from './cityTileset.ts'

/** A section box: its centre on the ground, half its side in metres and the height of its top. */
export interface SectionBox {
  centreDeg: [number, number]
  halfSizeM: number
  topM: number
}

export interface ClipState {
  box: SectionBox | null
  polygons: [number, number][][]
  /** Whether this browser can clip by polygon (WebGL 2). */
  polygonsSupported: boolean
}

export class Clipping {
  private box: SectionBox | null = null
  private polygons: [number, number][][] = []

  constructor(
    private readonly scene: Scene,
    private readonly city: CityTileset,
  ) {}

  state(): ClipState {
    return {
      box: this.box,
      polygons: this.polygons,
      polygonsSupported: ClippingPolygonCollection.isSupported(this.scene),
    }
  }

  setBox(box: SectionBox | null): void {
    this.box = box
    this.apply()
  }

  /** Adds a polygon clip (a ring of `[lon, lat]`, at least three points); null removes them all. */
  addPolygon(ring: [number, number][] | null): void {
    this.polygons = ring && ring.length >= 3 ? [...this.polygons, ring] : []
    this.apply()
  }

  private apply(): void {
    const box = this.box
    const polygons = this.state().polygonsSupported ? this.polygons : []
    this.city.decorate((tileset) => {
      // Cesium's typings have no undefined here, though a tileset starts without either collection.
      const clippable = tileset as unknown as {
        clippingPlanes: ClippingPlaneCollection | undefined
        clippingPolygons: ClippingPolygonCollection | undefined
      }
      // Switched off rather than removed: with the collection taken away, the loaded tiles were still drawn
      // clipped in the tests.
      if (box) clippable.clippingPlanes = sectionPlanes(tileset, box)
      else if (clippable.clippingPlanes) clippable.clippingPlanes.enabled = false
      if (polygons.length > 0)
        clippable.clippingPolygons = new ClippingPolygonCollection({
          polygons: polygons.map(
            (ring) => new ClippingPolygon({ positions: Cartesian3.fromDegreesArray(ring.flat()) }),
          ),
        })
      else if (clippable.clippingPolygons) clippable.clippingPolygons.enabled = false
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
