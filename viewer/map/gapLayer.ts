/** Cesium drawing of a coverage run's overlays: blind-spot polygons and demand points labelled with their rank. */
import {
  Cartesian2,
  Cartesian3,
  Color,
  ColorGeometryInstanceAttribute,
  GeometryInstance,
  HorizontalOrigin,
  LabelCollection,
  LabelStyle,
  PerInstanceColorAppearance,
  PointPrimitiveCollection,
  PolygonGeometry,
  Primitive,
  PrimitiveCollection,
  type Scene,
  VerticalOrigin,
} from 'cesium'
import { BLIND_SPOT_COLOUR, type GapOverlay } from '../core/gaps.ts'
import { hierarchyOf } from './polygons.ts'

/** Blind spots lie flat just above the (ellipsoid) ground; demand points float like the facility markers. */
const BLIND_SPOT_HEIGHT_M = 1
const DEMAND_POINT_HEIGHT_M = 8

export class GapLayer {
  private readonly blindSpots: PrimitiveCollection
  private readonly demandPoints: PointPrimitiveCollection
  private readonly demandLabels: LabelCollection

  constructor(scene: Scene) {
    this.blindSpots = scene.primitives.add(new PrimitiveCollection()) as PrimitiveCollection
    this.demandPoints = scene.primitives.add(new PointPrimitiveCollection()) as PointPrimitiveCollection
    this.demandLabels = scene.primitives.add(new LabelCollection()) as LabelCollection
  }

  set showBlindSpots(show: boolean) {
    this.blindSpots.show = show
  }

  set showDemandPoints(show: boolean) {
    this.demandPoints.show = show
    this.demandLabels.show = show
  }

  draw(overlay: GapOverlay): void {
    this.blindSpots.removeAll()
    this.demandPoints.removeAll()
    this.demandLabels.removeAll()
    this.drawBlindSpots(overlay.polygons)
    for (const p of overlay.points) {
      const position = Cartesian3.fromDegrees(p.lonDeg, p.latDeg, DEMAND_POINT_HEIGHT_M)
      this.demandPoints.add({
        position,
        color: Color.fromCssColorString(p.colour),
        pixelSize: p.pixelSize,
        outlineColor: Color.WHITE,
        outlineWidth: 1.5,
        // Always on top: a point among tall buildings must not vanish behind them.
        disableDepthTestDistance: Number.POSITIVE_INFINITY,
      })
      this.demandLabels.add({
        position,
        text: p.label,
        font: 'bold 13px sans-serif',
        disableDepthTestDistance: Number.POSITIVE_INFINITY,
        fillColor: Color.WHITE,
        outlineColor: Color.BLACK,
        outlineWidth: 3,
        style: LabelStyle.FILL_AND_OUTLINE,
        horizontalOrigin: HorizontalOrigin.LEFT,
        verticalOrigin: VerticalOrigin.BOTTOM,
        pixelOffset: new Cartesian2(p.pixelSize / 2 + 2, -p.pixelSize / 2),
      })
    }
  }

  private drawBlindSpots(spots: GapOverlay['polygons']): void {
    const fill = ColorGeometryInstanceAttribute.fromColor(Color.fromCssColorString(BLIND_SPOT_COLOUR))
    const instances = spots.flatMap((spot) =>
      spot.polygons.map(
        (rings) =>
          new GeometryInstance({
            geometry: new PolygonGeometry({
              polygonHierarchy: hierarchyOf(rings),
              height: BLIND_SPOT_HEIGHT_M,
            }),
            attributes: { color: fill },
          }),
      ),
    )
    if (instances.length === 0) return
    this.blindSpots.add(
      new Primitive({
        geometryInstances: instances,
        appearance: new PerInstanceColorAppearance({ translucent: true, flat: true }),
        asynchronous: false,
      }),
    )
  }
}
