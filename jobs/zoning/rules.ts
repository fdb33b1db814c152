import { sql } from 'drizzle-orm'
import type { Database } from '../../server/db/client.ts'
import type { Rule } from '../../server/domain/zoning.ts'

/** A rule as the job and the API read it. */
export interface RuleRow extends Rule {
  regionCode: string
  label: { zh: string; en: string }
  enabled: boolean
  createdBy: string | null
  createdAt: string
  supersededAt: string | null
}

export const RULE_COLUMNS = sql`z.id, z.region_code as "regionCode", z.key, z.version, z.area_class as "areaClass",
  z.label, z.priority, z.match, z.conditions, z.enabled = 1 as enabled, z.created_by as "createdBy",
  z.created_at as "createdAt", z.superseded_at as "supersededAt"`

/**
 * The rules that apply to a region: the current versions of the nearest region at or above it that has rules
 * of its own (a district may refine its city's), in evaluation order. Disabled rules are left out.
 */
export async function applicableRules(database: Database, regionCode: string): Promise<RuleRow[]> {
  return database.rows<RuleRow>(sql`
    with own as (
      select z.region_code from zoning_rules z join regions g on g.code = z.region_code
      join regions r on r.code = ${regionCode}
      where starts_with(r.scope_prefix, g.scope_prefix)
      order by length(g.scope_prefix) desc limit 1
    )
    select ${RULE_COLUMNS} from zoning_rules z join own on own.region_code = z.region_code
    where z.superseded_at is null and z.enabled = 1
    order by z.priority, z.key`)
}

/** Rules by id, as a run recorded them when it was queued: a retry evaluates the same versions. */
export async function rulesById(database: Database, ids: readonly number[]): Promise<RuleRow[]> {
  return database.rows<RuleRow>(
    sql`select ${RULE_COLUMNS} from zoning_rules z where z.id = any(${sql.param([...ids])}::int[])
      order by z.priority, z.key`,
  )
}
