/**
 * The CIM tools of the map: measuring (distance, area, height), clipping (section box, polygon clips drawn with
 * clicks) and, in `compare.ts`, two years side by side. A click goes to the active tool, not to the details.
 */
import { type Cartesian2, ScreenSpaceEventHandler, ScreenSpaceEventType, type Viewer } from 'cesium'
import type { Lang } from '../core/i18n.ts'
import type { MeasureMode, Measurement } from '../core/measure.ts'
import type { CityTileset } from './cityTileset.ts'
import { Clipping, type ClipState, type SectionBox } from './clipping.ts'
import { MeasureTool } from './measureTool.ts'
import type { ScreenPoint } from './types.ts'

export type { ClipState, SectionBox } from './clipping.ts'

export interface CimTools {
  /** Starts measuring in a mode (null: stops and clears). */
  measure(mode: MeasureMode | null, lang: Lang): void
  /** What the active measurement shows, or null. */
  measurement(): Measurement | null
  /** Adds the point under a canvas position to the active measurement or the polygon being drawn. */
  click(point: ScreenPoint): void
  /** Starts drawing a clip polygon with clicks; `finishPolygon` (or a double-click) clips by it. */
  drawPolygon(): void
  finishPolygon(): void
  setSectionBox(box: SectionBox | null): void
  /** Adds a polygon clip; null removes every one. */
  addClipPolygon(ring: [number, number][] | null): void
  clipState(): ClipState
  /** A tool is taking the clicks (the details panel ignores them). */
  busy(): boolean
  /** Called after a click changed what a tool shows. */
  onChange(listener: () => void): void
}

export function createCimTools(viewer: Viewer, city: CityTileset): CimTools {
  const scene = viewer.scene
  const measuring = new MeasureTool(scene)
  const clipping = new Clipping(scene, city)
  const listeners: (() => void)[] = []
  const changed = () => {
    for (const l of listeners) l()
  }
  let drawing: [number, number][] | null = null
  const finish = () => {
    if (drawing && drawing.length >= 3) clipping.addPolygon(drawing)
    drawing = null
    measuring.start(null, 'zh-CN')
    changed()
  }
  const click = (point: ScreenPoint) => {
    if (drawing) {
      // The polygon is drawn with the area tool's picking and outline, then handed to the clipping.
      const m = measuring.click(point)
      const last = m?.points.at(-1)
      const previous = drawing.at(-1)
      // A double-click's clicks land on the last point again: a repeated vertex would make the ring degenerate.
      const repeated =
        previous && last && Math.abs(previous[0] - last.lonDeg) + Math.abs(previous[1] - last.latDeg) < 1e-7
      if (last && !repeated) drawing.push([last.lonDeg, last.latDeg])
    } else measuring.click(point)
    changed()
  }
  const handler = new ScreenSpaceEventHandler(scene.canvas)
  handler.setInputAction((e: { position: Cartesian2 }) => {
    if (measuring.active) click(e.position)
  }, ScreenSpaceEventType.LEFT_CLICK)
  handler.setInputAction(() => {
    if (drawing) finish()
  }, ScreenSpaceEventType.LEFT_DOUBLE_CLICK)
  return {
    measure(mode, lang) {
      drawing = null
      measuring.start(mode, lang)
    },
    measurement: () => measuring.latest,
    click,
    drawPolygon() {
      drawing = []
      measuring.start('area', 'zh-CN')
    },
    finishPolygon: finish,
    setSectionBox: (box) => clipping.setBox(box),
    addClipPolygon: (ring) => clipping.addPolygon(ring),
    clipState: () => clipping.state(),
    busy: () => measuring.active !== null,
    onChange: (listener) => listeners.push(listener),
  }
}
