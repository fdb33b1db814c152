import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createProcessors } from '../../jobs/processors.ts'
import { InProcessRunner } from '../../jobs/runs/in-process.ts'
import { loadConfig } from '../../server/config.ts'
import type { Database } from '../../server/db/client.ts'
import { type Direction, gradeValue, parseStandardValues } from '../../server/domain/grading.ts'
import { type RunningServer, startHttpServer } from '../../server/http.ts'
import { startDemoCheck } from '../../server/seed/demo-check.ts'
import {
  type DemoHistoryResult,
  deriveDemoHistory,
  deriveValue,
  historyName,
  watchDemoHistory,
} from '../../server/seed/demo-history.ts'
import { TEST_JWT_SECRET, tokenFor } from '../api/helpers/api.ts'
import { openTestDatabase } from '../helpers/database.ts'

let database: Database
let runner: InProcessRunner
let campaign2025: number
let history: DemoHistoryResult

interface Derived {
  year: number
  base: number
  value: number
  direction: Direction
  grade: string | null
  warning: string | null
  standards: unknown
  source: string
  review_state: string
  derivation: string
}

beforeAll(async () => {
  database = await openTestDatabase()
  runner = new InProcessRunner(database, createProcessors(), { onError: () => {} })
  const watch = await watchDemoHistory(database)
  // Nothing to derive from before the 2025 check's indicators exist.
  expect(await deriveDemoHistory(database)).toBeNull()
  const check = await startDemoCheck(database, runner)
  campaign2025 = check!.campaignId
  await runner.idle()
  history = await watch.done
  await watch.stop()
}, 180_000)

afterAll(async () => {
  await runner?.close()
  await database?.close()
})

describe('the derivation rule', () => {
  it('makes the past a little worse, rounded like the 2025 value', () => {
    expect(deriveValue(83.333333, 'higher', 2023).value).toBe(78.33)
    expect(deriveValue(83.333333, 'higher', 2024).value).toBe(80.83)
    expect(deriveValue(1.5, 'lower', 2023).value).toBe(1.6)
    expect(deriveValue(3, 'lower', 2023).value).toBe(3)
    expect(deriveValue(40, 'lower', 2023).value).toBe(43)
    expect(deriveValue(12.5, 'none', 2023)).toMatchObject({ value: 12.5 })
    expect(deriveValue(80, 'higher', 2024).derivation).toContain('80 × 0.97 = 78')
  })
})

describe('the demo’s 2023 and 2024 checks', () => {
  it('are derived once the 2025 indicator run has succeeded, as closed checks on locked copies of the edition', async () => {
    expect(history.created).toBe(true)
    expect(Object.keys(history.campaigns)).toEqual(['2023', '2024'])
    const rows = await database.rows<{
      year: number
      name: string
      kind: string
      status: string
      edition_year: number
      edition_status: string
      codes: string[]
    }>(sql`select k.year, k.name, k.kind, k.status, s.year as edition_year, s.status as edition_status,
        array(select code from indicators i where i.system_id = s.id order by code) as codes
      from campaigns k join indicator_systems s on s.id = k.system_id
      where k.region_code = '310100' order by k.year`)
    expect(rows.map((r) => [r.year, r.kind, r.status, r.edition_year])).toEqual([
      [2023, 'annual', 'closed', 2023],
      [2024, 'annual', 'closed', 2024],
      [2025, 'annual', 'collecting', 2025],
    ])
    expect(rows[0]?.name).toBe(historyName(2023))
    expect(rows[0]?.edition_status).toBe('locked')
    expect(rows[0]?.codes).toEqual(rows[2]?.codes)
    expect(rows[1]?.codes).toEqual(rows[2]?.codes)
  })

  it('hold every 2025 value derived by the rule, marked, graded against the year’s edition', async () => {
    const derived = await database.rows<Derived>(sql`
      select k.year, b.value as base, v.value, i.direction, v.grade, v.warning, i.standard_values as standards,
        v.source, v.review_state, v.derivation
      from indicator_values v join campaigns k on k.id = v.campaign_id
      join indicators i on i.id = v.indicator_id
      join indicator_values b on b.id = (v.details->'derivedFrom'->>'valueId')::int
      where k.id in (${history.campaigns[2023]}, ${history.campaigns[2024]})`)
    const [base] = await database.rows<{ n: number }>(sql`select count(*)::int as n from indicator_values
      where campaign_id = ${campaign2025} and value is not null`)
    expect(derived.length).toBe(2 * base!.n)
    expect(history.values).toBe(derived.length)
    for (const d of derived) {
      const factor = d.year === 2023 ? 0.94 : 0.97
      const exact =
        d.direction === 'higher' ? d.base * factor : d.direction === 'lower' ? d.base / factor : d.base
      // Rounded to at most 2 decimals, to none for a whole 2025 value.
      expect(Math.abs(d.value - exact)).toBeLessThanOrEqual(Number.isInteger(d.base) ? 0.5 : 0.005 + 1e-9)
      expect(d).toMatchObject({ source: 'imported', review_state: 'approved' })
      expect(d.derivation).toMatch(new RegExp(`^demo: ${d.year} derived from the 2025 value`))
      expect({ grade: d.grade, warning: d.warning }).toEqual(
        gradeValue(d.value, d.direction, parseStandardValues(d.standards, null)),
      )
    }
  })

  it('are found, not derived again, on the next start', async () => {
    const again = await deriveDemoHistory(database)
    expect(again).toEqual({ created: false, campaigns: history.campaigns, values: 0 })
    const watch = await watchDemoHistory(database)
    expect((await watch.done).created).toBe(false)
    await watch.stop()
    const [n] = await database.rows<{ n: number }>(
      sql`select count(*)::int as n from campaigns where region_code = '310100'`,
    )
    expect(n?.n).toBe(3)
  })

  it('give trends and a persistent-weakness list through GraphQL', async () => {
    const config = { ...loadConfig({}), port: 0, host: '127.0.0.1', jwtSecret: TEST_JWT_SECRET }
    const server: RunningServer = await startHttpServer({ config, database, jobs: runner })
    try {
      const token = await tokenFor('city', '310100')
      const ask = async (query: string, variables: Record<string, unknown> = {}) => {
        const response = await fetch(`${server.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ query, variables }),
        })
        // biome-ignore lint/suspicious/noExplicitAny: the test reads untyped JSON field by field
        return (await response.json()) as { data?: any; errors?: unknown[] }
      }
      const weak = await ask(`{ persistentWeaknesses(regionCode: "310100") { year checks
        weaknesses { indicatorCode unitType unitKey consecutiveChecks years latestGrade latestWarning } } }`)
      expect(weak.errors).toBeUndefined()
      const list = weak.data.persistentWeaknesses
      expect(list).toMatchObject({ year: 2025, checks: 3 })
      expect(list.weaknesses.length).toBeGreaterThan(0)
      for (const w of list.weaknesses) expect(w.years).toEqual([2023, 2024, 2025])
      const first = list.weaknesses[0]
      const trend = await ask(
        `query Trend($code: String!, $unitType: IndicatorValueUnitType, $unitKey: String!) {
          indicatorTrend(indicatorCode: $code, unitType: $unitType, unitKey: $unitKey) {
            year source derivation grade warning } }`,
        { code: first.indicatorCode, unitType: first.unitType, unitKey: first.unitKey },
      )
      const points = trend.data.indicatorTrend
      expect(points.map((p: { year: number }) => p.year)).toEqual([2023, 2024, 2025])
      expect(points[0].source).toBe('imported')
      expect(points[0].derivation).toContain('demo: 2023')
      expect(points[2].derivation).toBeNull()
    } finally {
      await server.close()
    }
  })
})
