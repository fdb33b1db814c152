/** What the screen exposes to its tests and its soak benchmark (`window.__screen`). */
import type { CityMap } from '../viewer/map/types.ts'
import type { LinkStatus } from './live.ts'
import type { ChartId } from './panels.ts'

export interface ScreenHandle {
  ready: boolean
  error: string | null
  /** The latest failed read of the figures, if any (the screen keeps showing the previous ones). */
  lastError: string | null
  map: CityMap | null
  regionCode: string | null
  tilesetUrl: string | null
  /** Buildings coloured by the latest graded campaign (0: by problem severity). */
  gradedBuildings: number
  /** Keys of the selector's presets: `city`, then the children's codes. */
  presets: string[]
  selected: string
  /** The area whose figures are drawn, once read. */
  figuresFor: string | null
  /** Times the figures were read and drawn. */
  refreshes: number
  /** A few of the figures drawn, for tests: problems found, funding in total, the areas compared. */
  shown: { found: number; funding: number; areas: string[] } | null
  /** Charts drawn with data (not the "no data" note). */
  chartsWithData: ChartId[]
  /** `problemChanged` events received. */
  liveEvents: number
  live: LinkStatus
  /** Times the link came back after a drop. */
  resumed: number
}

declare global {
  interface Window {
    __screen: ScreenHandle
  }
}

export function createHandle(): ScreenHandle {
  return {
    ready: false,
    error: null,
    lastError: null,
    map: null,
    regionCode: null,
    tilesetUrl: null,
    gradedBuildings: 0,
    presets: [],
    selected: 'city',
    figuresFor: null,
    refreshes: 0,
    shown: null,
    chartsWithData: [],
    liveEvents: 0,
    live: 'connecting',
    resumed: 0,
  }
}
