/** The building details panel: GraphQL attributes plus the tile's problem summary. */
import type { BuildingDetails } from '../core/api.ts'
import { isMessageKey, type Lang, type Translate } from '../core/i18n.ts'
import type { PickedBuilding } from '../map/types.ts'
import { el } from './dom.ts'

export interface DetailsView {
  picked: PickedBuilding
  details: BuildingDetails | null
  /** Why the API could not answer, when it could not. */
  error: string | null
}

function useLabel(use: unknown, t: Translate): string {
  const key = `use.${String(use)}`
  return isMessageKey(key) ? t(key) : String(use ?? t('noData'))
}

function severityLabel(severity: unknown, t: Translate): string {
  const key = `severity.${Number(severity)}`
  return isMessageKey(key) ? t(key) : String(severity)
}

function optional(value: unknown, t: Translate): string {
  return value === null || value === undefined || value === -1 ? t('noData') : String(value)
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
    return
  }
  const { picked, details } = view
  const p = picked.properties
  const rows: [string, string][] = [[t('id'), String(picked.id)]]
  if (details) {
    const name = lang === 'en' ? (details.nameEn ?? details.name) : (details.name ?? details.nameEn)
    const region = details.region
      ? lang === 'en'
        ? (details.region.nameEn ?? details.region.name)
        : details.region.name
      : null
    rows.push(
      [t('name'), optional(name, t)],
      [t('use'), useLabel(details.use, t)],
      [t('heightM'), details.heightM.toFixed(1)],
      [t('floors'), optional(details.floors, t)],
      [t('yearBuilt'), optional(details.yearBuilt, t)],
      [t('footprintAreaM2'), details.footprintAreaM2.toFixed(0)],
      [t('region'), `${optional(region, t)} (${details.regionCode})`],
      [t('address'), optional(details.standardAddress, t)],
    )
  } else {
    rows.push(
      [t('use'), useLabel(p.use, t)],
      [t('heightM'), Number(p.heightM).toFixed(1)],
      [t('floors'), optional(p.floors, t)],
      [t('yearBuilt'), optional(p.yearBuilt, t)],
    )
  }
  rows.push(
    [t('openProblems'), String(p.openProblems ?? 0)],
    [t('worstSeverity'), severityLabel(p.worstSeverity, t)],
  )

  const close = el('button', { type: 'button', class: 'close', 'aria-label': t('close') }, '×')
  close.addEventListener('click', onClose)
  const table = el('dl', {})
  for (const [k, v] of rows) table.append(el('dt', {}, k), el('dd', {}, v))
  root.replaceChildren(
    close,
    el('h2', {}, t('details')),
    el(
      'p',
      { class: 'source' },
      details ? t('fromApi') : `${t('fromTiles')}${view.error ? `: ${view.error}` : ''}`,
    ),
    table,
    el('p', { class: 'note' }, t('noProblemsApi')),
  )
  root.dataset.buildingId = String(picked.id)
}
