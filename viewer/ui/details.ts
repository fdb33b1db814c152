/** The details panel: a building's GraphQL attributes, problems and indicator values, or a block massing. */
import type { BuildingDetails, BuildingIndicatorValue, BuildingProblem } from '../core/api.ts'
import { isMessageKey, type Lang, type Translate } from '../core/i18n.ts'
import { isMassing, massingBuildings } from '../core/massing.ts'
import type { PickedBuilding } from '../map/types.ts'
import { el } from './dom.ts'

export interface DetailsView {
  picked: PickedBuilding
  details: BuildingDetails | null
  /** Why the API could not answer, when it could not. */
  error: string | null
  /** The reader has a token: indicator values are never public. */
  signedIn: boolean
}

/** A message by a key built from data, or the raw value when there is no such message. */
function label(prefix: string, value: unknown, t: Translate): string {
  const key = `${prefix}.${String(value)}`
  return isMessageKey(key) ? t(key) : String(value ?? t('noData'))
}

function optional(value: unknown, t: Translate): string {
  return value === null || value === undefined || value === -1 ? t('noData') : String(value)
}

function formatValue(value: number | null, unit: string | null, lang: Lang, t: Translate): string {
  if (value === null) return t('noData')
  const number = value.toLocaleString(lang, { maximumFractionDigits: 2 })
  return unit ? `${number} ${unit}` : number
}

/** Which unit a value came from: building, compound, block, or the region's level (district, city…). */
function levelOf(v: BuildingIndicatorValue): string {
  return v.unitType === 'region' ? (v.regionLevel ?? 'region') : v.unitType
}

function problemItem(p: BuildingProblem, t: Translate): HTMLElement {
  return el(
    'li',
    { class: 'problem', 'data-severity': String(p.severity), 'data-state': p.state },
    el('span', { class: 'title' }, p.title),
    el(
      'span',
      { class: 'meta' },
      `${label('severity', p.severity, t)} · ${label('state', p.state, t)} · ${t('yearFound')} ${p.yearFound}`,
    ),
  )
}

function indicatorItem(v: BuildingIndicatorValue, lang: Lang, t: Translate): HTMLElement {
  const name = lang === 'en' ? (v.indicator.nameEn ?? v.indicator.name) : v.indicator.name
  const level = levelOf(v)
  const grade = v.grade ? ` · ${label('grade', v.grade, t)}` : ''
  return el(
    'li',
    { class: 'indicator', 'data-code': v.indicator.code, 'data-level': level, 'data-grade': v.grade ?? '' },
    el('span', { class: 'title' }, name),
    el(
      'span',
      { class: 'meta' },
      `${formatValue(v.value, v.indicator.unit, lang, t)}${grade} · ${t('from')} ${label('level', level, t)}`,
    ),
  )
}

function list(items: HTMLElement[], empty: string): HTMLElement {
  return items.length > 0 ? el('ul', { class: 'items' }, ...items) : el('p', { class: 'note' }, empty)
}

function table(rows: [string, string][]): HTMLElement {
  const dl = el('dl', {})
  for (const [k, v] of rows) dl.append(el('dt', {}, k), el('dd', {}, v))
  return dl
}

/** The tile attributes of a building (when the API did not answer) or of a massing. */
function tileRows(p: Record<string, unknown>, t: Translate): [string, string][] {
  return [
    [t('use'), label('use', p.use, t)],
    [t('heightM'), Number(p.heightM).toFixed(1)],
    [t('floors'), optional(p.floors, t)],
    [t('yearBuilt'), optional(p.yearBuilt, t)],
    // The public tileset has no problem attributes: no rows rather than a zero that would mislead.
    ...(p.openProblems === undefined
      ? []
      : ([
          [t('openProblems'), String(p.openProblems)],
          [t('worstSeverity'), label('severity', Number(p.worstSeverity), t)],
        ] as [string, string][])),
  ]
}

function buildingContent(view: DetailsView, lang: Lang, t: Translate): HTMLElement[] {
  const { picked, details } = view
  if (!details) {
    return [
      el('h2', {}, t('details')),
      el('p', { class: 'source' }, `${t('fromTiles')}${view.error ? `: ${view.error}` : ''}`),
      table([[t('id'), String(picked.id)], ...tileRows(picked.properties, t)]),
    ]
  }
  const name = lang === 'en' ? (details.nameEn ?? details.name) : (details.name ?? details.nameEn)
  const region = details.region
    ? lang === 'en'
      ? (details.region.nameEn ?? details.region.name)
      : details.region.name
    : null
  const values = view.signedIn
    ? list(
        details.indicatorValues.map((v) => indicatorItem(v, lang, t)),
        t('noIndicatorValues'),
      )
    : el('p', { class: 'note' }, t('indicatorsSignIn'))
  return [
    el('h2', {}, t('details')),
    el('p', { class: 'source' }, t('fromApi')),
    table([
      [t('id'), String(picked.id)],
      [t('name'), optional(name, t)],
      [t('use'), label('use', details.use, t)],
      // Heights and floors the import estimated (from floors, or height ÷ 3 m) are marked as such.
      [t('heightM'), `${details.heightM.toFixed(1)}${details.heightEstimated ? ` ${t('estimated')}` : ''}`],
      [
        t('floors'),
        `${optional(details.floors, t)}${details.floors !== null && details.floorsEstimated ? ` ${t('estimated')}` : ''}`,
      ],
      [t('yearBuilt'), optional(details.yearBuilt, t)],
      [t('footprintAreaM2'), details.footprintAreaM2.toFixed(0)],
      [t('region'), `${optional(region, t)} (${details.regionCode})`],
      [t('address'), optional(details.standardAddress, t)],
    ]),
    el('h3', {}, t('problems')),
    list(
      details.problems.map((p) => problemItem(p, t)),
      t('noOpenProblems'),
    ),
    el('h3', {}, t('indicatorValues')),
    values,
  ]
}

function massingContent(view: DetailsView, t: Translate): HTMLElement[] {
  const p = view.picked.properties
  const n = massingBuildings(p)
  return [
    el('h2', {}, t('massing')),
    el('p', { class: 'source' }, t('massingBuildings').replace('{n}', String(n))),
    table([[t('buildingCount'), String(n)], ...tileRows(p, t)]),
    el('p', { class: 'note' }, t('massingZoom')),
  ]
}

export function renderDetails(
  root: HTMLElement,
  view: DetailsView | null,
  lang: Lang,
  t: Translate,
  onClose: () => void,
): void {
  root.hidden = view === null
  if (!view) {
    root.replaceChildren()
    delete root.dataset.buildingId
    delete root.dataset.massing
    return
  }
  const close = el('button', { type: 'button', class: 'close', 'aria-label': t('close') }, '×')
  close.addEventListener('click', onClose)
  const massing = isMassing(view.picked.id)
  root.replaceChildren(close, ...(massing ? massingContent(view, t) : buildingContent(view, lang, t)))
  root.dataset.buildingId = String(view.picked.id)
  if (massing) root.dataset.massing = String(massingBuildings(view.picked.properties))
  else delete root.dataset.massing
}
