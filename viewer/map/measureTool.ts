/**
 * Measuring on the 3D city: clicks pick points on buildings, the base map or the ground; a line, polygon or
 * vertical line is drawn through them with the result as a label. The figures come from `core/measure.ts`.
 */
import {
  Cartesian2,
  Cartesian3,
  Cartographic,
  Math as CesiumMath,
  Color,
  HorizontalOrigin,
  LabelCollection,
  LabelStyle,
  Material,
  PointPrimitiveCollection,
  PolylineCollection,
  type Scene,
  VerticalOrigin,
} from 'cesium'
import type { Lang } from '../core/i18n.ts'
import { type MeasureMode, type Measurement, type MeasurePoint, measure } from '../core/measure.ts'
import type { ScreenPoint } from './types.ts'

const COLOUR = Color.fromCssColorString('#ffd54f')
const scratch = new Cartesian3()

export class MeasureTool {
  private mode: MeasureMode | null = null
  private points: MeasurePoint[] = []
  private readonly lines: PolylineCollection
  private readonly dots: PointPrimitiveCollection
  private readonly labels: LabelCollection
  private lang: Lang = 'zh-CN'
  latest: Measurement | null = null

  constructor(private readonly scene: Scene) {
    this.lines = scene.primitives.add(new PolylineCollection()) as PolylineCollection
    this.dots = scene.primitives.add(new PointPrimitiveCollection()) as PointPrimitiveCollection
    this.labels = scene.primitives.add(new LabelCollection()) as LabelCollection
  }

  get active(): MeasureMode | null {
    return this.mode
  }

  /** Starts measuring in `mode` (null: stops and clears). */
  start(mode: MeasureMode | null, lang: Lang): void {
    this.mode = mode
    this.lang = lang
    this.clear()
  }

  clear(): void {
    this.points = []
    this.latest = null
    this.redraw()
  }

  /** Adds the point under a click; a height measurement starts again after two points. */
  click(point: ScreenPoint): Measurement | null {
    if (!this.mode) return null
    const picked = this.pickPoint(point)
    if (!picked) return this.latest
    if (this.mode === 'height' && this.points.length >= 2) this.points = []
    this.points.push(picked)
    this.latest = measure(this.mode, this.points, this.lang)
    this.redraw()
    return this.latest
  }

  /** The point on whatever is drawn under the cursor (a roof, a wall, the base map), else on the ellipsoid. */
  private pickPoint(point: ScreenPoint): MeasurePoint | null {
    const at = new Cartesian2(point.x, point.y)
    let world: Cartesian3 | undefined
    if (this.scene.pickPositionSupported) world = this.scene.pickPosition(at, scratch)
    world ??= this.scene.camera.pickEllipsoid(at, undefined, scratch)
    if (!world) return null
    const c = Cartographic.fromCartesian(world)
    return {
      lonDeg: CesiumMath.toDegrees(c.longitude),
      latDeg: CesiumMath.toDegrees(c.latitude),
      heightM: c.height,
    }
  }

  private redraw(): void {
    this.lines.removeAll()
    this.dots.removeAll()
    this.labels.removeAll()
    const positions = this.points.map((p) => Cartesian3.fromDegrees(p.lonDeg, p.latDeg, p.heightM))
    for (const p of positions)
      this.dots.add({
        position: p,
        color: COLOUR,
        pixelSize: 8,
        disableDepthTestDistance: Number.POSITIVE_INFINITY,
      })
    const material = Material.fromType('Color', { color: COLOUR })
    const line = (ps: Cartesian3[]) => ps.length >= 2 && this.lines.add({ positions: ps, width: 3, material })
    if (this.mode === 'area' && positions.length >= 3) line([...positions, positions[0]!])
    else if (this.mode === 'height' && this.points.length >= 2) {
      // The vertical from the lower point up to the higher one's height, and across to it.
      const [a, b] = [...this.points].sort((x, y) => x.heightM - y.heightM) as [MeasurePoint, MeasurePoint]
      const top = Cartesian3.fromDegrees(a.lonDeg, a.latDeg, b.heightM)
      line([Cartesian3.fromDegrees(a.lonDeg, a.latDeg, a.heightM), top])
      line([top, Cartesian3.fromDegrees(b.lonDeg, b.latDeg, b.heightM)])
    } else line(positions)
    const last = positions.at(-1)
    if (this.latest?.text && last) {
      this.labels.add({
        position: last,
        text: this.latest.text,
        font: 'bold 16px "Noto Sans CJK SC", sans-serif',
        fillColor: COLOUR,
        outlineColor: Color.BLACK,
        outlineWidth: 4,
        style: LabelStyle.FILL_AND_OUTLINE,
        horizontalOrigin: HorizontalOrigin.LEFT,
        verticalOrigin: VerticalOrigin.BOTTOM,
        pixelOffset: new Cartesian2(8, -8),
        disableDepthTestDistance: Number.POSITIVE_INFINITY,
      })
    }
  }
}
