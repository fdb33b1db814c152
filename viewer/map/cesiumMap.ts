/** {@link CityMap} on CesiumJS: the city model as a 3D Tiles 1.1 tileset, offline (no ion, no remote data). */
import {
  BoundingSphere,
  Cartesian2,
  Cartesian3,
  Cartographic,
  Cesium3DTileFeature,
  Cesium3DTileStyle,
  type Cesium3DTileset,
  Math as CesiumMath,
  Color,
  ColorGeometryInstanceAttribute,
  Credit,
  GeometryInstance,
  HeadingPitchRange,
  HorizontalOrigin,
  LabelCollection,
  LabelStyle,
  PerInstanceColorAppearance,
  PointPrimitiveCollection,
  PolygonGeometry,
  PolygonHierarchy,
  Primitive,
  PrimitiveCollection,
  Rectangle,
  SceneTransforms,
  ScreenSpaceEventHandler,
  ScreenSpaceEventType,
  VerticalOrigin,
} from 'cesium'
import { type ExtentDeg, extentOfRegion } from '../core/extent.ts'
import type { FacilityMarker } from '../core/facilities.ts'
import { BLIND_SPOT_COLOUR, type GapOverlay, type Ring } from '../core/gaps.ts'
import { isMassing } from '../core/massing.ts'
import { colourConditions, type Theme } from '../core/themes.ts'
import { CityTileset } from './cityTileset.ts'
import { createOfflineViewer } from './offlineViewer.ts'
import { CellLayer, RenewalLayer } from './overlays.ts'
import type { CameraView, CityMap, MapLayer, PickedBuilding, ScreenPoint } from './types.ts'

export const OSM_ATTRIBUTION = '© OpenStreetMap contributors (ODbL)'

/** Markers float a little above the ground so street-level facilities stay visible. */
const FACILITY_HEIGHT_M = 6
const HIGHLIGHT = Color.fromCssColorString('#00e5ff')
/** Blind spots lie flat just above the (ellipsoid) ground; demand points float like the facility markers. */
const BLIND_SPOT_HEIGHT_M = 1
const DEMAND_POINT_HEIGHT_M = 8

const scratchCartesian = new Cartesian3()
const scratchWindow = new Cartesian2()
const scratchCartographic = new Cartographic()

export interface CesiumMapOptions {
  container: HTMLElement
  tilesetUrl: string
  /**
   * Cheaper rendering for software GL (headless tests, old machines): no MSAA, sky box, atmosphere or
   * sun/moon. The city looks the same.
   */
  lite?: boolean
}

export async function createCesiumMap(options: CesiumMapOptions): Promise<CityMap> {
  const viewer = createOfflineViewer(options.container, options.lite ?? false)
  viewer.creditDisplay.addStaticCredit(new Credit(OSM_ATTRIBUTION, true))

  const city = await CityTileset.load(viewer.scene, options.tilesetUrl)
  const status = city.status

  const root = (await (await fetch(options.tilesetUrl)).json()) as {
    root: { boundingVolume: { region: number[] } }
  }
  const cityExtent: ExtentDeg = extentOfRegion(root.root.boundingVolume.region)

  const facilities = viewer.scene.primitives.add(new PointPrimitiveCollection()) as PointPrimitiveCollection
  const blindSpots = viewer.scene.primitives.add(new PrimitiveCollection()) as PrimitiveCollection
  const demandPoints = viewer.scene.primitives.add(new PointPrimitiveCollection()) as PointPrimitiveCollection
  const demandLabels = viewer.scene.primitives.add(new LabelCollection()) as LabelCollection
  const cells = new CellLayer(viewer.scene)
  const renewal = new RenewalLayer(viewer.scene)

  let selected: Cesium3DTileFeature | null = null
  const listeners: ((picked: PickedBuilding | null) => void)[] = []

  const pickFeature = (point: ScreenPoint): Cesium3DTileFeature | null => {
    const picked: unknown = viewer.scene.pick(new Cartesian2(point.x, point.y))
    return picked instanceof Cesium3DTileFeature ? picked : null
  }
  const toPicked = (feature: Cesium3DTileFeature, point: ScreenPoint): PickedBuilding => {
    const properties = propertiesOf(feature)
    let positionDeg: PickedBuilding['positionDeg'] = null
    if (viewer.scene.pickPositionSupported) {
      const world = viewer.scene.pickPosition(new Cartesian2(point.x, point.y), scratchCartesian)
      if (world) {
        const carto = Cartographic.fromCartesian(world, undefined, scratchCartographic)
        if (carto)
          positionDeg = {
            lonDeg: CesiumMath.toDegrees(carto.longitude),
            latDeg: CesiumMath.toDegrees(carto.latitude),
          }
      }
    }
    return { id: Number(feature.getProperty('id')), properties, positionDeg }
  }

  const handler = new ScreenSpaceEventHandler(viewer.scene.canvas)
  handler.setInputAction((click: { position: Cartesian2 }) => {
    const feature = pickFeature(click.position)
    const picked = feature ? toPicked(feature, click.position) : null
    for (const listener of listeners) listener(picked)
  }, ScreenSpaceEventType.LEFT_CLICK)

  const map: CityMap = {
    cityExtent,
    status: () => ({ ...status, tilesLoaded: status.tilesLoaded && city.tileset.tilesLoaded }),
    setTheme(theme: Theme) {
      city.setStyle(styleOf(theme))
      selected = null
    },
    async reloadBuildings() {
      selected = null
      await city.reload()
    },
    setLayerVisible(layer: MapLayer, visible: boolean) {
      if (layer === 'buildings') city.setShow(visible)
      else if (layer === 'facilities') facilities.show = visible
      else if (layer === 'blindSpots') blindSpots.show = visible
      else if (layer === 'uncoveredCells') cells.show = visible
      else if (layer === 'renewalAreas') renewal.show = visible
      else {
        demandPoints.show = visible
        demandLabels.show = visible
      }
    },
    setGaps(overlay: GapOverlay) {
      blindSpots.removeAll()
      demandPoints.removeAll()
      demandLabels.removeAll()
      const fill = ColorGeometryInstanceAttribute.fromColor(Color.fromCssColorString(BLIND_SPOT_COLOUR))
      const instances = overlay.polygons.flatMap((spot) =>
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
      if (instances.length > 0) {
        blindSpots.add(
          new Primitive({
            geometryInstances: instances,
            appearance: new PerInstanceColorAppearance({ translucent: true, flat: true }),
            asynchronous: false,
          }),
        )
      }
      for (const p of overlay.points) {
        const position = Cartesian3.fromDegrees(p.lonDeg, p.latDeg, DEMAND_POINT_HEIGHT_M)
        demandPoints.add({
          position,
          color: Color.fromCssColorString(p.colour),
          pixelSize: p.pixelSize,
          outlineColor: Color.WHITE,
          outlineWidth: 1.5,
          // Always on top: a point among tall buildings must not vanish behind them.
          disableDepthTestDistance: Number.POSITIVE_INFINITY,
        })
        demandLabels.add({
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
    },
    setFacilities(markers: readonly FacilityMarker[]) {
      facilities.removeAll()
      for (const m of markers) {
        facilities.add({
          position: Cartesian3.fromDegrees(m.lonDeg, m.latDeg, FACILITY_HEIGHT_M),
          color: Color.fromCssColorString(m.colour),
          pixelSize: 9,
          outlineColor: Color.WHITE,
          outlineWidth: 1.5,
        })
      }
    },
    setUncoveredCells(overlay) {
      cells.draw(overlay)
    },
    setRenewalAreas(outlines) {
      renewal.draw(outlines)
    },
    overlayCounts: () => ({ uncoveredCells: cells.count, renewalAreas: renewal.count }),
    flyTo(extent: ExtentDeg, durationS = 1.5, view: CameraView = 'oblique') {
      const rectangle = Rectangle.fromDegrees(
        extent.westDeg,
        extent.southDeg,
        extent.eastDeg,
        extent.northDeg,
      )
      const sphere = BoundingSphere.fromRectangle3D(rectangle, undefined, 0)
      viewer.camera.flyToBoundingSphere(sphere, {
        offset: viewOffset(extent, sphere.radius, view),
        duration: durationS,
      })
    },
    cameraPosition() {
      const c = viewer.camera.positionCartographic
      return {
        lonDeg: CesiumMath.toDegrees(c.longitude),
        latDeg: CesiumMath.toDegrees(c.latitude),
        heightM: c.height,
      }
    },
    lookDownAt(lonDeg: number, latDeg: number, rangeM: number) {
      viewer.camera.setView({
        destination: Cartesian3.fromDegrees(lonDeg, latDeg, rangeM),
        orientation: { heading: 0, pitch: -CesiumMath.PI_OVER_TWO, roll: 0 },
      })
    },
    pick(point: ScreenPoint) {
      const feature = pickFeature(point)
      return feature ? toPicked(feature, point) : null
    },
    building(id: number) {
      const feature = findLoadedFeature(city.tileset, id)
      return feature ? { id, properties: propertiesOf(feature), positionDeg: null } : null
    },
    buildingColour(id: number) {
      const feature = findLoadedFeature(city.tileset, id)
      return feature ? feature.color.toCssHexString() : null
    },
    project(lonDeg: number, latDeg: number, heightM: number) {
      const world = Cartesian3.fromDegrees(lonDeg, latDeg, heightM, undefined, scratchCartesian)
      const win = SceneTransforms.worldToWindowCoordinates(viewer.scene, world, scratchWindow)
      return win ? { x: win.x, y: win.y } : null
    },
    onPick(listener) {
      listeners.push(listener)
    },
    highlight(id: number | null) {
      if (selected) {
        selected.color = Color.WHITE
        city.tileset.makeStyleDirty()
        selected = null
      }
      if (id === null) return
      // The clicked feature is the one under the last pick; find it by id among loaded tiles' features.
      const feature = findLoadedFeature(city.tileset, id)
      if (feature) {
        feature.color = HIGHLIGHT
        selected = feature
      }
    },
    destroy() {
      handler.destroy()
      viewer.destroy()
    },
  }
  return map
}

/**
 * Oblique: from the south-south-west, 40° down, twice the extent's radius away (the whole extent in view).
 * Overhead: 75° down from above the extent, looking along its longer side, so the camera stays over the
 * extent while the whole of it is in view.
 */
function viewOffset(extent: ExtentDeg, radiusM: number, view: CameraView): HeadingPitchRange {
  if (view === 'oblique')
    return new HeadingPitchRange(CesiumMath.toRadians(20), CesiumMath.toRadians(-40), radiusM * 2)
  const midLat = CesiumMath.toRadians((extent.southDeg + extent.northDeg) / 2)
  const wide = (extent.eastDeg - extent.westDeg) * Math.cos(midLat) > extent.northDeg - extent.southDeg
  return new HeadingPitchRange(CesiumMath.toRadians(wide ? 90 : 0), CesiumMath.toRadians(-75), radiusM * 1.9)
}

/** Tile-property themes as 3D Tiles style conditions; by-id themes (grades) as a colour looked up per feature. */
function styleOf(theme: Theme): Cesium3DTileStyle {
  const byBuilding = theme.byBuilding
  if (!byBuilding) return new Cesium3DTileStyle({ color: { conditions: colourConditions(theme) } })
  const colours = new Map<string, Color>()
  const parsed = (css: string) => {
    let colour = colours.get(css)
    if (!colour) {
      colour = Color.fromCssColorString(css)
      colours.set(css, colour)
    }
    return colour
  }
  const style = new Cesium3DTileStyle()
  // Cesium evaluates any object with `evaluateColor` as the colour expression (documented on Cesium3DTileStyle#color).
  const expression = {
    evaluateColor(feature: Cesium3DTileFeature, result?: Color): Color {
      const css = byBuilding.get(Number(feature.getProperty('id'))) ?? theme.fallbackColour
      return Color.clone(parsed(css), result)
    },
  }
  style.color = expression as unknown as Cesium3DTileStyle['color']
  return style
}

function hierarchyOf(rings: readonly Ring[]): PolygonHierarchy {
  const positions = (ring: Ring) => Cartesian3.fromDegreesArray(ring.flat())
  const [outer, ...holes] = rings
  return new PolygonHierarchy(
    positions(outer ?? []),
    holes.map((hole) => new PolygonHierarchy(positions(hole))),
  )
}

function propertiesOf(feature: Cesium3DTileFeature): Record<string, unknown> {
  const properties: Record<string, unknown> = {}
  for (const name of feature.getPropertyIds()) properties[name] = feature.getProperty(name)
  return properties
}

/**
 * Walks the loaded tiles for the building with this `id` property (few tiles, so a scan is cheap). Block
 * massings share id 0 and stand for many buildings: never one of them.
 */
function findLoadedFeature(tileset: Cesium3DTileset, id: number): Cesium3DTileFeature | null {
  if (isMassing(id)) return null
  const stack = [tileset.root]
  while (stack.length > 0) {
    const tile = stack.pop()!
    stack.push(...tile.children)
    const content = tile.content
    if (!content) continue
    for (let i = 0; i < content.featuresLength; i++) {
      const feature = content.getFeature(i)
      if (Number(feature.getProperty('id')) === id) return feature
    }
  }
  return null
}
