/**
 * Cesium drawing of the renewal overlays: stock resources as ground polygons and points, zoning areas as
 * translucent polygons under them, projects as markers with a two-line label (plain data from core in).
 */
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
import type { PlanOverlay, PlanShape } from '../core/resources.ts'
import { hierarchyOf } from './polygons.ts'

/** Zoning lies lowest, resources just above it (both over the flat base map), markers float like facilities. */
const ZONING_HEIGHT_M = 1.2
const RESOURCE_HEIGHT_M = 1.6
const POINT_HEIGHT_M = 6
const PROJECT_HEIGHT_M = 12
const ZONING_ALPHA = 0.28
const RESOURCE_ALPHA = 0.75

export interface PlanCounts {
  resourcePolygons: number
  resourcePoints: number
  zoningPolygons: number
  projects: number
}

export class ResourceLayer {
  private readonly zoning: PrimitiveCollection
  private readonly resources: PrimitiveCollection
  private readonly resourcePoints: PointPrimitiveCollection
  private readonly projectPoints: PointPrimitiveCollection
  private readonly projectLabels: LabelCollection
  private drawn: PlanCounts = { resourcePolygons: 0, resourcePoints: 0, zoningPolygons: 0, projects: 0 }

  constructor(scene: Scene) {
    this.zoning = scene.primitives.add(new PrimitiveCollection()) as PrimitiveCollection
    this.resources = scene.primitives.add(new PrimitiveCollection()) as PrimitiveCollection
    this.resourcePoints = scene.primitives.add(new PointPrimitiveCollection()) as PointPrimitiveCollection
    this.projectPoints = scene.primitives.add(new PointPrimitiveCollection()) as PointPrimitiveCollection
    this.projectLabels = scene.primitives.add(new LabelCollection()) as LabelCollection
  }

  /** What is drawn now (polygon parts, points, markers). */
  get counts(): PlanCounts {
    return this.drawn
  }

  draw(overlay: PlanOverlay): void {
    this.zoning.removeAll()
    this.resources.removeAll()
    this.resourcePoints.removeAll()
    this.projectPoints.removeAll()
    this.projectLabels.removeAll()
    const zoningPolygons = fillPolygons(this.zoning, overlay.zoning, ZONING_HEIGHT_M, ZONING_ALPHA)
    const resourcePolygons = fillPolygons(
      this.resources,
      overlay.resources,
      RESOURCE_HEIGHT_M,
      RESOURCE_ALPHA,
    )
    for (const shape of overlay.resources) {
      for (const [lon, lat] of shape.points) {
        this.resourcePoints.add({
          position: Cartesian3.fromDegrees(lon, lat, POINT_HEIGHT_M),
          color: Color.fromCssColorString(shape.colour),
          pixelSize: 10,
          outlineColor: Color.BLACK,
          outlineWidth: 1.5,
          disableDepthTestDistance: Number.POSITIVE_INFINITY,
        })
      }
    }
    for (const marker of overlay.projects) this.addProject(marker)
    this.drawn = {
      resourcePolygons,
      resourcePoints: this.resourcePoints.length,
      zoningPolygons,
      projects: overlay.projects.length,
    }
  }

  private addProject(marker: PlanOverlay['projects'][number]): void {
    const position = Cartesian3.fromDegrees(marker.lonDeg, marker.latDeg, PROJECT_HEIGHT_M)
    this.projectPoints.add({
      position,
      color: Color.fromCssColorString(marker.colour),
      pixelSize: 14,
      outlineColor: Color.WHITE,
      outlineWidth: 2,
      // Projects sit among buildings: always on top.
      disableDepthTestDistance: Number.POSITIVE_INFINITY,
    })
    this.projectLabels.add({
      position,
      text: marker.label,
      font: '12px "Noto Sans CJK SC", "PingFang SC", sans-serif',
      fillColor: Color.WHITE,
      outlineColor: Color.BLACK,
      outlineWidth: 3,
      style: LabelStyle.FILL_AND_OUTLINE,
      horizontalOrigin: HorizontalOrigin.LEFT,
      verticalOrigin: VerticalOrigin.CENTER,
      pixelOffset: new Cartesian2(10, 0),
      disableDepthTestDistance: Number.POSITIVE_INFINITY,
    })
  }
}

/** One batched primitive of flat translucent polygons; the number of polygon parts drawn. */
function fillPolygons(
  into: PrimitiveCollection,
  shapes: readonly PlanShape[],
  heightM: number,
  alpha: number,
): number {
  const instances = shapes.flatMap((shape) => {
    const colour = ColorGeometryInstanceAttribute.fromColor(
      Color.fromCssColorString(shape.colour).withAlpha(alpha),
    )
    return shape.polygons.map(
      (rings) =>
        new GeometryInstance({
          geometry: new PolygonGeometry({ polygonHierarchy: hierarchyOf(rings), height: heightM }),
          attributes: { color: colour },
        }),
    )
  })
  if (instances.length === 0) return 0
  into.add(
    new Primitive({
      geometryInstances: instances,
      appearance: new PerInstanceColorAppearance({ translucent: true, flat: true }),
      asynchronous: false,
    }),
  )
  return instances.length
}
