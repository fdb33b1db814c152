/**
 * The polygon clip: points clicked on the ground make a polygon; finished, it cuts the city tiles inside it (or
 * everything outside it) with a ClippingPolygonCollection. Cesium computes a signed-distance texture for it,
 * which needs WebGL 2 (float render targets): where the context is WebGL 1 the tool says so and is not offered.
 */
import {
  Cartesian2,
  Cartesian3,
  Cartographic,
  Math as CesiumMath,
  ClippingPolygon,
  ClippingPolygonCollection,
  Color,
  PointPrimitiveCollection,
  PolylineCollection,
  type Scene,
} from 'cesium'
import type { CityTileset } from './cityTileset.ts'
import type { PolygonClipState, ScreenPoint } from './types.ts'

const COLOUR = Color.fromCssColorString('#4fc3f7')
/** The outline floats a little above the ground so the base map does not hide it. */
const OUTLINE_HEIGHT_M = 1.5

export class PolygonClip {
  readonly supported: boolean
  private drawing = false
  private corners: [number, number][] = []
  private applied = false
  private cutInside = true
  private readonly outline: PolylineCollection
  private readonly dots: PointPrimitiveCollection

  constructor(
    private readonly scene: Scene,
    private readonly city: CityTileset,
  ) {
    this.supported = ClippingPolygonCollection.isSupported(scene) === true
    this.outline = scene.primitives.add(new PolylineCollection()) as PolylineCollection
    this.dots = scene.primitives.add(new PointPrimitiveCollection()) as PointPrimitiveCollection
  }

  state(): PolygonClipState {
    const { supported, drawing, applied, cutInside } = this
    return { supported, drawing, points: this.corners.length, applied, cutInside }
  }

  /** Starts a new polygon: the clip in place is removed, clicks add corners. */
  start(): void {
    if (!this.supported) return
    this.clear()
    this.drawing = true
  }

  /** Adds the ground point under a click as a corner; false when the click hit the sky. */
  add(point: ScreenPoint): boolean {
    if (!this.drawing) return false
    const world = this.scene.camera.pickEllipsoid(new Cartesian2(point.x, point.y))
    if (!world) return false
    const c = Cartographic.fromCartesian(world)
    this.corners.push([CesiumMath.toDegrees(c.longitude), CesiumMath.toDegrees(c.latitude)])
    this.redraw()
    return true
  }

  /** Ends drawing and cuts the tiles with the polygon; false (nothing cut) with fewer than three corners. */
  finish(): boolean {
    this.drawing = false
    if (this.corners.length < 3) {
      this.clear()
      return false
    }
    this.applied = true
    this.apply()
    this.redraw()
    return true
  }

  /** Cut inside the polygon or outside it. */
  setCutInside(inside: boolean): void {
    this.cutInside = inside
    if (this.applied) this.apply()
  }

  clear(): void {
    this.drawing = false
    this.corners = []
    const wasApplied = this.applied
    this.applied = false
    if (wasApplied) this.apply()
    this.redraw()
  }

  private apply(): void {
    const corners = this.applied ? this.corners : null
    const inverse = !this.cutInside
    this.city.decorate('polygon', (tileset) => {
      // Cesium's typings have no undefined here, though a tileset starts without a collection.
      const clippable = tileset as unknown as { clippingPolygons: ClippingPolygonCollection | undefined }
      // Switched off rather than removed, as the section box: each tileset gets a collection of its own.
      if (!corners) {
        if (clippable.clippingPolygons) clippable.clippingPolygons.enabled = false
        return
      }
      const positions = Cartesian3.fromDegreesArray(corners.flat())
      clippable.clippingPolygons = new ClippingPolygonCollection({
        polygons: [new ClippingPolygon({ positions })],
        // `inverse` keeps what is inside: the collection's default cuts the inside away.
        inverse,
      })
    })
  }

  private redraw(): void {
    this.outline.removeAll()
    this.dots.removeAll()
    const ring = this.corners.map(([lon, lat]) => Cartesian3.fromDegrees(lon, lat, OUTLINE_HEIGHT_M))
    for (const position of ring) this.dots.add({ position, color: COLOUR, pixelSize: 7 })
    if (ring.length < 2) return
    const line = this.outline.add({ positions: this.drawing ? ring : [...ring, ring[0]!], width: 2 })
    line.material.uniforms.color = COLOUR
  }
}
