/**
 * 四清单: the problem, opinion, resource and project lists of a campaign as one workbook, each sheet with its
 * 编号 and the links between them as comma-separated 编号 of the other sheets, so the workbook is the same graph
 * as the API. Every row is read in the caller's scope; a link to a row the caller cannot see is left out, so every
 * 编号 a link names is a row of another sheet.
 */

import { type SQL, sql } from 'drizzle-orm'
import ExcelJS from 'exceljs'
import { scopeCondition } from '../auth/scope.ts'
import type { GraphQLContext } from '../graphql/context.ts'

export const LIST_SHEETS = {
  problems: '问题清单',
  opinions: '意见清单',
  resources: '资源清单',
  projects: '项目清单',
} as const

/** Problems and opinions have no number column: their 编号 is their ledger id (the Open311 request id). */
export const problemNumber = (id: number) => `WT-${id}`
export const opinionNumber = (id: number) => `YJ-${id}`

type Cell = string | number | null | undefined
interface Sheet {
  name: string
  headers: string[]
  rows: Cell[][]
}

const inScope = (context: GraphQLContext, column: SQL) => scopeCondition(context.scope, column, 'never')

/** The four sheets of a campaign, in the caller's scope. */
export async function readLists(context: GraphQLContext, campaignId: number): Promise<Sheet[]> {
  const db = context.database
  const projects = await db.rows<
    Record<string, Cell> & { id: number; problems: string; resources: string }
  >(sql`
    select j.id, j.code, j.name, j.kind, j.facility_type as "facilityType", j.programme, j.region_code as "regionCode",
      j.phase, j.year, j.state, j.budget, j.benefit,
      (j.benefit_details->'newlyCoveredByAgeGroup'->>'children')::float8 as children,
      (j.benefit_details->'newlyCoveredByAgeGroup'->>'working')::float8 as working,
      (j.benefit_details->'newlyCoveredByAgeGroup'->>'elderly')::float8 as elderly,
      j.feasibility, j.urgency
    from projects j where j.campaign_id = ${campaignId} and ${inScope(context, sql`j.region_code`)}
    order by j.code nulls last, j.id`)
  const projectIds = projects.map((p) => p.id)
  const problems = await db.rows<Record<string, Cell> & { id: number }>(sql`
    select p.id, p.title, p.type, p.region_code as "regionCode", p.severity, p.source, p.year_found as "yearFound",
      p.state, p.responsible_unit as "unit", p.responsible_department as "department", p.report_count as "reports"
    from problems p
    where ${inScope(context, sql`p.region_code`)} and (p.campaign_id = ${campaignId} or exists (
      select 1 from project_problems pp where pp.problem_id = p.id
        and pp.project_id = any(${sql.param(projectIds)}::int[])))
    order by p.id`)
  const problemIds = problems.map((p) => p.id)
  const opinions = await db.rows<Record<string, Cell> & { id: number; problemId: number | null }>(sql`
    select o.id, o.kind, o.content, o.region_code as "regionCode", o.address, o.problem_id as "problemId",
      to_char(o.created_at at time zone 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI') as "createdAt"
    from opinions o where ${inScope(context, sql`o.region_code`)}
      and o.problem_id = any(${sql.param(problemIds)}::int[])
    order by o.id`)
  const resources = await db.rows<Record<string, Cell> & { id: number; number: string }>(sql`
    select s.id, coalesce(s.code, 'ZY-' || s.id) as number, s.name, s.kind, s.region_code as "regionCode",
      s.area_m2 as "areaM2", s.ownership, s.current_use as "currentUse", s.department, s.layer, s.source,
      s.verification_state as "state"
    from stock_resources s
    where ${inScope(context, sql`s.region_code`)} and (
      s.region_code like (select scope_prefix || '%' from regions r join campaigns k on k.region_code = r.code
        where k.id = ${campaignId})
      or exists (select 1 from project_resources pr where pr.resource_id = s.id
        and pr.project_id = any(${sql.param(projectIds)}::int[])))
    order by s.id`)
  const links = await readLinks(context, projectIds)
  return assemble({ projects, problems, opinions, resources }, links)
}

async function readLinks(context: GraphQLContext, projectIds: number[]) {
  const problemLinks = await context.database.rows<{ projectId: number; problemId: number }>(sql`
    select project_id as "projectId", problem_id as "problemId" from project_problems
    where project_id = any(${sql.param(projectIds)}::int[]) order by problem_id`)
  const resourceLinks = await context.database.rows<{ projectId: number; resourceId: number }>(sql`
    select project_id as "projectId", resource_id as "resourceId" from project_resources
    where project_id = any(${sql.param(projectIds)}::int[]) order by resource_id`)
  return { problemLinks, resourceLinks }
}

type Rows = Record<string, Cell>[]

function assemble(
  lists: { projects: Rows; problems: Rows; opinions: Rows; resources: Rows },
  links: Awaited<ReturnType<typeof readLinks>>,
): Sheet[] {
  const problemIds = new Set(lists.problems.map((p) => p.id as number))
  const resourceNumber = new Map(lists.resources.map((r) => [r.id as number, r.number as string]))
  const projectCode = new Map(lists.projects.map((p) => [p.id as number, (p.code as string) ?? `XM-${p.id}`]))
  const join = (values: string[]) => (values.length ? values.join(',') : null)
  const problemsOf = group(
    links.problemLinks.filter((l) => problemIds.has(l.problemId)),
    (l) => l.projectId,
  )
  const resourcesOf = group(
    links.resourceLinks.filter((l) => resourceNumber.has(l.resourceId)),
    (l) => l.projectId,
  )
  const projectsOfProblem = group(links.problemLinks, (l) => l.problemId)
  const projectsOfResource = group(links.resourceLinks, (l) => l.resourceId)
  const codesOf = (ls: { projectId: number }[] | undefined) =>
    join((ls ?? []).flatMap((l) => projectCode.get(l.projectId) ?? []))
  return [
    {
      name: LIST_SHEETS.problems,
      headers: [
        '编号',
        '标题',
        '类型',
        '行政区划',
        '严重程度',
        '来源',
        '发现年度',
        '状态',
        '责任单位',
        '责任部门',
        '反映次数',
        '关联项目',
      ],
      rows: lists.problems.map((p) => [
        problemNumber(p.id as number),
        p.title,
        p.type,
        p.regionCode,
        p.severity,
        p.source,
        p.yearFound,
        p.state,
        p.unit,
        p.department,
        p.reports,
        codesOf(projectsOfProblem.get(p.id as number)),
      ]),
    },
    {
      name: LIST_SHEETS.opinions,
      headers: ['编号', '类型', '内容', '行政区划', '地址', '关联问题', '提交时间'],
      rows: lists.opinions.map((o) => [
        opinionNumber(o.id as number),
        o.kind,
        o.content,
        o.regionCode,
        o.address,
        o.problemId === null ? null : problemNumber(o.problemId as number),
        o.createdAt,
      ]),
    },
    {
      name: LIST_SHEETS.resources,
      headers: [
        '编号',
        '名称',
        '类型',
        '行政区划',
        '面积（平方米）',
        '权属',
        '现状用途',
        '管理部门',
        '图层',
        '来源',
        '核实状态',
        '关联项目',
      ],
      rows: lists.resources.map((r) => [
        r.number,
        r.name,
        r.kind,
        r.regionCode,
        r.areaM2,
        r.ownership,
        r.currentUse,
        r.department,
        r.layer,
        r.source,
        r.state,
        codesOf(projectsOfResource.get(r.id as number)),
      ]),
    },
    {
      name: LIST_SHEETS.projects,
      headers: [
        '编号',
        '名称',
        '类型',
        '设施类型',
        '专项行动',
        '行政区划',
        '阶段',
        '计划年度',
        '状态',
        '总投资（万元）',
        '新增覆盖人口',
        '新增覆盖儿童',
        '新增覆盖劳动年龄人口',
        '新增覆盖老年人',
        '可行性',
        '紧迫性',
        '关联问题',
        '关联资源',
      ],
      rows: lists.projects.map((p) => [
        projectCode.get(p.id as number) ?? null,
        p.name,
        p.kind,
        p.facilityType,
        p.programme,
        p.regionCode,
        p.phase,
        p.year,
        p.state,
        p.budget,
        p.benefit,
        p.children,
        p.working,
        p.elderly,
        p.feasibility,
        p.urgency,
        join((problemsOf.get(p.id as number) ?? []).map((l) => problemNumber(l.problemId))),
        join((resourcesOf.get(p.id as number) ?? []).flatMap((l) => resourceNumber.get(l.resourceId) ?? [])),
      ]),
    },
  ]
}

function group<T>(items: readonly T[], key: (item: T) => number): Map<number, T[]> {
  const map = new Map<number, T[]>()
  for (const item of items) {
    const list = map.get(key(item))
    if (list) list.push(item)
    else map.set(key(item), [item])
  }
  return map
}

export async function buildListsWorkbook(sheets: readonly Sheet[]): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook()
  workbook.creator = 'CityCheck'
  for (const s of sheets) {
    const sheet = workbook.addWorksheet(s.name, { views: [{ state: 'frozen', ySplit: 1, xSplit: 1 }] })
    sheet.addRow(s.headers)
    sheet.getRow(1).font = { bold: true }
    for (const row of s.rows) sheet.addRow(row)
    sheet.columns.forEach((column, index) => {
      column.width = index === 0 ? 22 : 16
    })
  }
  return Buffer.from(await workbook.xlsx.writeBuffer())
}
