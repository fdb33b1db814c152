import { sql } from 'drizzle-orm'
import { DiagnosisParameterError, startReportRun } from '../jobs/api.ts'
import { REPORT_FILES_PREFIX } from '../server/annual-reports/api.ts'
import { resolveOutline, TEMPLATE_COLUMNS, type TemplateRow } from '../server/annual-reports/templates.ts'
import { authorize } from '../server/auth/permissions.ts'
import { scopeCondition } from '../server/auth/scope.ts'
import type { ReportSection } from '../server/db/annual-reports.ts'
import { outlineProblems, SECTION_HEADINGS } from '../server/domain/report-outline.ts'
import type { GraphQLContext } from '../server/graphql/context.ts'
import { badUserInput, notFound } from '../server/graphql/errors.ts'
import { recordAudit } from './audit.ts'
import { builder } from './builder.ts'
import { loadCampaigns } from './campaigns.ts'
import { checkRegionCode, databaseKey } from './fillings/keys.ts'
import { auditRunStart, DiagnosticRun, StartedRun } from './runs.ts'

// 体检报告: report outlines as data (a province's or city's template, versioned; the national outline by
// default), the report job, and the files it wrote. The report itself is drawn by server/annual-reports (ADR 0016).

const Section = builder.objectRef<ReportSection>('ReportOutlineSection').implement({
  description: '报告提纲中的一节：内置章节或自定义文字段 / One section of a report outline',
  fields: (t) => ({
    kind: t.exposeString('kind', {
      description: `内置章节（${Object.keys(SECTION_HEADINGS).join('、')}）或 text / a built-in section or text`,
    }),
    title: t.string({ nullable: true, resolve: (s) => s.title ?? null }),
    body: t.string({
      nullable: true,
      description: '文字段正文，或内置章节前的导语 / the block’s text, or an introduction',
      resolve: (s) => s.body ?? null,
    }),
  }),
})

const ReportTemplate = builder.objectRef<TemplateRow>('ReportTemplate').implement({
  description: '体检报告模板的一个版本 / One version of a region’s report outline',
  fields: (t) => ({
    databaseId: t.exposeInt('id'),
    regionCode: t.exposeString('regionCode'),
    version: t.exposeInt('version'),
    name: t.exposeString('name'),
    sections: t.field({ type: [Section], resolve: (r) => r.sections }),
    createdBy: t.exposeString('createdBy', { nullable: true }),
    createdAt: t.field({ type: 'DateTime', resolve: (r) => r.createdAt }),
  }),
})

interface OutlineRow {
  template: TemplateRow | null
  sections: ReportSection[]
}

const ReportOutline = builder.objectRef<OutlineRow>('ReportOutline').implement({
  description: '某区划报告所用的提纲 / The outline a region’s reports follow',
  fields: (t) => ({
    template: t.field({
      type: ReportTemplate,
      nullable: true,
      description: '本级或上级的最新模板；为空时为国家默认提纲 / null: the national outline',
      resolve: (o) => o.template,
    }),
    sections: t.field({ type: [Section], resolve: (o) => o.sections }),
  }),
})

interface FileRow {
  id: number
  runId: number
  campaignId: number
  regionCode: string
  templateId: number | null
  format: string
  fileName: string
  byteSize: number
  sha256: string
  createdAt: Date | string
}

const FILE_COLUMNS = sql`f.id, f.run_id as "runId", f.campaign_id as "campaignId", f.region_code as "regionCode",
  f.template_id as "templateId", f.format, f.file_name as "fileName", f.byte_size as "byteSize", f.sha256,
  f.created_at as "createdAt"`

const ReportFile = builder.objectRef<FileRow>('AnnualReportFile').implement({
  description: '体检报告文件（DOCX 或 PDF）/ A report file a run wrote',
  fields: (t) => ({
    databaseId: t.exposeInt('id'),
    runId: t.exposeInt('runId'),
    campaignId: t.exposeInt('campaignId'),
    regionCode: t.exposeString('regionCode'),
    templateId: t.exposeInt('templateId', { nullable: true, description: '空为国家提纲 / null: national' }),
    format: t.exposeString('format', { description: 'docx | pdf' }),
    fileName: t.exposeString('fileName'),
    byteSize: t.exposeFloat('byteSize'),
    sha256: t.exposeString('sha256'),
    createdAt: t.field({ type: 'DateTime', resolve: (f) => f.createdAt }),
    downloadUrl: t.string({
      description: '下载地址（需同一范围的登录凭证）/ download path; send the bearer token',
      resolve: (f) => `${REPORT_FILES_PREFIX}${f.id}`,
    }),
  }),
})

const filesVisible = (context: GraphQLContext) => scopeCondition(context.scope, sql`f.region_code`, 'never')

builder.objectField(DiagnosticRun, 'reportFiles', (t) =>
  t.field({
    type: [ReportFile],
    description: '报告运行写出的文件（其他运行为空）/ the files of a report run; empty for other runs',
    resolve: async (run, _args, context) => {
      if (run.kind !== 'annual_report') return []
      authorize(context.identity, context.scope, 'report.read')
      return context.database.rows<FileRow>(
        sql`select ${FILE_COLUMNS} from annual_reports f where f.run_id = ${run.id} and ${filesVisible(context)}
          order by f.format`,
      )
    },
  }),
)

builder.queryField('annualReports', (t) =>
  t.field({
    type: [ReportFile],
    description: '体检报告文件，最新在前（最多 100）/ Report files, newest first (at most 100)',
    args: { campaignId: t.arg.id({ required: true }), regionCode: t.arg.string() },
    resolve: (_root, args, context) => {
      authorize(context.identity, context.scope, 'report.read')
      const campaignId = databaseKey(args.campaignId, 'Campaign')
      const region = args.regionCode ? sql`and f.region_code = ${checkRegionCode(args.regionCode)}` : sql``
      return context.database.rows<FileRow>(
        sql`select ${FILE_COLUMNS} from annual_reports f where f.campaign_id = ${campaignId} ${region}
          and ${filesVisible(context)} order by f.id desc limit 100`,
      )
    },
  }),
)

/** A region the caller may act on, by code: out of scope reads as missing (authorize's NOT_FOUND). */
async function regionInScope(
  context: GraphQLContext,
  code: string,
  operation: 'report.read' | 'report.writeTemplate',
) {
  checkRegionCode(code)
  authorize(context.identity, context.scope, operation, { regionCode: code })
  const [region] = await context.database.rows<{ level: string }>(
    sql`select level from regions where code = ${code}`,
  )
  if (!region) throw notFound(`行政区划 ${code} 不存在`, `Region ${code} was not found`)
  return region
}

builder.queryField('reportOutline', (t) =>
  t.field({
    type: ReportOutline,
    description: '某区划的体检报告所用提纲 / The outline a region’s check reports follow',
    args: { regionCode: t.arg.string({ required: true }) },
    resolve: async (_root, { regionCode }, context) => {
      await regionInScope(context, regionCode, 'report.read')
      return resolveOutline(context.database, regionCode)
    },
  }),
)

builder.queryField('reportTemplates', (t) =>
  t.field({
    type: [ReportTemplate],
    description:
      '某区划自己的报告模板的各个版本，最新在前 / Versions of a region’s own template, newest first',
    args: { regionCode: t.arg.string({ required: true }) },
    resolve: async (_root, { regionCode }, context) => {
      await regionInScope(context, regionCode, 'report.read')
      return context.database.rows<TemplateRow>(
        sql`select ${TEMPLATE_COLUMNS} from report_templates t where t.region_code = ${regionCode}
          order by t.version desc`,
      )
    },
  }),
)

const SectionInput = builder.inputType('ReportOutlineSectionInput', {
  fields: (t) => ({
    kind: t.string({ required: true }),
    title: t.string(),
    body: t.string(),
  }),
})

const SaveTemplateInput = builder.inputType('SaveReportTemplateInput', {
  fields: (t) => ({
    regionCode: t.string({ required: true, description: '省或市 / a province or a city' }),
    name: t.string({ required: true }),
    sections: t.field({ type: [SectionInput], required: true, description: '按顺序 / in order' }),
  }),
})

builder.mutationField('saveReportTemplate', (t) =>
  t.field({
    type: ReportTemplate,
    description:
      '保存本省或本市报告模板的新版本（省级、市级）；报告按最近一级模板的最新版本生成 / Saves a new version of a ' +
      'province’s or city’s report outline',
    args: { input: t.arg({ type: SaveTemplateInput, required: true }) },
    resolve: async (_root, { input }, context) => {
      const region = await regionInScope(context, input.regionCode, 'report.writeTemplate')
      if (region.level !== 'province' && region.level !== 'city') {
        throw badUserInput('报告模板只能属于省或市', 'A report template belongs to a province or a city')
      }
      const name = input.name.trim()
      if (!name || name.length > 200)
        throw badUserInput('模板名称应为 1–200 字', 'name takes 1 to 200 characters')
      const sections: ReportSection[] = input.sections.map((s) => ({
        kind: s.kind,
        title: s.title?.trim() || null,
        body: s.body?.trim() || null,
      }))
      const problems = outlineProblems(sections)
      if (problems.length > 0) {
        throw badUserInput(problems.map((p) => p.zh).join('；'), problems.map((p) => p.en).join('; '), {
          problems,
        })
      }
      return context.database.db.transaction(async (tx) => {
        // One version at a time per region: the lock serialises two saves so neither takes the other's number.
        await tx.execute(
          sql`select pg_advisory_xact_lock(hashtext(${`report_template:${input.regionCode}`}))`,
        )
        const { rows } = (await tx.execute(sql`
          insert into report_templates as t (region_code, version, name, sections, created_by)
          values (${input.regionCode},
            (select coalesce(max(version), 0) + 1 from report_templates where region_code = ${input.regionCode}),
            ${name}, ${JSON.stringify(sections)}::jsonb, ${context.identity?.subject ?? null})
          returning ${TEMPLATE_COLUMNS}`)) as unknown as { rows: TemplateRow[] }
        const saved = rows[0] as TemplateRow
        await recordAudit(tx, context, {
          entity: 'report_template',
          entityId: saved.id,
          action: 'create',
          regionCode: saved.regionCode,
          before: null,
          after: { version: saved.version, name: saved.name, sections: saved.sections },
        })
        return saved
      })
    },
  }),
)

const GenerateReportInput = builder.inputType('GenerateReportInput', {
  fields: (t) => ({
    campaignId: t.id({ required: true, description: 'databaseId 或全局 ID / databaseId or global ID' }),
    regionCode: t.string({
      description: '默认：体检任务的区划；可为其下的区县 / default the campaign’s region',
    }),
  }),
})

builder.mutationField('generateReport', (t) =>
  t.field({
    type: StartedRun,
    description:
      '生成体检报告（DOCX 与 PDF，后台任务；省级、市级、区县）；完成后由 run.reportFiles 下载 / Generates the check ' +
      'report as a job; its files are on run.reportFiles once it has succeeded',
    args: { input: t.arg({ type: GenerateReportInput, required: true }) },
    resolve: async (_root, { input }, context) => {
      authorize(context.identity, context.scope, 'report.generate')
      const campaignId = databaseKey(input.campaignId, 'Campaign')
      const campaign = await context.loader(loadCampaigns).load(campaignId)
      if (!campaign)
        throw notFound(`体检任务 ${campaignId} 不存在或无权访问`, `Campaign ${campaignId} was not found`)
      const regionCode = checkRegionCode(input.regionCode ?? campaign.regionCode)
      authorize(context.identity, context.scope, 'report.generate', { regionCode })
      if (!context.jobs) throw new Error('no job runner configured')
      const outline = await resolveOutline(context.database, regionCode)
      const identity = context.identity
      try {
        return await startReportRun(context.database, context.jobs, {
          campaignId,
          regionCode,
          templateId: outline.template?.id ?? null,
          identity: {
            subject: identity?.subject ?? 'anonymous',
            role: identity?.role ?? 'public',
            regionCode: identity?.regionCode ?? null,
            department: identity?.department ?? null,
          },
          requestedBy: identity?.subject ?? null,
          onCreated: auditRunStart(context),
        })
      } catch (error) {
        if (!(error instanceof DiagnosisParameterError)) throw error
        const [zh, en] = error.message.split(' / ')
        throw badUserInput(zh ?? error.message, en ?? error.message, { error: error.name })
      }
    },
  }),
)
