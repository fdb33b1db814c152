/** Buildings of the city tileset under the cursor, by id among the loaded tiles, and the one highlighted. */
import {
  Cartesian2,
  Cartesian3,
  Cartographic,
  Cesium3DTileFeature,
  type Cesium3DTileset,
  Math as CesiumMath,
  Color,
  type Scene,
  ScreenSpaceEventHandler,
  ScreenSpaceEventType,
} from 'cesium'
import { isMassing } from '../core/massing.ts'
import type { PickedBuilding, ScreenPoint } from './types.ts'

const HIGHLIGHT = Color.fromCssColorString('#00e5ff')

const scratchCartesian = new Cartesian3()
const scratchCartographic = new Cartographic()

export class BuildingPicker {
  private selected: Cesium3DTileFeature | null = null
  private readonly listeners: ((picked: PickedBuilding | null) => void)[] = []
  private readonly handler: ScreenSpaceEventHandler

  /** @param tileset the tileset shown now (a reload swaps it). */
  constructor(
    private readonly scene: Scene,
    private readonly tileset: () => Cesium3DTileset,
  ) {
    this.handler = new ScreenSpaceEventHandler(scene.canvas)
    this.handler.setInputAction((click: { position: Cartesian2 }) => {
      const picked = this.pick(click.position)
      for (const listener of this.listeners) listener(picked)
    }, ScreenSpaceEventType.LEFT_CLICK)
  }

  pick(point: ScreenPoint): PickedBuilding | null {
    const at = new Cartesian2(point.x, point.y)
    // The building in front; where a district name or a marker is drawn over the city, the building under it.
    let picked: unknown = this.scene.pick(at)
    if (picked !== undefined && !(picked instanceof Cesium3DTileFeature))
      picked = this.scene.drillPick(at, 4).find((p: unknown) => p instanceof Cesium3DTileFeature)
    if (!(picked instanceof Cesium3DTileFeature)) return null
    return {
      id: Number(picked.getProperty('id')),
      properties: propertiesOf(picked),
      positionDeg: this.hit(point),
    }
  }

  onPick(listener: (picked: PickedBuilding | null) => void): void {
    this.listeners.push(listener)
  }

  building(id: number): PickedBuilding | null {
    const feature = findLoadedFeature(this.tileset(), id)
    return feature ? { id, properties: propertiesOf(feature), positionDeg: null } : null
  }

  buildingColour(id: number): string | null {
    return findLoadedFeature(this.tileset(), id)?.color.toCssHexString() ?? null
  }

  highlight(id: number | null): void {
    if (this.selected) {
      this.selected.color = Color.WHITE
      this.tileset().makeStyleDirty()
      this.selected = null
    }
    if (id === null) return
    // The clicked feature is the one under the last pick; find it by id among loaded tiles' features.
    const feature = findLoadedFeature(this.tileset(), id)
    if (feature) {
      feature.color = HIGHLIGHT
      this.selected = feature
    }
  }

  /** A new style or tileset repaints every feature: the highlighted one is no longer marked. */
  forgetHighlight(): void {
    this.selected = null
  }

  destroy(): void {
    this.handler.destroy()
  }

  /** Where the pick hit, when the renderer can tell. */
  private hit(point: ScreenPoint): PickedBuilding['positionDeg'] {
    if (!this.scene.pickPositionSupported) return null
    const world = this.scene.pickPosition(new Cartesian2(point.x, point.y), scratchCartesian)
    const carto = world && Cartographic.fromCartesian(world, undefined, scratchCartographic)
    return carto
      ? { lonDeg: CesiumMath.toDegrees(carto.longitude), latDeg: CesiumMath.toDegrees(carto.latitude) }
      : null
  }
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
