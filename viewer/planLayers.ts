/**
 * The renewal overlays' switches and legends in the panel, and their loading: stock resources by department
 * layer and verification state, zoning areas by class, projects by state. Only with a token: without one the
 * section is absent (none of the three lists is public).
 */
import type { Lang } from './core/i18n.ts'
import {
  EMPTY_PLAN,
  PLAN_TEXT,
  type PlanData,
  PROJECT_STATE_STYLE,
  planOverlay,
  RESOURCE_STATE_STYLE,
  RESOURCE_STATES,
  type ResourceState,
  resourceLayers,
  zoningClasses,
} from './core/resources.ts'
import { fetchPlanData } from './core/resourcesApi.ts'
import type { CityMap } from './map/types.ts'
import type { ViewerHandle } from './state.ts'
import { el } from './ui/dom.ts'

type Switch = 'resources' | 'zoning' | 'projects'

export class PlanLayers {
  private data: PlanData | null = null
  private loading: Promise<void> | null = null
  private readonly on: Record<Switch, boolean> = { resources: false, zoning: false, projects: false }
  private readonly hiddenLayers = new Set<string>()
  private readonly hiddenStates = new Set<ResourceState>()

  constructor(
    private readonly token: string | null,
    private readonly handle: ViewerHandle,
    private readonly lang: () => Lang,
    private readonly rerender: () => void,
  ) {}

  /** Reads the three lists (again) and draws what is switched on. */
  async reload(map: CityMap, regionCode: string): Promise<void> {
    if (!this.token) return
    this.data = await fetchPlanData(regionCode)
    this.redraw(map)
    this.rerender()
  }

  /** Reads the lists again when they were read before (a zoning or generation run finished). */
  async refresh(map: CityMap, regionCode: string): Promise<void> {
    if (this.data) await this.reload(map, regionCode)
  }

  /** Redraws under the switches, e.g. after a change of language (the project labels). */
  redraw(map: CityMap): void {
    if (!this.data) return
    const filter = {
      hiddenLayers: this.on.resources ? this.hiddenLayers : new Set(resourceLayers(this.data.resources)),
      hiddenStates: this.hiddenStates,
      zoning: this.on.zoning,
      projects: this.on.projects,
    }
    map.setPlanOverlay(
      this.on.resources || this.on.zoning || this.on.projects
        ? planOverlay(this.data, filter, this.lang())
        : EMPTY_PLAN,
    )
    this.handle.plan = {
      ...map.planCounts(),
      loaded: {
        resources: this.data.resources.length,
        zoning: this.data.zoning.length,
        projects: this.data.projects.length,
      },
    }
  }

  /** The panel's section (nothing without a token). */
  section(map: CityMap | null, regionCode: string): HTMLElement[] {
    if (!this.token || !map) return []
    const lang = this.lang()
    const toggle = (which: Switch) =>
      this.checkbox(`layer-plan-${which}`, this.on[which], (checked) => {
        this.on[which] = checked
        if (this.data) this.redraw(map)
        else this.loading ??= this.reload(map, regionCode)
        this.rerender()
      })
    const out: HTMLElement[] = [
      el('h2', {}, PLAN_TEXT.section[lang]),
      el('label', { class: 'layer' }, toggle('resources'), ` ${PLAN_TEXT.resources[lang]}`),
    ]
    if (this.on.resources) out.push(...this.resourceSwitches(map, lang))
    out.push(el('label', { class: 'layer' }, toggle('zoning'), ` ${PLAN_TEXT.zoning[lang]}`))
    if (this.on.zoning) out.push(this.zoningLegend(lang))
    out.push(el('label', { class: 'layer' }, toggle('projects'), ` ${PLAN_TEXT.projects[lang]}`))
    if (this.on.projects) out.push(this.projectLegend(lang))
    return out
  }

  private resourceSwitches(map: CityMap, lang: Lang): HTMLElement[] {
    const resources = this.data?.resources ?? []
    const layers = el('ul', { class: 'legend', id: 'resource-layers' })
    for (const layer of resourceLayers(resources)) {
      const n = resources.filter((r) => (r.layer ?? '') === layer).length
      const box = this.checkbox('', !this.hiddenLayers.has(layer), (checked) => {
        if (checked) this.hiddenLayers.delete(layer)
        else this.hiddenLayers.add(layer)
        this.redraw(map)
      })
      box.dataset.layer = layer
      layers.append(el('li', {}, el('label', {}, box, ` ${layer || PLAN_TEXT.noLayer[lang]} (${n})`)))
    }
    const states = el('ul', { class: 'legend', id: 'resource-states' })
    for (const state of RESOURCE_STATES) {
      const style = RESOURCE_STATE_STYLE[state]
      const n = resources.filter((r) => r.verificationState === state).length
      const box = this.checkbox('', !this.hiddenStates.has(state), (checked) => {
        if (checked) this.hiddenStates.delete(state)
        else this.hiddenStates.add(state)
        this.redraw(map)
      })
      box.dataset.state = state
      states.append(
        el('li', {}, el('label', {}, box, ' ', swatch(style.colour), `${style.label[lang]} (${n})`)),
      )
    }
    return [
      el('p', { class: 'status' }, PLAN_TEXT.resourceLayers[lang]),
      layers,
      el('p', { class: 'status' }, PLAN_TEXT.resourceStates[lang]),
      states,
    ]
  }

  private zoningLegend(lang: Lang): HTMLElement {
    const legend = el('ul', { class: 'legend', id: 'zoning-legend' })
    const areas = this.data?.zoning ?? []
    for (const c of zoningClasses(areas, lang)) {
      const n = areas.filter((a) => a.areaClass === c.areaClass).length
      legend.append(el('li', {}, swatch(c.colour), `${c.className} (${n})`))
    }
    if (this.data && areas.length === 0) legend.append(el('li', {}, PLAN_TEXT.none[lang]))
    return legend
  }

  private projectLegend(lang: Lang): HTMLElement {
    const legend = el('ul', { class: 'legend', id: 'project-legend' })
    const projects = this.data?.projects ?? []
    for (const [state, style] of Object.entries(PROJECT_STATE_STYLE)) {
      const n = projects.filter((p) => p.state === state).length
      if (n > 0) legend.append(el('li', {}, swatch(style.colour, true), `${style.label[lang]} (${n})`))
    }
    if (this.data && projects.length === 0) legend.append(el('li', {}, PLAN_TEXT.none[lang]))
    return legend
  }

  private checkbox(id: string, checked: boolean, onChange: (checked: boolean) => void): HTMLInputElement {
    const input = el('input', id ? { type: 'checkbox', id } : { type: 'checkbox' })
    input.checked = checked
    input.addEventListener('change', () => onChange(input.checked))
    return input
  }
}

function swatch(colour: string, dot = false): HTMLElement {
  return el('span', { class: dot ? 'swatch dot' : 'swatch', style: `background:${colour}` })
}
