/** Cesium drawing of the facility, uncovered-population and renewal-area overlays (plain data from core in, primitives out). */
import {
  Cartesian2,
  Cartesian3,
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
import type { CellOverlay } from '../core/cells.ts'
import type { FacilityMarker } from '../core/facilities.ts'
import { RENEWAL_OUTLINE_COLOUR, type RenewalOutline } from '../core/renewal.ts'

/** Markers float a little above the ground so street-level facilities stay visible. */
const FACILITY_HEIGHT_M = 6
/** Cell markers float like the facility markers; outlines lie just above the ground. */
const CELL_HEIGHT_M = 10
const OUTLINE_HEIGHT_M = 2
const LABEL_HEIGHT_M = 30

export class FacilityLayer {
  private readonly points: PointPrimitiveCollection

  constructor(scene: Scene) {
    this.points = scene.primitives.add(new PointPrimitiveCollection()) as PointPrimitiveCollection
  }

  set show(show: boolean) {
    this.points.show = show
  }

  draw(markers: readonly FacilityMarker[]): void {
    this.points.removeAll()
    for (const m of markers) {
      this.points.add({
        position: Cartesian3.fromDegrees(m.lonDeg, m.latDeg, FACILITY_HEIGHT_M),
        color: Color.fromCssColorString(m.colour),
        pixelSize: 9,
        outlineColor: Color.WHITE,
        outlineWidth: 1.5,
      })
    }
  }
}

export class CellLayer {
  private readonly points: PointPrimitiveCollection

  constructor(scene: Scene) {
    this.points = scene.primitives.add(new PointPrimitiveCollection()) as PointPrimitiveCollection
  }

  set show(show: boolean) {
    this.points.show = show
  }

  get count(): number {
    return this.points.length
  }

  draw(overlay: CellOverlay): void {
    this.points.removeAll()
    for (const m of overlay.markers) {
      this.points.add({
        position: Cartesian3.fromDegrees(m.lonDeg, m.latDeg, CELL_HEIGHT_M),
        color: Color.fromCssColorString(m.colour).withAlpha(0.9),
        pixelSize: m.pixelSize,
        outlineColor: Color.BLACK.withAlpha(0.6),
        outlineWidth: 1,
        // Cells lie among tall buildings: keep them visible from any angle.
        disableDepthTestDistance: Number.POSITIVE_INFINITY,
      })
    }
  }
}

export class RenewalLayer {
  private readonly lines: PolylineCollection
  private readonly labels: LabelCollection
  private areas = 0

  constructor(scene: Scene) {
    this.lines = scene.primitives.add(new PolylineCollection()) as PolylineCollection
    this.labels = scene.primitives.add(new LabelCollection()) as LabelCollection
  }

  set show(show: boolean) {
    this.lines.show = show
    this.labels.show = show
  }

  /** Areas drawn (one label each). */
  get count(): number {
    return this.areas
  }

  draw(outlines: readonly RenewalOutline[]): void {
    this.lines.removeAll()
    this.labels.removeAll()
    const colour = Color.fromCssColorString(RENEWAL_OUTLINE_COLOUR)
    const material = Material.fromType('Color', { color: colour })
    for (const area of outlines) {
      for (const ring of area.rings) {
        this.lines.add({
          positions: Cartesian3.fromDegreesArrayHeights(
            ring.flatMap(([lon, lat]) => [lon, lat, OUTLINE_HEIGHT_M]),
          ),
          width: 3,
          material,
        })
      }
      this.labels.add({
        position: Cartesian3.fromDegrees(area.labelDeg[0], area.labelDeg[1], LABEL_HEIGHT_M),
        text: area.name,
        font: 'bold 14px "Noto Sans CJK SC", "PingFang SC", sans-serif',
        fillColor: colour,
        outlineColor: Color.BLACK,
        outlineWidth: 3,
        style: LabelStyle.FILL_AND_OUTLINE,
        horizontalOrigin: HorizontalOrigin.CENTER,
        verticalOrigin: VerticalOrigin.BOTTOM,
        pixelOffset: new Cartesian2(0, -4),
        disableDepthTestDistance: Number.POSITIVE_INFINITY,
      })
    }
    this.areas = outlines.length
  }
}
