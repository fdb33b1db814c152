import { sql } from 'drizzle-orm'
import type { ReportSection } from '../db/annual-reports.ts'
import type { Database } from '../db/client.ts'
import { NATIONAL_OUTLINE } from '../domain/report-outline.ts'

export interface TemplateRow {
  id: number
  regionCode: string
  version: number
  name: string
  sections: ReportSection[]
  createdBy: string | null
  createdAt: Date | string
}

export const TEMPLATE_COLUMNS = sql`t.id, t.region_code as "regionCode", t.version, t.name, t.sections,
  t.created_by as "createdBy", t.created_at as "createdAt"`

/** The outline a report follows and where it came from: a province's template, or the national default. */
export interface ResolvedOutline {
  template: TemplateRow | null
  sections: ReportSection[]
}

/**
 * The outline a region's reports follow: the latest version of the nearest template at or above the region (a
 * city's own, else its province's), or the national outline when there is none.
 */
export async function resolveOutline(database: Database, regionCode: string): Promise<ResolvedOutline> {
  const [template] = await database.rows<TemplateRow>(
    sql`select ${TEMPLATE_COLUMNS} from report_templates t join regions o on o.code = t.region_code
      join regions r on r.code = ${regionCode}
      where starts_with(r.scope_prefix, o.scope_prefix)
      order by length(o.scope_prefix) desc, t.version desc limit 1`,
  )
  return template
    ? { template, sections: template.sections }
    : { template: null, sections: [...NATIONAL_OUTLINE] }
}

/** A template version by id (a run keeps the version it was started with, so a retry prints the same outline). */
export async function outlineById(database: Database, templateId: number | null): Promise<ResolvedOutline> {
  if (templateId === null) return { template: null, sections: [...NATIONAL_OUTLINE] }
  const [template] = await database.rows<TemplateRow>(
    sql`select ${TEMPLATE_COLUMNS} from report_templates t where t.id = ${templateId}`,
  )
  if (!template) throw new Error(`report template ${templateId} does not exist`)
  return { template, sections: template.sections }
}
