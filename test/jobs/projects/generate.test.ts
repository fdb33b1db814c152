import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createProcessors } from '../../../jobs/processors.ts'
import { startProjectsRun } from '../../../jobs/projects/job.ts'
import { InProcessRunner } from '../../../jobs/runs/in-process.ts'
import type { Database } from '../../../server/db/client.ts'
import type { ProjectBenefit } from '../../../server/db/projects.ts'
import { startDemoCheck } from '../../../server/seed/demo-check.ts'
import { openTestDatabase } from '../../helpers/database.ts'
import { independentNewlyCovered, insertResource } from './fixtures.ts'

let database: Database
let runner: InProcessRunner
let campaignId = 0

beforeAll(async () => {
  database = await openTestDatabase()
  runner = new InProcessRunner(database, createProcessors(), { onError: () => {} })
  const check = await startDemoCheck(database, runner)
  campaignId = check?.campaignId ?? 0
  await runner.idle()
})
afterAll(async () => {
  await runner?.close()
  await database?.close()
})

async function generate(regionCode: string) {
  const { run } = await startProjectsRun(database, runner, { campaignId, regionCode, requestedBy: 'test' })
  await runner.idle()
  const [row] = await database.rows<{
    state: string
    error: string | null
    outputs: Record<string, unknown>
  }>(sql`select state, error, outputs from diagnostic_runs where id = ${run.id}`)
  return { id: run.id, ...row }
}

interface ProjectRow {
  id: number
  code: string
  generationKey: string
  benefit: number | null
  benefitDetails: ProjectBenefit | null
  feasibility: number
  runId: number
}

const projectsOfResource = (resourceId: number) =>
  database.rows<ProjectRow>(sql`select p.id, p.code, p.generation_key as "generationKey", p.benefit,
      p.benefit_details as "benefitDetails", p.feasibility, p.run_id as "runId"
    from projects p join project_resources pr on pr.project_id = p.id
    where pr.resource_id = ${resourceId} order by p.generation_key`)

describe('project generation on the demo after its coverage run', () => {
  let idle = 0
  let corner = 0
  let rejected = 0

  it('proposes facilities in blind spots with a benefit the test recomputes by plain SQL', async () => {
    idle = await insertResource(database, { kind: 'idle_land', gapType: 'kindergarten', state: 'verified' })
    corner = await insertResource(database, { kind: 'corner_space', gapType: 'park', state: 'reported' })
    rejected = await insertResource(database, {
      kind: 'idle_land',
      gapType: 'kindergarten',
      state: 'rejected',
    })
    const run = await generate('310000')
    expect(run.error).toBeNull()
    expect(run.state).toBe('succeeded')
    const projects = await projectsOfResource(idle)
    const kindergarten = projects.find((p) => p.generationKey === `facility:kindergarten:resource:${idle}`)
    expect(kindergarten?.code).toMatch(/^XM-310000-2025-\d{4}$/)
    const benefit = kindergarten?.benefitDetails
    expect(benefit?.newlyCoveredTotal).toBeGreaterThan(0)
    const independent = await independentNewlyCovered(database, idle, 'kindergarten')
    expect(benefit?.newlyCoveredTotal).toBeCloseTo(independent.served, 1)
    expect(benefit?.newlyCoveredByAgeGroup.children).toBeCloseTo(independent.children, 1)
    expect(benefit?.newlyCoveredByAgeGroup.elderly).toBeCloseTo(independent.elderly, 1)
    expect(kindergarten?.benefit).toBe(benefit?.newlyCoveredTotal)
    // It addresses the kindergarten blind spot it sits in.
    const linked = await database.rows<{ type: string; facility: string }>(sql`
      select p.type, p.details->>'facilityType' as facility from project_problems pp
      join problems p on p.id = pp.problem_id where pp.project_id = ${kindergarten?.id ?? 0}`)
    expect(linked.length).toBeGreaterThan(0)
    expect(linked.every((l) => l.type === 'service_gap' && l.facility === 'kindergarten')).toBe(true)
    // A rejected resource proposes nothing; a reported one is less feasible than a verified one alike.
    expect(await projectsOfResource(rejected)).toEqual([])
    const park = (await projectsOfResource(corner)).find(
      (p) => p.generationKey === `pocket_park:resource:${corner}`,
    )
    expect(park).toBeDefined()
  })

  it('scores a verified resource more feasible than the same one reported, a carried-over problem more urgent', async () => {
    const twin = await insertResource(database, {
      kind: 'idle_land',
      gapType: 'kindergarten',
      state: 'reported',
    })
    // A problem carried into a later check has persisted: the urgency says so.
    await database.rows(sql`insert into problem_carryovers (problem_id, from_campaign_id, to_year, age_days)
      select pp.problem_id, ${campaignId}, 2026, 200 from project_problems pp join projects p on p.id = pp.project_id
      where p.generation_key = ${`facility:kindergarten:resource:${idle}`} returning id`)
    expect((await generate('310000')).error).toBeNull()
    const [verified] = (await projectsOfResource(idle)).filter((p) =>
      p.generationKey.startsWith('facility:kinder'),
    )
    const [reported] = (await projectsOfResource(twin)).filter((p) =>
      p.generationKey.startsWith('facility:kinder'),
    )
    expect(verified?.feasibility).toBeGreaterThan(reported?.feasibility ?? 1)
    const [urgency] = await database.rows<{ persistence: number }>(sql`
      select (urgency_details->'terms'->>'persistence')::float8 as persistence from projects where id = ${verified?.id}`)
    expect(urgency?.persistence).toBeCloseTo(1 / 3, 3)
  })

  it('updates the same proposals when run again instead of adding new ones', async () => {
    const before = await database.rows<{ id: number; code: string }>(
      sql`select id, code from projects where campaign_id = ${campaignId} order by id`,
    )
    const again = await generate('310000')
    expect(again.state).toBe('succeeded')
    const after = await database.rows<{ id: number; code: string; runId: number }>(
      sql`select id, code, run_id as "runId" from projects where campaign_id = ${campaignId} order by id`,
    )
    expect(after.map(({ id, code }) => ({ id, code }))).toEqual(before)
    expect(after.every((p) => p.runId === again.id)).toBe(true)
    expect(again.outputs).toMatchObject({ created: 0, updated: before.length })
  })

  it('refuses a campaign without a coverage run and a region outside the campaign', async () => {
    await expect(startProjectsRun(database, runner, { campaignId, regionCode: '110000' })).rejects.toThrow(
      /does not cover region 110000/,
    )
    const [other] = await database.rows<{ id: number }>(sql`
      insert into campaigns (kind, year, name, region_code, system_id, status, created_by)
      select 'annual', 2026, 'no coverage yet', region_code, system_id, 'collecting', 'test' from campaigns
      where id = ${campaignId} returning id`)
    await expect(
      startProjectsRun(database, runner, { campaignId: other?.id ?? 0, regionCode: '310100' }),
    ).rejects.toThrow(/no succeeded coverage run/)
  })
})
