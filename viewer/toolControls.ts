/**
 * The tools' part of the page: what the panel shows of them and what its buttons do to the map. The section box
 * is centred where the middle of the view meets the ground.
 */
import type { Lang } from './core/i18n.ts'
import type { CityMap } from './map/types.ts'
import type { ToolsHandlers, ToolsView } from './ui/tools.ts'

/** Half the side of a section box, in metres: a block or two. */
const SECTION_HALF_SIZE_M = 250

export class ToolControls {
  private view: ToolsView = {
    measureMode: null,
    measureText: '',
    sectionBox: false,
    sectionTopM: 30,
  }

  constructor(
    private readonly lang: () => Lang,
    private readonly render: () => void,
  ) {}

  /** Follows the map's tools: a click measured. */
  attach(map: CityMap): void {
    map.tools.onChange(() => {
      this.view.measureText = map.tools.measurement()?.text ?? ''
      this.render()
    })
  }

  state(): ToolsView {
    return this.view
  }

  handlers(map: CityMap | null): ToolsHandlers {
    return {
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
    }
  }
}

/** The middle of the map canvas, in CSS pixels. */
function viewCentre(): { x: number; y: number } {
  const canvas = document.querySelector('#map canvas')
  const rect = canvas?.getBoundingClientRect()
  return { x: (rect?.width ?? 0) / 2, y: (rect?.height ?? 0) / 2 }
}
