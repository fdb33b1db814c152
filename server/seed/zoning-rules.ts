import { sql } from 'drizzle-orm'
import { DEFAULT_ZONING_RULES } from '../domain/zoning.ts'

interface Executor {
  execute(query: ReturnType<typeof sql>): Promise<unknown>
}

/**
 * Writes the default zoning rules (server/domain/zoning.ts) for a city that has none, as version 1 by
 * `seed`; a city with rules of its own — current or superseded — is left alone. Returns the rules written.
 */
export async function seedZoningRules(tx: Executor, cityCode: string): Promise<number> {
  const found = (await tx.execute(
    sql`select count(*)::int as n from zoning_rules where region_code = ${cityCode}`,
  )) as { rows: { n: number }[] }
  if (found.rows[0]?.n) return 0
  const region = (await tx.execute(sql`select code from regions where code = ${cityCode}`)) as {
    rows: unknown[]
  }
  if (region.rows.length === 0) return 0
  for (const rule of DEFAULT_ZONING_RULES) {
    await tx.execute(sql`insert into zoning_rules
        (region_code, key, version, area_class, label, priority, match, conditions, created_by)
      values (${cityCode}, ${rule.key}, 1, ${rule.areaClass}, ${JSON.stringify(rule.label)}::jsonb,
        ${rule.priority}, ${rule.match}, ${JSON.stringify(rule.conditions)}::jsonb, 'seed')
      on conflict (region_code, key, version) do nothing`)
  }
  return DEFAULT_ZONING_RULES.length
}

/** The city (地级市) a region belongs to: its code's first four digits and `00`, when that region exists. */
export function cityCodeOf(regionCode: string): string {
  return `${regionCode.slice(0, 4)}00`
}
