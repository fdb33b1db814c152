/** The panel's tools section: measuring, the section box, the polygon clip and two years side by side. */
import type { MessageKey, Translate } from '../core/i18n.ts'
import { MEASURE_MODES, type MeasureMode } from '../core/measure.ts'
import type { PolygonClipState } from '../map/types.ts'
import { el } from './dom.ts'
import { type TimeHandlers, type TimeView, timeSection } from './timeSlider.ts'

export interface ToolsView {
  measureMode: MeasureMode | null
  /** The active measurement's result, already with its unit. */
  measureText: string
  sectionBox: boolean
  sectionTopM: number
  /** The polygon clip, once the map is there. */
  polygon: PolygonClipState | null
  /** The years compared, or null. */
  compare: { left: number; right: number } | null
  compareHint: MessageKey | null
  time: TimeView
}

export interface ToolsHandlers extends TimeHandlers {
  onMeasure(mode: MeasureMode | null): void
  onSectionBox(on: boolean, topM: number): void
  onPolygon(action: 'start' | 'finish' | 'clear'): void
  onPolygonCutInside(inside: boolean): void
  onCompare(on: boolean): void
}

function button(id: string, label: string, active: boolean, onClick: () => void): HTMLButtonElement {
  const b = el('button', { type: 'button', id }, label)
  if (active) b.classList.add('active')
  b.addEventListener('click', onClick)
  return b
}

/** Draw, finish, cut inside or outside; where WebGL 2 is missing, why there is no polygon clip. */
function polygonTools(state: PolygonClipState | null, t: Translate, handlers: ToolsHandlers): HTMLElement[] {
  if (!state) return []
  if (!state.supported)
    return [el('p', { class: 'status', id: 'clip-polygon-status' }, t('clip.polygonUnsupported'))]
  const buttons = el(
    'div',
    { class: 'presets', id: 'clip-polygon-tools' },
    button('clip-polygon', t('clip.polygon'), state.drawing || state.applied, () =>
      handlers.onPolygon('start'),
    ),
    button('clip-polygon-finish', t('clip.polygonFinish'), false, () => handlers.onPolygon('finish')),
    button('clip-polygon-side', state.cutInside ? t('clip.inside') : t('clip.outside'), false, () =>
      handlers.onPolygonCutInside(!state.cutInside),
    ),
  )
  const hint = state.drawing ? `${t('clip.polygonHint')} (${state.points})` : ''
  return [buttons, el('p', { class: 'status', id: 'clip-polygon-status' }, hint)]
}

export function toolsSection(view: ToolsView, t: Translate, handlers: ToolsHandlers): HTMLElement[] {
  const measures = el('div', { class: 'presets', id: 'measure-tools' })
  for (const mode of MEASURE_MODES) {
    const active = view.measureMode === mode
    measures.append(
      button(`measure-${mode}`, t(`measure.${mode}`), active, () => handlers.onMeasure(active ? null : mode)),
    )
  }
  measures.append(button('measure-clear', t('measure.clear'), false, () => handlers.onMeasure(null)))
  const hint =
    view.measureMode === 'height' ? t('measure.heightHint') : view.measureMode ? t('measure.hint') : ''
  const top = el('input', {
    type: 'number',
    id: 'section-top',
    min: '1',
    step: '1',
    value: String(view.sectionTopM),
    'aria-label': t('clip.boxHeight'),
  })
  top.addEventListener('change', () => handlers.onSectionBox(true, Number(top.value) || view.sectionTopM))
  const clips = el(
    'div',
    { class: 'presets', id: 'clip-tools' },
    button('clip-box', t('clip.box'), view.sectionBox, () =>
      handlers.onSectionBox(!view.sectionBox, Number(top.value)),
    ),
    button('clip-off', t('clip.off'), false, () => {
      handlers.onSectionBox(false, Number(top.value))
      handlers.onPolygon('clear')
    }),
  )
  return [
    el('h2', {}, t('tools')),
    measures,
    el('p', { class: 'status', id: 'measure-hint' }, hint),
    el('p', { class: 'measure-result', id: 'measure-result' }, view.measureText),
    clips,
    el('label', { class: 'layer' }, `${t('clip.boxHeight')} `, top),
    ...polygonTools(view.polygon, t, handlers),
    el(
      'div',
      { class: 'presets' },
      button('compare', view.compare ? t('compare.off') : t('compare'), view.compare !== null, () =>
        handlers.onCompare(view.compare === null),
      ),
    ),
    el('p', { class: 'status', id: 'compare-hint' }, view.compareHint ? t(view.compareHint) : ''),
    ...timeSection(view.time, t, handlers),
  ]
}
