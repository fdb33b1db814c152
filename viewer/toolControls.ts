/**
 * The tools' part of the page: what the panel shows of them and what its buttons do to the map. The section box
 * is centred where the middle of the view meets the ground.
 */
import { fetchComparison } from './core/compare.ts'
import { type Lang, translator } from './core/i18n.ts'
import type { CityMap } from './map/types.ts'
import { TimeControls } from './timeControls.ts'
import { hideSplitter, showSplitter } from './ui/splitter.ts'
import type { ToolsHandlers, ToolsView } from './ui/tools.ts'

/** Half the side of a section box, in metres: a block or two. */
const SECTION_HALF_SIZE_M = 250

export class ToolControls {
  private view: Omit<ToolsView, 'polygon' | 'time'> = {
    measureMode: null,
    measureText: '',
    sectionBox: false,
    sectionTopM: 30,
    compare: null,
    compareHint: null,
  }
  private map: CityMap | null = null
  private readonly time: TimeControls

  constructor(
    private readonly lang: () => Lang,
    private readonly render: () => void,
    /** The region compared, and where the years compared are reported (the test handle). */
    private readonly compareIn: {
      regionCode: () => string
      shown: (years: ToolsView['compare']) => void
      restoreTheme: () => void
    },
  ) {
    this.time = new TimeControls(render, compareIn.regionCode)
  }

  /** Follows the map's tools: a click measured or drew a corner. */
  attach(map: CityMap): void {
    this.map = map
    map.tools.onChange(() => {
      this.view.measureText = map.tools.measurement()?.text ?? ''
      this.render()
    })
  }

  state(): ToolsView {
    return { ...this.view, polygon: this.map?.tools.polygon.state() ?? null, time: this.time.state() }
  }

  handlers(map: CityMap | null): ToolsHandlers {
    return {
      ...this.time.handlers(map),
      onPolygon: (action) => {
        if (action === 'start') this.view = { ...this.view, measureMode: null, measureText: '' }
        if (action === 'start') map?.tools.polygon.start()
        else if (action === 'finish') map?.tools.polygon.finish()
        else map?.tools.polygon.clear()
        this.render()
      },
      onPolygonCutInside: (inside) => {
        map?.tools.polygon.setCutInside(inside)
        this.render()
      },
      onMeasure: (mode) => {
        this.view = { ...this.view, measureMode: mode, measureText: '' }
        map?.tools.measure(mode, this.lang())
        this.render()
      },
      onSectionBox: (on, topM) => {
        this.view.sectionBox = on
        this.view.sectionTopM = topM
        const centre = map?.groundAt(viewCentre())
        map?.tools.setSectionBox(
          on && centre
            ? { centreDeg: [centre.lonDeg, centre.latDeg], halfSizeM: SECTION_HALF_SIZE_M, topM }
            : null,
        )
        this.render()
      },
      onCompare: (on) => void (map && this.compare(map, on)),
    }
  }

  /** The earliest graded year left of the splitter, the latest right of it (grades need a token). */
  private async compare(map: CityMap, on: boolean): Promise<void> {
    const t = translator(this.lang())
    if (!on) {
      await map.tools.compare(null)
      hideSplitter()
      this.view = { ...this.view, compare: null, compareHint: null }
      this.compareIn.restoreTheme()
      this.compareIn.shown(null)
      this.render()
      return
    }
    const sides = await fetchComparison(this.compareIn.regionCode()).catch(() => null)
    if (!sides) {
      this.view = { ...this.view, compare: null, compareHint: 'compare.none' }
      this.render()
      return
    }
    await map.tools.compare({ left: sides.left.theme, right: sides.right.theme })
    const years = { left: sides.left.year, right: sides.right.year }
    this.view = { ...this.view, compare: years, compareHint: null }
    showSplitter(document.getElementById('map')!, years, t, (share) => map.tools.setSplit(share))
    this.compareIn.shown(years)
    this.render()
  }
}

/** The middle of the map canvas, in CSS pixels. */
function viewCentre(): { x: number; y: number } {
  const canvas = document.querySelector('#map canvas')
  const rect = canvas?.getBoundingClientRect()
  return { x: (rect?.width ?? 0) / 2, y: (rect?.height ?? 0) / 2 }
}
