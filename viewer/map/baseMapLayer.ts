/**
 * The base map drawn on the ground under the buildings (docs/adr/0019). Two ways were measured: `flat` — one
 * batched Primitive of polygons a few decimetres above the ellipsoid per layer and polylines above them, in a
 * fixed order — and `ground` — GroundPrimitive / GroundPolylinePrimitive clamped to the globe. Flat is the
 * default: on the flat globe it looks the same, draws in a set order (ground primitives overlapping each other
 * have none) and loads sooner; `?basemap=ground` keeps the other for comparison.
 */
import {
  ArcType,
  Cartesian2,
  Cartesian3,
  Color,
  ColorGeometryInstanceAttribute,
  GeometryInstance,
  GroundPolylineGeometry,
  GroundPolylinePrimitive,
  GroundPrimitive,
  HorizontalOrigin,
  LabelCollection,
  LabelStyle,
  Material,
  PerInstanceColorAppearance,
  PolygonGeometry,
  PolygonHierarchy,
  PolylineCollection,
  PolylineColorAppearance,
  Primitive,
  type Scene,
  VerticalOrigin,
} from 'cesium'
import type { BaseMap, BaseMapArea, BaseMapLabel, PolygonRings } from '../core/basemap.ts'
import type { Lang } from '../core/i18n.ts'

export type BaseMapMode = 'flat' | 'ground'

/** Heights (m) of the flat layers: apart enough for the depth buffer at city range, under any building. */
const AREA_HEIGHT_M: Record<BaseMapArea['layer'], number> = { landuse: 0.2, green: 0.4, water: 0.6 }
const LINE_HEIGHT_M = 0.9
const LABEL_HEIGHT_M = 60

type Drawn = Primitive | GroundPrimitive | GroundPolylinePrimitive

export class BaseMapLayer {
  private drawn: Drawn[] = []
  private readonly lines: PolylineCollection
  private readonly labels: LabelCollection
  private data: BaseMap = { areas: [], lines: [], labels: [] }
  private visible = true

  constructor(
    private readonly scene: Scene,
    readonly mode: BaseMapMode,
  ) {
    this.lines = scene.primitives.add(new PolylineCollection()) as PolylineCollection
    this.labels = scene.primitives.add(new LabelCollection()) as LabelCollection
  }

  set show(show: boolean) {
    this.visible = show
    for (const p of this.drawn) p.show = show
    this.lines.show = show
    this.labels.show = show
  }

  /** Every primitive of the base map has been built (batched geometry is built by web workers). */
  get ready(): boolean {
    return this.drawn.every((p) => p.ready)
  }

  counts(): { areas: number; lines: number; labels: number } {
    return { areas: this.data.areas.length, lines: this.data.lines.length, labels: this.labels.length }
  }

  draw(map: BaseMap, lang: Lang): void {
    for (const p of this.drawn) this.scene.primitives.remove(p)
    this.drawn = []
    this.lines.removeAll()
    this.data = map
    for (const layer of ['landuse', 'green', 'water'] as const) {
      const areas = map.areas.filter((a) => a.layer === layer)
      if (areas.length > 0) this.drawn.push(this.areas(areas, AREA_HEIGHT_M[layer]))
    }
    if (this.mode === 'ground') {
      const instances = map.lines.map(
        (l) =>
          new GeometryInstance({
            geometry: new GroundPolylineGeometry({
              positions: positionsOf(l.positions, 0),
              width: l.widthPx,
            }),
            attributes: {
              color: ColorGeometryInstanceAttribute.fromColor(Color.fromCssColorString(l.colour)),
            },
          }),
      )
      if (instances.length > 0)
        this.drawn.push(
          new GroundPolylinePrimitive({
            geometryInstances: instances,
            appearance: new PolylineColorAppearance(),
          }),
        )
    } else {
      for (const l of map.lines) {
        const colour = Color.fromCssColorString(l.colour)
        this.lines.add({
          positions: positionsOf(l.positions, LINE_HEIGHT_M),
          width: l.widthPx,
          material: l.dashed
            ? Material.fromType('PolylineDash', { color: colour, dashLength: 12 })
            : Material.fromType('Color', { color: colour }),
        })
      }
    }
    for (const p of this.drawn) {
      p.show = this.visible
      this.scene.primitives.add(p)
    }
    // Areas and lines go under everything added before (buildings, overlays): lowest in the draw order.
    for (const p of [...this.drawn].reverse()) this.scene.primitives.lowerToBottom(p)
    this.setLang(lang, map.labels)
  }

  /** District names in the viewer's language. */
  setLang(lang: Lang, labels: readonly BaseMapLabel[] = this.data.labels): void {
    this.labels.removeAll()
    for (const label of labels) {
      this.labels.add({
        position: Cartesian3.fromDegrees(label.position[0], label.position[1], LABEL_HEIGHT_M),
        text: label.text[lang],
        font: 'bold 18px "Noto Sans CJK SC", "PingFang SC", sans-serif',
        fillColor: Color.WHITE,
        outlineColor: Color.fromCssColorString('#101820'),
        outlineWidth: 4,
        style: LabelStyle.FILL_AND_OUTLINE,
        horizontalOrigin: HorizontalOrigin.CENTER,
        verticalOrigin: VerticalOrigin.CENTER,
        pixelOffset: new Cartesian2(0, 0),
        disableDepthTestDistance: Number.POSITIVE_INFINITY,
      })
    }
  }

  private areas(areas: readonly BaseMapArea[], heightM: number): Drawn {
    const instances = areas.map(
      (a) =>
        new GeometryInstance({
          geometry: new PolygonGeometry({
            polygonHierarchy: hierarchyOf(a.polygon),
            vertexFormat: PerInstanceColorAppearance.FLAT_VERTEX_FORMAT,
            arcType: ArcType.GEODESIC,
            ...(this.mode === 'flat' ? { height: heightM } : {}),
          }),
          attributes: { color: ColorGeometryInstanceAttribute.fromColor(Color.fromCssColorString(a.colour)) },
        }),
    )
    const appearance = new PerInstanceColorAppearance({ flat: true, translucent: false })
    return this.mode === 'ground'
      ? new GroundPrimitive({ geometryInstances: instances, appearance })
      : // Never picked: a click on the ground is a click on no building.
        new Primitive({ geometryInstances: instances, appearance, allowPicking: false })
  }
}

function positionsOf(line: readonly [number, number][], heightM: number): Cartesian3[] {
  return Cartesian3.fromDegreesArrayHeights(line.flatMap(([lon, lat]) => [lon, lat, heightM]))
}

function hierarchyOf(rings: PolygonRings): PolygonHierarchy {
  const [outer = [], ...holes] = rings
  return new PolygonHierarchy(
    positionsOf(outer, 0),
    holes.map((h) => new PolygonHierarchy(positionsOf(h, 0))),
  )
}
