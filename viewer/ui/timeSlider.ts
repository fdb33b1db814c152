/**
 * The time slider's part of the tools panel: a year between the oldest building and the latest problem, a play
 * button, and a legend saying what the city shows in that year. Dragging updates the map and the year shown in
 * place; the panel is drawn again only when the slider is let go (drawing it anew would end the drag).
 */
import type { MessageKey, Translate } from '../core/i18n.ts'
import { PHASE_COLOURS, UNKNOWN_YEAR_ALPHA } from '../core/timeline.ts'
import { el } from './dom.ts'

export interface TimeView {
  on: boolean
  /** Null until the timeline is read. */
  span: { fromYear: number; toYear: number } | null
  year: number
  playing: boolean
  status: MessageKey | null
  withYear: number
  buildings: number
  /** Problem markers drawn in the year: open then, closed by then. */
  open: number
  closed: number
}

export interface TimeHandlers {
  onTime(on: boolean): void
  /** `final`: the slider was let go (or a step of play), not a step of a drag. */
  onYear(year: number, final: boolean): void
  onPlay(playing: boolean): void
}

function swatch(colour: string, opacity = 1, dot = false): HTMLElement {
  return el('span', {
    class: dot ? 'swatch dot' : 'swatch',
    style: `background:${colour};opacity:${opacity}`,
  })
}

function legend(view: TimeView, t: Translate): HTMLElement {
  return el(
    'ul',
    { class: 'legend', id: 'time-legend' },
    el('li', {}, swatch('#cfd8dc'), t('time.builtBy')),
    el(
      'li',
      { 'data-label': 'time.unknownYear' },
      swatch('#cfd8dc', UNKNOWN_YEAR_ALPHA),
      t('time.unknownYear'),
    ),
    el('li', { id: 'time-open' }, swatch(PHASE_COLOURS.open, 1, true), `${t('time.found')}: ${view.open}`),
    el(
      'li',
      { id: 'time-closed' },
      swatch(PHASE_COLOURS.closed, 1, true),
      `${t('time.closed')}: ${view.closed}`,
    ),
  )
}

export function timeSection(view: TimeView, t: Translate, handlers: TimeHandlers): HTMLElement[] {
  const toggle = el('button', { type: 'button', id: 'time-toggle' }, view.on ? t('time.off') : t('time.on'))
  if (view.on) toggle.classList.add('active')
  toggle.addEventListener('click', () => handlers.onTime(!view.on))
  const status = el('p', { class: 'status', id: 'time-status' }, view.status ? t(view.status) : '')
  if (!view.on || !view.span)
    return [el('h2', {}, t('time')), el('div', { class: 'presets' }, toggle), status]

  const label = el('span', { id: 'time-year-label' }, String(view.year))
  const slider = el('input', {
    type: 'range',
    id: 'time-year',
    min: String(view.span.fromYear),
    max: String(view.span.toYear),
    step: '1',
    value: String(view.year),
    'aria-label': t('time.year'),
  })
  slider.addEventListener('input', () => {
    label.textContent = slider.value
    handlers.onYear(Number(slider.value), false)
  })
  slider.addEventListener('change', () => handlers.onYear(Number(slider.value), true))
  const play = el(
    'button',
    { type: 'button', id: 'time-play' },
    view.playing ? t('time.pause') : t('time.play'),
  )
  play.addEventListener('click', () => handlers.onPlay(!view.playing))
  const counts = t('time.withYear')
    .replace('{n}', String(view.withYear))
    .replace('{total}', String(view.buildings))
  return [
    el('h2', {}, t('time')),
    el('div', { class: 'presets' }, toggle, play),
    el('label', { class: 'layer' }, `${t('time.year')} `, label, ' ', slider),
    legend(view, t),
    el('p', { class: 'status', id: 'time-counts' }, counts),
    status,
  ]
}
