import { sql } from 'drizzle-orm'
import type { ProjectBenefit, ProjectScore } from '../../server/db/projects.ts'
import type { Transaction } from '../runs/rows.ts'
import type { Proposal } from './candidates.ts'

/** A proposal with its measured benefit and its scores, ready to be written. */
export interface ScoredProposal extends Proposal {
  benefit: ProjectBenefit | null
  feasibility: ProjectScore
  urgency: ProjectScore
}

export interface WriteTarget {
  runId: number
  campaignId: number
  /** The region the generation was asked for: it numbers the projects (`XM-<region>-<year>-0001`). */
  regionCode: string
  year: number
  requestedBy: string | null
}

/**
 * Upserts the proposals by (campaign, generation key): a rerun updates the figures, names and links of the
 * same projects and keeps what people decided about them (state, phase, year, budget, funding, number). New ones
 * take the next numbers of the region and year, under a lock so two generations cannot take the same.
 *
 * @returns how many were created and updated.
 */
export async function writeProposals(
  tx: Transaction,
  target: WriteTarget,
  proposals: readonly ScoredProposal[],
): Promise<{ created: number; updated: number }> {
  const prefix = `XM-${target.regionCode}-${target.year}-`
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${prefix}))`)
  const existing = (await tx.execute(sql`
    select generation_key as key from projects where campaign_id = ${target.campaignId}
      and generation_key = any(${sql.param(proposals.map((p) => p.key))}::text[])`)) as unknown as {
    rows: { key: string }[]
  }
  const known = new Set(existing.rows.map((r) => r.key))
  const top = (await tx.execute(sql`
    select coalesce(max(substring(code from ${prefix.length + 1}::int)::int), 0)::int as n from projects
    where code like ${`${prefix}%`} and substring(code from ${prefix.length + 1}::int) ~ '^[0-9]+$'`)) as unknown as {
    rows: { n: number }[]
  }
  let next = top.rows[0]?.n ?? 0
  for (const p of proposals) {
    const code = known.has(p.key) ? null : `${prefix}${String(++next).padStart(4, '0')}`
    const id = await upsertProject(tx, target, p, code)
    await tx.execute(sql`delete from project_problems where project_id = ${id}`)
    await tx.execute(sql`delete from project_resources where project_id = ${id}`)
    if (p.problemIds.length > 0) {
      await tx.execute(sql`insert into project_problems (project_id, problem_id)
        select ${id}, unnest(${sql.param(p.problemIds)}::int[]) on conflict do nothing`)
    }
    if (p.resourceIds.length > 0) {
      await tx.execute(sql`insert into project_resources (project_id, resource_id)
        select ${id}, unnest(${sql.param(p.resourceIds)}::int[]) on conflict do nothing`)
    }
  }
  return { created: proposals.length - known.size, updated: known.size }
}

async function upsertProject(
  tx: Transaction,
  target: WriteTarget,
  p: ScoredProposal,
  code: string | null,
): Promise<number> {
  const geom =
    p.geometryOf.table === 'stock_resources'
      ? sql`(select geom from stock_resources where id = ${p.geometryOf.id})`
      : sql`(select geom from renewal_areas where id = ${p.geometryOf.id})`
  const json = (v: unknown) => (v === null ? sql`null` : sql`${JSON.stringify(v)}::jsonb`)
  const result = (await tx.execute(sql`
    insert into projects (code, region_code, campaign_id, run_id, generation_key, name, description, kind,
      facility_type, programme, geom, feasibility, urgency, benefit, benefit_details, feasibility_details,
      urgency_details, created_by)
    values (${code}, ${p.regionCode}, ${target.campaignId}, ${target.runId}, ${p.key}, ${p.name}, ${p.description},
      ${p.kind}, ${p.facilityType}, ${p.programme}, ${geom}, ${p.feasibility.value}, ${p.urgency.value},
      ${p.benefit?.newlyCoveredTotal ?? null}, ${json(p.benefit)}, ${json(p.feasibility)}, ${json(p.urgency)},
      ${target.requestedBy})
    on conflict (campaign_id, generation_key) do update set run_id = excluded.run_id, name = excluded.name,
      description = excluded.description, kind = excluded.kind, facility_type = excluded.facility_type,
      programme = excluded.programme, geom = excluded.geom, region_code = excluded.region_code,
      feasibility = excluded.feasibility, urgency = excluded.urgency, benefit = excluded.benefit,
      benefit_details = excluded.benefit_details, feasibility_details = excluded.feasibility_details,
      urgency_details = excluded.urgency_details, updated_at = now()
    returning id`)) as unknown as { rows: { id: number }[] }
  const id = result.rows[0]?.id
  if (id === undefined) throw new Error(`project ${p.key} was not written`)
  return id
}
