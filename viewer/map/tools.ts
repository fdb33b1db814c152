/**
 * The CIM tools of the map: measuring (distance, area, height), the section box and two years side by side. A
 * click goes to the active measurement, not to the details.
 */
import { type Cartesian2, ScreenSpaceEventHandler, ScreenSpaceEventType, type Viewer } from 'cesium'
import type { CityTileset } from './cityTileset.ts'
import { Clipping } from './clipping.ts'
import { Compare } from './compare.ts'
import { MeasureTool } from './measureTool.ts'
import type { CimTools, ScreenPoint } from './types.ts'

export function createCimTools(
  viewer: Viewer,
  city: CityTileset,
  tileset: { url: string; headers: Record<string, string> },
): CimTools {
  const comparing = new Compare(viewer.scene, city, tileset.url, tileset.headers)
  const measuring = new MeasureTool(viewer.scene)
  const clipping = new Clipping(city)
  const listeners: (() => void)[] = []
  const click = (point: ScreenPoint) => {
    measuring.click(point)
    for (const l of listeners) l()
  }
  const handler = new ScreenSpaceEventHandler(viewer.scene.canvas)
  handler.setInputAction((e: { position: Cartesian2 }) => {
    if (measuring.active) click(e.position)
  }, ScreenSpaceEventType.LEFT_CLICK)
  return {
    measure: (mode, lang) => measuring.start(mode, lang),
    measurement: () => measuring.latest,
    click,
    setSectionBox: (box) => clipping.setBox(box),
    clipState: () => clipping.state(),
    busy: () => measuring.active !== null,
    onChange: (listener) => listeners.push(listener),
    compare: async (sides) => (sides ? comparing.start(sides.left, sides.right) : comparing.stop()),
    setSplit: (share) => comparing.setPosition(share),
    compareState: () => ({ active: comparing.active, tilesLoaded: comparing.tilesLoaded() }),
  }
}
