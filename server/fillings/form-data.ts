/** What a filling workbook shows: the filling's campaign and region, and its tasks with what is stored for them. */
import { sql } from 'drizzle-orm'
import type { Identity } from '../auth/identity.ts'
import type { Database } from '../db/client.ts'
import type { FormMeta, FormRow } from './workbook.ts'

interface MetaRow {
  fillingId: number
  campaignName: string
  year: number
  state: string
  lockedAt: Date | string | null
  regionName: string
}

interface TaskRow extends Omit<FormRow, 'value' | 'computedValue'> {
  value: number | null
  source: string | null
  computedValue: number | null
}

export interface FormData {
  fillingId: number
  meta: FormMeta
  rows: FormRow[]
}

/**
 * The filling of a region in a campaign with its tasks, or null when the campaign owes the region nothing. A
 * department token sees only the tasks routed to its department, the only ones it may fill.
 */
export async function loadForm(
  database: Database,
  campaignId: number,
  regionCode: string,
  identity: Identity | null,
): Promise<FormData | null> {
  const [meta] =
    await database.rows<MetaRow>(sql`select f.id as "fillingId", c.name as "campaignName", c.year,
      f.state, f.locked_at as "lockedAt", r.name as "regionName"
    from fillings f join campaigns c on c.id = f.campaign_id join regions r on r.code = f.region_code
    where f.campaign_id = ${campaignId} and f.region_code = ${regionCode}`)
  if (!meta) return null
  const department = identity?.role === 'department' ? (identity.department ?? '') : null
  const tasks = await database.rows<TaskRow>(sql`select i.code as "indicatorCode", i.name as "indicatorName",
      i.dimension, t.unit_type as "unitType", t.unit_key as "unitKey", t.unit_name as "unitName", i.unit,
      i.parameters, i.group_name as "group", i.method, i.required_evidence as "requiredEvidence", i.evidence,
      v.value, v.source, v.remark, v.computed_value as "computedValue", v.review_comment as "reviewComment",
      v.review_state as "reviewState"
    from filling_tasks t join indicators i on i.id = t.indicator_id
    left join indicator_values v on v.campaign_id = t.campaign_id and v.indicator_id = t.indicator_id
      and v.unit_type = t.unit_type and v.unit_key = t.unit_key
    where t.filling_id = ${meta.fillingId}
      ${department === null ? sql`` : sql`and t.department = ${department}`}
    order by i.sort_order, i.code, t.unit_type, t.unit_key`)
  return {
    fillingId: meta.fillingId,
    meta: {
      campaignId,
      campaignName: meta.campaignName,
      year: meta.year,
      regionCode,
      regionName: meta.regionName,
      fillingState: meta.state,
      locked: meta.lockedAt !== null,
    },
    rows: tasks.map(({ source, value, computedValue, ...task }) => ({
      ...task,
      parameters: task.parameters ?? {},
      // A computed value is the diagnosis's, not the filler's: it shows under 计算值, and 填报值 stays empty.
      value: source === 'computed' ? null : value,
      computedValue: source === 'computed' ? value : computedValue,
    })),
  }
}
