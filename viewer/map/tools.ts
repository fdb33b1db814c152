/**
 * The CIM tools of the map: measuring (distance, area, height), the section box and the polygon clip, two years
 * side by side and the time slider. A click goes to the active measurement or polygon, not to the details.
 */
import { type Cartesian2, ScreenSpaceEventHandler, ScreenSpaceEventType, type Viewer } from 'cesium'
import type { CityTileset } from './cityTileset.ts'
import { Clipping } from './clipping.ts'
import { Compare } from './compare.ts'
import { MeasureTool } from './measureTool.ts'
import { PolygonClip } from './polygonClip.ts'
import { TimeTool } from './timeTool.ts'
import type { CimTools, ScreenPoint } from './types.ts'

export function createCimTools(viewer: Viewer, city: CityTileset): CimTools {
  const comparing = new Compare(viewer.scene, city)
  const measuring = new MeasureTool(viewer.scene)
  const clipping = new Clipping(city)
  const polygon = new PolygonClip(viewer.scene, city)
  const time = new TimeTool(viewer.scene, city)
  const listeners: (() => void)[] = []
  const click = (point: ScreenPoint) => {
    if (polygon.state().drawing) polygon.add(point)
    else measuring.click(point)
    for (const l of listeners) l()
  }
  const handler = new ScreenSpaceEventHandler(viewer.scene.canvas)
  handler.setInputAction((e: { position: Cartesian2 }) => {
    if (measuring.active || polygon.state().drawing) click(e.position)
  }, ScreenSpaceEventType.LEFT_CLICK)
  return {
    measure: (mode, lang) => {
      // Measuring takes the clicks: a polygon being drawn is dropped (one applied stays).
      if (mode && polygon.state().drawing) polygon.clear()
      measuring.start(mode, lang)
    },
    measurement: () => measuring.latest,
    click,
    setSectionBox: (box) => clipping.setBox(box),
    clipState: () => clipping.state(),
    busy: () => measuring.active !== null || polygon.state().drawing,
    onChange: (listener) => listeners.push(listener),
    compare: async (sides) => (sides ? comparing.start(sides.left, sides.right) : comparing.stop()),
    cityChanged: () => comparing.follow(),
    setSplit: (share) => comparing.setPosition(share),
    compareState: () => ({ active: comparing.active, tilesLoaded: comparing.tilesLoaded() }),
    polygon: {
      start: () => {
        measuring.start(null, 'zh-CN')
        polygon.start()
      },
      finish: () => polygon.finish(),
      setCutInside: (inside) => polygon.setCutInside(inside),
      clear: () => polygon.clear(),
      state: () => polygon.state(),
    },
    time: {
      setYear: (year, problems) => time.setYear(year, problems),
      year: () => time.activeYear,
      counts: () => time.counts(),
      problemCounts: () => time.problemCounts(),
    },
  }
}
