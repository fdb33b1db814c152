/**
 * The renewal overlays (no Cesium, no DOM): stock resources (存量资源一张图) coloured by verification state with a
 * switch per department layer and per state, zoning areas (更新分区) filled by class, and renewal projects
 * (更新项目) as markers coloured by state, labelled with their name and the residents they newly cover.
 */
import type { Geometry } from 'geojson'
import { representativePoint } from './facilities.ts'
import type { Ring } from './gaps.ts'
import type { Lang } from './i18n.ts'

export type Label = Record<Lang, string>

export const RESOURCE_STATES = ['reported', 'verified', 'rejected'] as const
export type ResourceState = (typeof RESOURCE_STATES)[number]

export const RESOURCE_STATE_STYLE: Record<ResourceState, { colour: string; label: Label }> = {
  reported: { colour: '#f2a93b', label: { 'zh-CN': '已上报', en: 'Reported' } },
  verified: { colour: '#2ecc71', label: { 'zh-CN': '已核实', en: 'Verified' } },
  rejected: { colour: '#9e9e9e', label: { 'zh-CN': '已驳回', en: 'Rejected' } },
}

/**
 * The national classes, named in the viewer's language (the API names them in the request's); a city's own
 * classes keep the API's name and take a colour from {@link OWN_CLASS_COLOURS} in order of appearance.
 */
export const ZONING_CLASS_STYLE: Record<string, { colour: string; label: Label }> = {
  near_term: { colour: '#e4572e', label: { 'zh-CN': '近期改造区', en: 'Near-term renewal' } },
  gradual: { colour: '#f3c13a', label: { 'zh-CN': '渐进更新区', en: 'Gradual renewal' } },
  protection: { colour: '#3f88c5', label: { 'zh-CN': '保护区', en: 'Protection' } },
}
const OWN_CLASS_COLOURS = ['#a05195', '#2a9d8f', '#8d6e63', '#6a4c93']

export const PROJECT_STATE_STYLE: Record<string, { colour: string; label: Label }> = {
  proposed: { colour: '#b39ddb', label: { 'zh-CN': '提议', en: 'Proposed' } },
  approved: { colour: '#42a5f5', label: { 'zh-CN': '已批准', en: 'Approved' } },
  under_way: { colour: '#ffca28', label: { 'zh-CN': '实施中', en: 'Under way' } },
  completed: { colour: '#66bb6a', label: { 'zh-CN': '已完工', en: 'Completed' } },
  evaluated: { colour: '#26c6da', label: { 'zh-CN': '已评估', en: 'Evaluated' } },
}
const UNKNOWN_COLOUR = '#ffffff'

export const PLAN_TEXT = {
  section: { 'zh-CN': '更新规划', en: 'Renewal plan' },
  resources: { 'zh-CN': '存量资源', en: 'Stock resources' },
  resourceLayers: { 'zh-CN': '部门图层', en: 'Department layers' },
  resourceStates: { 'zh-CN': '核实状态', en: 'Verification state' },
  noLayer: { 'zh-CN': '未分图层', en: 'No layer' },
  zoning: { 'zh-CN': '更新分区', en: 'Zoning areas' },
  projects: { 'zh-CN': '更新项目', en: 'Renewal projects' },
  newlyCovered: { 'zh-CN': '新增覆盖人口', en: 'Newly covered' },
  none: { 'zh-CN': '暂无', en: 'None yet' },
} satisfies Record<string, Label>

export interface PlanResource {
  kind: string
  layer: string | null
  verificationState: ResourceState
  geom: Geometry
}

export interface PlanZoningArea {
  areaClass: string
  className: string
  reasons: unknown
  geom: Geometry
}

export interface PlanProject {
  name: string
  state: string
  newlyCovered: number | null
  geom: Geometry | null
}

export interface PlanData {
  resources: PlanResource[]
  zoning: PlanZoningArea[]
  projects: PlanProject[]
}

/** What is switched off: department layers (by name, '' for none), states, and the zoning and project layers. */
export interface PlanFilter {
  hiddenLayers: ReadonlySet<string>
  hiddenStates: ReadonlySet<ResourceState>
  zoning: boolean
  projects: boolean
}

/** One shape to draw: polygons (each its rings, outer first) and points, in one colour. */
export interface PlanShape {
  polygons: Ring[][]
  points: [number, number][]
  colour: string
}

export interface PlanMarker {
  lonDeg: number
  latDeg: number
  colour: string
  label: string
}

export interface PlanOverlay {
  resources: PlanShape[]
  zoning: PlanShape[]
  projects: PlanMarker[]
}

export const EMPTY_PLAN: PlanOverlay = { resources: [], zoning: [], projects: [] }

const isPosition = (value: unknown): value is [number, number] =>
  Array.isArray(value) && typeof value[0] === 'number' && typeof value[1] === 'number'

const ringsOf = (polygon: unknown): Ring[] =>
  Array.isArray(polygon)
    ? polygon
        .map((ring: unknown) => (Array.isArray(ring) ? ring.filter(isPosition).map(([x, y]) => [x, y]) : []))
        .filter((ring): ring is Ring => ring.length >= 4)
    : []

/** The polygons and points of a geometry; lines and collections draw as their representative point. */
export function shapeOf(geom: Geometry, colour: string): PlanShape {
  const shape: PlanShape = { polygons: [], points: [], colour }
  if (geom.type === 'Polygon') shape.polygons.push(ringsOf(geom.coordinates))
  else if (geom.type === 'MultiPolygon') shape.polygons.push(...geom.coordinates.map(ringsOf))
  else if (geom.type === 'Point' && isPosition(geom.coordinates)) shape.points.push(geom.coordinates)
  else if (geom.type === 'MultiPoint') shape.points.push(...geom.coordinates.filter(isPosition))
  else {
    const point = representativePoint(geom)
    if (point) shape.points.push(point)
  }
  shape.polygons = shape.polygons.filter((rings) => rings.length > 0)
  return shape
}

/** The department layers of the resources, sorted, '' standing for a resource without one. */
export function resourceLayers(resources: readonly PlanResource[]): string[] {
  return [...new Set(resources.map((r) => r.layer ?? ''))].sort()
}

/** Colours of the zoning classes present: national ones fixed, the city's own in order of appearance. */
export function zoningClasses(
  areas: readonly PlanZoningArea[],
  lang: Lang,
): { areaClass: string; className: string; colour: string }[] {
  const out: { areaClass: string; className: string; colour: string }[] = []
  for (const area of areas) {
    if (out.some((c) => c.areaClass === area.areaClass)) continue
    const national = ZONING_CLASS_STYLE[area.areaClass]
    const own = out.filter((c) => !(c.areaClass in ZONING_CLASS_STYLE)).length
    const colour = national?.colour ?? OWN_CLASS_COLOURS[own % OWN_CLASS_COLOURS.length] ?? UNKNOWN_COLOUR
    out.push({ areaClass: area.areaClass, className: national?.label[lang] ?? area.className, colour })
  }
  return out
}

/** The project's label: its name and, when it adds a facility, the residents it newly covers. */
export function projectLabel(project: PlanProject, lang: Lang): string {
  if (project.newlyCovered === null) return project.name
  return `${project.name}\n${PLAN_TEXT.newlyCovered[lang]} ${Math.round(project.newlyCovered)}`
}

/** What the map draws for the data under the filter. */
export function planOverlay(data: PlanData, filter: PlanFilter, lang: Lang): PlanOverlay {
  const resources = data.resources
    .filter((r) => !filter.hiddenLayers.has(r.layer ?? '') && !filter.hiddenStates.has(r.verificationState))
    .map((r) => shapeOf(r.geom, RESOURCE_STATE_STYLE[r.verificationState]?.colour ?? UNKNOWN_COLOUR))
  const classes = zoningClasses(data.zoning, lang)
  const zoning = filter.zoning
    ? data.zoning.map((a) =>
        shapeOf(a.geom, classes.find((c) => c.areaClass === a.areaClass)?.colour ?? UNKNOWN_COLOUR),
      )
    : []
  const projects = filter.projects
    ? data.projects.flatMap((p) => {
        const point = p.geom ? representativePoint(p.geom) : null
        if (!point) return []
        const colour = PROJECT_STATE_STYLE[p.state]?.colour ?? UNKNOWN_COLOUR
        return [{ lonDeg: point[0], latDeg: point[1], colour, label: projectLabel(p, lang) }]
      })
    : []
  return { resources, zoning, projects }
}
