/** The camera of the {@link CityMap}: flights that frame an extent, straight-down views, and screen ↔ ground. */
import {
  BoundingSphere,
  Cartesian2,
  Cartesian3,
  Cartographic,
  Math as CesiumMath,
  HeadingPitchRange,
  Matrix4,
  PerspectiveFrustum,
  type Scene,
  SceneTransforms,
  Transforms,
} from 'cesium'
import type { ExtentDeg } from '../core/extent.ts'
import { type EnuM, type FramingView, rangeToFrame } from './framing.ts'
import type { CameraFlight, CameraView, ScreenPoint } from './types.ts'

/** Oblique: from the south-south-west, 40° down. Overhead: north up, 75° down. */
const VIEWS: Record<CameraView, { headingDeg: number; pitchDeg: number }> = {
  oblique: { headingDeg: 20, pitchDeg: -40 },
  overhead: { headingDeg: 0, pitchDeg: -75 },
}
/** Never closer than this, even to an extent with no size. */
const MIN_RANGE_M = 200

const scratchCartesian = new Cartesian3()
const scratchWindow = new Cartesian2()
const scratchCartographic = new Cartographic()

export class CameraControl {
  private latest: CameraFlight | null = null

  constructor(private readonly scene: Scene) {}

  /** Looks at the extent's centre from `view`'s heading and pitch, as close as keeps the whole extent in view. */
  flyTo(extent: ExtentDeg, durationS: number, view: CameraView): CameraFlight {
    const centre = Cartesian3.fromDegrees(
      (extent.westDeg + extent.eastDeg) / 2,
      (extent.southDeg + extent.northDeg) / 2,
    )
    const framing = this.framingView(view)
    const rangeM = Math.max(rangeToFrame(extentOutlineEnu(extent, centre), framing), MIN_RANGE_M)
    let settle: (arrived: boolean) => void = () => {}
    const flight: CameraFlight = { extent, view, ended: new Promise((resolve) => (settle = resolve)) }
    this.latest = flight
    // A sphere of radius zero: the camera looks at the centre itself, at `rangeM`, whatever the extent's size.
    this.scene.camera.flyToBoundingSphere(new BoundingSphere(centre, 0), {
      offset: new HeadingPitchRange(framing.headingRad, framing.pitchRad, rangeM),
      duration: durationS,
      complete: () => settle(true),
      cancel: () => settle(false),
    })
    return flight
  }

  lastFlight(): CameraFlight | null {
    return this.latest
  }

  position(): { lonDeg: number; latDeg: number; heightM: number } {
    const c = this.scene.camera.positionCartographic
    return {
      lonDeg: CesiumMath.toDegrees(c.longitude),
      latDeg: CesiumMath.toDegrees(c.latitude),
      heightM: c.height,
    }
  }

  lookDownAt(lonDeg: number, latDeg: number, rangeM: number): void {
    // A flight still under way would carry the camera on from here.
    this.scene.camera.cancelFlight()
    this.scene.camera.setView({
      destination: Cartesian3.fromDegrees(lonDeg, latDeg, rangeM),
      orientation: { heading: 0, pitch: -CesiumMath.PI_OVER_TWO, roll: 0 },
    })
  }

  project(lonDeg: number, latDeg: number, heightM: number): ScreenPoint | null {
    const world = Cartesian3.fromDegrees(lonDeg, latDeg, heightM, undefined, scratchCartesian)
    const win = SceneTransforms.worldToWindowCoordinates(this.scene, world, scratchWindow)
    return win ? { x: win.x, y: win.y } : null
  }

  groundAt(point: ScreenPoint): { lonDeg: number; latDeg: number } | null {
    const world = this.scene.camera.pickEllipsoid(
      new Cartesian2(point.x, point.y),
      undefined,
      scratchCartesian,
    )
    const carto = world && Cartographic.fromCartesian(world, undefined, scratchCartographic)
    return carto
      ? { lonDeg: CesiumMath.toDegrees(carto.longitude), latDeg: CesiumMath.toDegrees(carto.latitude) }
      : null
  }

  private framingView(view: CameraView): FramingView {
    const canvas = this.scene.canvas
    const aspect = canvas.clientWidth / Math.max(canvas.clientHeight, 1)
    const frustum = this.scene.camera.frustum
    // Cesium spreads `fov` across the wider side of the canvas; 60° is its default.
    const fov = (frustum instanceof PerspectiveFrustum ? frustum.fov : undefined) ?? Math.PI / 3
    const tanHalfWider = Math.tan(fov / 2)
    return {
      headingRad: CesiumMath.toRadians(VIEWS[view].headingDeg),
      pitchRad: CesiumMath.toRadians(VIEWS[view].pitchDeg),
      tanHalfFovX: aspect >= 1 ? tanHalfWider : tanHalfWider * aspect,
      tanHalfFovY: aspect >= 1 ? tanHalfWider / aspect : tanHalfWider,
    }
  }
}

/**
 * The extent's corners and the middles of its sides on the ground, in metres east-north-up of `centre`: the
 * points whose projections hold the rest of the extent (a city-sized box is near enough to flat).
 */
function extentOutlineEnu(extent: ExtentDeg, centre: Cartesian3): EnuM[] {
  const toEnu = Matrix4.inverseTransformation(Transforms.eastNorthUpToFixedFrame(centre), new Matrix4())
  const midLon = (extent.westDeg + extent.eastDeg) / 2
  const midLat = (extent.southDeg + extent.northDeg) / 2
  const outline: [number, number][] = [
    [extent.westDeg, extent.southDeg],
    [midLon, extent.southDeg],
    [extent.eastDeg, extent.southDeg],
    [extent.eastDeg, midLat],
    [extent.eastDeg, extent.northDeg],
    [midLon, extent.northDeg],
    [extent.westDeg, extent.northDeg],
    [extent.westDeg, midLat],
  ]
  return outline.map(([lon, lat]) => {
    const p = Matrix4.multiplyByPoint(toEnu, Cartesian3.fromDegrees(lon, lat), new Cartesian3())
    return [p.x, p.y, p.z] as const
  })
}
