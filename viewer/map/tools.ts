/**
 * The CIM tools of the map: measuring (distance, area, height), the section box and two years side by side. A
 * click goes to the active measurement, not to the details.
 */
import { type Cartesian2, ScreenSpaceEventHandler, ScreenSpaceEventType, type Viewer } from 'cesium'
import type { Lang } from '../core/i18n.ts'
import type { MeasureMode, Measurement } from '../core/measure.ts'
import type { Theme } from '../core/themes.ts'
import type { CityTileset } from './cityTileset.ts'
import { Clipping, type ClipState, type SectionBox } from './clipping.ts'
import { Compare } from './compare.ts'
import { MeasureTool } from './measureTool.ts'
import type { ScreenPoint } from './types.ts'

export type { ClipState, SectionBox } from './clipping.ts'

export interface CimTools {
  /** Starts measuring in a mode (null: stops and clears). */
  measure(mode: MeasureMode | null, lang: Lang): void
  /** What the active measurement shows, or null. */
  measurement(): Measurement | null
  /** Adds the point under a canvas position (CSS pixels) to the active measurement. */
  click(point: ScreenPoint): void
  setSectionBox(box: SectionBox | null): void
  clipState(): ClipState
  /** A tool is taking the clicks (the details panel ignores them). */
  busy(): boolean
  /** Called after a click changed what a tool shows. */
  onChange(listener: () => void): void
  /** Two themes left and right of a splitter (null: one city again, in the caller's theme). */
  compare(sides: { left: Theme; right: Theme } | null): Promise<void>
  /** Moves the splitter (0–1 of the canvas width). */
  setSplit(share: number): void
  /** Whether the comparison is shown and both halves have loaded their tiles. */
  compareState(): { active: boolean; tilesLoaded: boolean }
}

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
