import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createProcessors } from '../../jobs/processors.ts'
import { InProcessRunner } from '../../jobs/runs/in-process.ts'
import type { Database } from '../../server/db/client.ts'
import { DEMO_CAMPAIGN_NAME, startDemoCheck } from '../../server/seed/demo-check.ts'
import { openTestDatabase } from '../helpers/database.ts'

describe('the demo check on first start', () => {
  let database: Database
  beforeAll(async () => {
    database = await openTestDatabase()
  })
  afterAll(async () => {
    await database?.close()
  })

  it('creates the campaign once and fills it with a diagnosis and graded indicators', async () => {
    const runner = new InProcessRunner(database, createProcessors(), { onError: () => {} })
    try {
      const first = await startDemoCheck(database, runner)
      expect(first?.created).toBe(true)
      await runner.idle()
      const runs = await database.rows<{ kind: string; state: string; campaign_id: number }>(
        sql`select kind, state, campaign_id from diagnostic_runs order by id`,
      )
      expect(runs).toEqual([
        { kind: 'coverage', state: 'succeeded', campaign_id: first?.campaignId },
        { kind: 'indicators', state: 'succeeded', campaign_id: first?.campaignId },
      ])
      const [campaign] = await database.rows<{ name: string; year: number; status: string; level: string }>(
        sql`select k.name, k.year, k.status, s.level from campaigns k join indicator_systems s on s.id = k.system_id
          where k.id = ${first?.campaignId}`,
      )
      expect(campaign).toEqual({
        name: DEMO_CAMPAIGN_NAME,
        year: 2025,
        status: 'collecting',
        level: 'national',
      })
      // 黄浦区 owes a value of every enabled indicator of the edition, in a draft filling of its own.
      const [huangpu] = await database.rows<{ state: string; tasks: number; indicators: number }>(sql`
        select f.state, count(t.id)::int as tasks,
          (select count(*)::int from indicators i join campaigns k on k.system_id = i.system_id
            where k.id = f.campaign_id and i.enabled) as indicators
        from fillings f join filling_tasks t on t.filling_id = f.id
        where f.campaign_id = ${first?.campaignId} and f.region_code = '310101' group by f.id`)
      expect(huangpu?.state).toBe('draft')
      expect(huangpu?.tasks).toBeGreaterThan(0)
      expect(huangpu?.tasks).toBe(huangpu?.indicators)
      // Problems from the diagnosis, and graded values at every unit level the viewer's grade theme reads.
      const [problems] = await database.rows<{ n: number }>(
        sql`select count(*)::int as n from problems where campaign_id = ${first?.campaignId} and source = 'diagnosis'`,
      )
      expect(problems?.n).toBeGreaterThan(0)
      const levels = await database.rows<{ unit_type: string; graded: number }>(sql`
        select unit_type, count(*) filter (where grade is not null)::int as graded from indicator_values
        where campaign_id = ${first?.campaignId} group by unit_type order by unit_type`)
      expect(levels.map((l) => l.unit_type)).toEqual(['block', 'compound', 'region'])
      for (const level of levels) expect(level.graded, level.unit_type).toBeGreaterThan(0)

      const again = await startDemoCheck(database, runner)
      expect(again).toEqual({ campaignId: first?.campaignId, created: false })
      await runner.idle()
      const [count] = await database.rows<{ n: number }>(sql`select count(*)::int as n from diagnostic_runs`)
      expect(count?.n).toBe(2)
      // A second start adds no task twice.
      const [tasks] = await database.rows<{ n: number; distinct: number }>(sql`select count(*)::int as n,
        count(distinct (indicator_id, unit_type, unit_key))::int as distinct from filling_tasks
        where campaign_id = ${first?.campaignId}`)
      expect(tasks?.n).toBe(tasks?.distinct)
    } finally {
      await runner.close()
    }
  })
})
