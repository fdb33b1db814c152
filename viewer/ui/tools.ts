/** The panel's tools section: measuring, the section box and two years side by side. */
import type { MessageKey, Translate } from '../core/i18n.ts'
import { MEASURE_MODES, type MeasureMode } from '../core/measure.ts'
import { el } from './dom.ts'

export interface ToolsView {
  measureMode: MeasureMode | null
  /** The active measurement's result, already with its unit. */
  measureText: string
  sectionBox: boolean
  sectionTopM: number
  /** The years compared, or null. */
  compare: { left: number; right: number } | null
  compareHint: MessageKey | null
}

export interface ToolsHandlers {
  onMeasure(mode: MeasureMode | null): void
  onSectionBox(on: boolean, topM: number): void
  onCompare(on: boolean): void
}

function button(id: string, label: string, active: boolean, onClick: () => void): HTMLButtonElement {
  const b = el('button', { type: 'button', id }, label)
  if (active) b.classList.add('active')
  b.addEventListener('click', onClick)
  return b
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
    button('clip-off', t('clip.off'), false, () => handlers.onSectionBox(false, Number(top.value))),
  )
  return [
    el('h2', {}, t('tools')),
    measures,
    el('p', { class: 'status', id: 'measure-hint' }, hint),
    el('p', { class: 'measure-result', id: 'measure-result' }, view.measureText),
    clips,
    el('label', { class: 'layer' }, `${t('clip.boxHeight')} `, top),
    el(
      'div',
      { class: 'presets' },
      button('compare', view.compare ? t('compare.off') : t('compare'), view.compare !== null, () =>
        handlers.onCompare(view.compare === null),
      ),
    ),
    el('p', { class: 'status', id: 'compare-hint' }, view.compareHint ? t(view.compareHint) : ''),
  ]
}
