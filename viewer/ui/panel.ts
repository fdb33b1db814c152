/** The control panel: theme, legend, layers, camera presets and language. */

import { BASE_MAP_LEGEND } from '../core/basemap.ts'
import { CELL_CLASSES } from '../core/cells.ts'
import { FACILITY_CATEGORIES } from '../core/facilities.ts'
import {
  BLIND_SPOT_COLOUR,
  DEMAND_CLASSES,
  type DistanceModel,
  GAP_FACILITY_TYPES,
  type GapFacilityType,
  isGapFacilityType,
} from '../core/gaps.ts'
import type { GradedIndicator } from '../core/grades.ts'
import { LANGS, type Lang, type MessageKey, type Translate } from '../core/i18n.ts'
import type { CameraPreset } from '../core/presets.ts'
import { RENEWAL_OUTLINE_COLOUR } from '../core/renewal.ts'
import { type LegendEntry, THEME_IDS, THEMES, type ThemeId } from '../core/themes.ts'
import { el } from './dom.ts'

export interface PanelState {
  lang: Lang
  themeId: ThemeId
  buildingsVisible: boolean
  facilitiesVisible: boolean
  blindSpotsVisible: boolean
  demandPointsVisible: boolean
  gapFacilityType: GapFacilityType
  /** Why no overlay is shown (no token, no run), or null. */
  gapsHint: MessageKey | null
  gapsModel: DistanceModel | null
  /** Legend of the theme shown (the grade theme's counts change with the data). */
  legend: readonly LegendEntry[]
  /** Indicator of the grade theme (null: the worst grade over all). */
  gradeIndicator: string | null
  gradeIndicators: readonly GradedIndicator[]
  /** Campaign of the grades shown, or why none are (a message key). */
  gradeCampaign: string | null
  gradesHint: MessageKey | null
  uncoveredCellsVisible: boolean
  /** Total line under the uncovered-population layer, already in the panel's language. */
  cellsNote: string
  renewalAreasVisible: boolean
  renewalHint: MessageKey | null
  baseMapVisible: boolean
  status: string
}

export interface PanelHandlers {
  onTheme(themeId: ThemeId): void
  onLang(lang: Lang): void
  onBuildingsVisible(visible: boolean): void
  onFacilitiesVisible(visible: boolean): void
  onBlindSpotsVisible(visible: boolean): void
  onDemandPointsVisible(visible: boolean): void
  onGapFacilityType(type: GapFacilityType): void
  onGradeIndicator(code: string | null): void
  onUncoveredCellsVisible(visible: boolean): void
  onRenewalAreasVisible(visible: boolean): void
  onPreset(preset: CameraPreset): void
  onBaseMapVisible(visible: boolean): void
}

function checkbox(id: string, checked: boolean, onChange: (checked: boolean) => void): HTMLInputElement {
  const input = el('input', { type: 'checkbox', id })
  input.checked = checked
  input.addEventListener('change', () => onChange(input.checked))
  return input
}

function swatch(colour: string, dot = false): HTMLElement {
  return el('span', { class: dot ? 'swatch dot' : 'swatch', style: `background:${colour}` })
}

const LANG_LABELS: Record<Lang, string> = { 'zh-CN': '中文', en: 'English' }

export function renderPanel(
  root: HTMLElement,
  state: PanelState,
  t: Translate,
  presets: readonly (CameraPreset & { label: string })[],
  handlers: PanelHandlers,
  extra: readonly HTMLElement[] = [],
): void {
  root.replaceChildren(
    el('h1', {}, t('title')),
    el('p', { class: 'status', id: 'status' }, state.status),
    ...themeSection(state, t, handlers),
    el('h2', {}, t('layers')),
    ...facilitySection(state, t, handlers),
    ...coverageSection(state, t, handlers),
    ...renewalSection(state, t, handlers),
    ...baseMapSection(state, t, handlers),
    ...extra,
    el('h2', {}, t('camera')),
    presetButtons(presets, handlers),
    el('h2', {}, t('language')),
    langButtons(state.lang, handlers),
  )
}

function presetButtons(
  presets: readonly (CameraPreset & { label: string })[],
  handlers: PanelHandlers,
): HTMLElement {
  const cameras = el('div', { class: 'presets' })
  for (const preset of presets) {
    const button = el('button', { type: 'button', 'data-preset': preset.key }, preset.label)
    button.addEventListener('click', () => handlers.onPreset(preset))
    cameras.append(button)
  }
  return cameras
}

function langButtons(current: Lang, handlers: PanelHandlers): HTMLElement {
  const langs = el('div', { class: 'langs' })
  for (const lang of LANGS) {
    const button = el('button', { type: 'button', 'data-lang': lang }, LANG_LABELS[lang])
    if (lang === current) button.classList.add('active')
    button.addEventListener('click', () => handlers.onLang(lang))
    langs.append(button)
  }
  return langs
}

/** The theme, the grade theme's indicator and campaign, and the legend. */
function themeSection(state: PanelState, t: Translate, handlers: PanelHandlers): HTMLElement[] {
  const theme = el('select', { id: 'theme-select', 'aria-label': t('theme') })
  for (const id of THEME_IDS) {
    const option = el('option', { value: id }, t(THEMES[id].label))
    option.selected = id === state.themeId
    theme.append(option)
  }
  theme.addEventListener('change', () => handlers.onTheme(theme.value as ThemeId))
  const legend = el('ul', { class: 'legend', id: 'legend' })
  for (const entry of state.legend) {
    const count = entry.count === undefined ? '' : ` (${entry.count})`
    const mark = entry.colour === undefined ? [] : [swatch(entry.colour)]
    legend.append(el('li', { 'data-label': entry.label }, ...mark, `${t(entry.label)}${count}`))
  }
  const grades = state.themeId === 'grade' ? gradeControls(state, t, handlers) : []
  return [el('h2', {}, t('theme')), theme, ...grades, el('h2', {}, t('legend')), legend]
}

function gradeControls(state: PanelState, t: Translate, handlers: PanelHandlers): HTMLElement[] {
  const indicator = el('select', { id: 'grade-indicator-select', 'aria-label': t('indicator') })
  const all = el('option', { value: '' }, t('allIndicators'))
  all.selected = state.gradeIndicator === null
  indicator.append(all)
  for (const i of state.gradeIndicators) {
    const name = state.lang === 'en' ? (i.nameEn ?? i.name) : i.name
    const option = el('option', { value: i.code }, `${i.code} ${name}`)
    option.selected = i.code === state.gradeIndicator
    indicator.append(option)
  }
  indicator.addEventListener('change', () => handlers.onGradeIndicator(indicator.value || null))
  const hint = state.gradesHint
    ? t(state.gradesHint)
    : state.gradeCampaign
      ? `${t('campaign')}：${state.gradeCampaign}`
      : ''
  return [el('h2', {}, t('indicator')), indicator, el('p', { class: 'status', id: 'grades-hint' }, hint)]
}

/** The buildings and the facility markers with their categories. */
function facilitySection(state: PanelState, t: Translate, handlers: PanelHandlers): HTMLElement[] {
  const buildings = checkbox('layer-buildings', state.buildingsVisible, handlers.onBuildingsVisible)
  const facilities = checkbox('layer-facilities', state.facilitiesVisible, handlers.onFacilitiesVisible)
  const legend = el('ul', { class: 'legend', id: 'facility-legend' })
  for (const category of Object.values(FACILITY_CATEGORIES)) {
    legend.append(el('li', {}, swatch(category.colour, true), t(category.label)))
  }
  return [
    el('label', { class: 'layer' }, buildings, ` ${t('buildings')}`),
    el('label', { class: 'layer' }, facilities, ` ${t('facilities')}`),
    legend,
  ]
}

/** The latest coverage run's layers, the facility type they show, and what they mean. */
function coverageSection(state: PanelState, t: Translate, handlers: PanelHandlers): HTMLElement[] {
  const blindSpots = checkbox('layer-blindspots', state.blindSpotsVisible, handlers.onBlindSpotsVisible)
  const demandPoints = checkbox(
    'layer-demandpoints',
    state.demandPointsVisible,
    handlers.onDemandPointsVisible,
  )
  const cells = checkbox(
    'layer-uncoveredcells',
    state.uncoveredCellsVisible,
    handlers.onUncoveredCellsVisible,
  )
  const gapType = el('select', { id: 'gap-type-select', 'aria-label': t('gapType') })
  for (const type of GAP_FACILITY_TYPES) {
    const option = el('option', { value: type }, t(`ftype.${type}`))
    option.selected = type === state.gapFacilityType
    gapType.append(option)
  }
  gapType.addEventListener('change', () => {
    if (isGapFacilityType(gapType.value)) handlers.onGapFacilityType(gapType.value)
  })
  const gapLegend = el(
    'ul',
    { class: 'legend', id: 'gap-legend' },
    el('li', {}, swatch(BLIND_SPOT_COLOUR), t('blindSpots')),
  )
  for (const c of DEMAND_CLASSES) gapLegend.append(el('li', {}, swatch(c.colour, true), t(c.label)))
  const gapNote = state.gapsHint ? t(state.gapsHint) : state.gapsModel ? t(`model.${state.gapsModel}`) : ''
  const cellLegend = el('ul', { class: 'legend', id: 'cell-legend' })
  for (const c of CELL_CLASSES) cellLegend.append(el('li', {}, swatch(c.colour, true), t(c.label)))
  return [
    el('label', { class: 'layer' }, blindSpots, ` ${t('blindSpots')}`),
    el('label', { class: 'layer' }, demandPoints, ` ${t('demandPoints')}`),
    el('label', { class: 'layer' }, cells, ` ${t('uncoveredCells')}`),
    gapType,
    el('p', { class: 'status', id: 'gaps-hint' }, gapNote),
    gapLegend,
    el('p', { class: 'status', id: 'cells-hint' }, state.cellsNote),
    cellLegend,
  ]
}

/** Renewal areas: the switch carries the outline's colour, so the name is said once. */
function renewalSection(state: PanelState, t: Translate, handlers: PanelHandlers): HTMLElement[] {
  const areas = checkbox('layer-renewalareas', state.renewalAreasVisible, handlers.onRenewalAreasVisible)
  return [
    el('label', { class: 'layer' }, areas, ' ', swatch(RENEWAL_OUTLINE_COLOUR), ` ${t('renewalAreas')}`),
    el('p', { class: 'status', id: 'renewal-hint' }, state.renewalHint ? t(state.renewalHint) : ''),
  ]
}

/** The base map's switch and legend: its areas as swatches, roads and boundaries as lines. */
function baseMapSection(state: PanelState, t: Translate, handlers: PanelHandlers): HTMLElement[] {
  const base = checkbox('layer-basemap', state.baseMapVisible, handlers.onBaseMapVisible)
  const legend = el('ul', { class: 'legend', id: 'basemap-legend' })
  for (const entry of BASE_MAP_LEGEND) {
    const mark = entry.line
      ? el('span', { class: 'swatch line', style: `background:${entry.colour}` })
      : swatch(entry.colour)
    legend.append(el('li', { 'data-label': entry.label }, mark, t(entry.label)))
  }
  return [el('label', { class: 'layer' }, base, ` ${t('baseMap')}`), legend]
}
