import { sql } from 'drizzle-orm'
import { RUN_EVENTS_CHANNEL } from '../../jobs/api.ts'
import type { Database } from '../db/client.ts'
import { cityClassOf, type Direction, gradeValue, parseStandardValues } from '../domain/grading.ts'
import { DEMO_CAMPAIGN_NAME, DEMO_REGION } from './demo-check.ts'

/**
 * 往年体检 of the demo: the 2023 and 2024 annual checks, so that trends and persistent weaknesses have something to
 * show. They are not data anyone collected: every value is derived from the 2025 check's by one documented rule
 * and says so in `derivation`, with source `imported` (neither reported by anyone nor computed by a run).
 *
 * The rule: the city improved a little every year, so the past was a little worse. A 2025 value v of an indicator
 * where higher is better was v × 0.94 in 2023 and v × 0.97 in 2024; where lower is better, v ÷ 0.94 and v ÷ 0.97;
 * without a direction it is kept. Each is rounded to the 2025 value's decimals (at most 2) and graded against the
 * year's edition for the city's class. A unit poor or warned in 2025 was then at least as bad in both earlier
 * years, so it is a persistent weakness over three checks, and the demo's weakness list is not empty.
 *
 * Editions: each year gets its own national edition, a copy of the 2025 one (same codes, standards and settings),
 * locked, so that indicators match across years by code as they do between real editions; the campaigns are
 * closed and their values approved.
 */
export const HISTORY_FACTORS: Readonly<Record<number, number>> = { 2023: 0.94, 2024: 0.97 }
const BASE_YEAR = 2025

export interface DemoHistoryResult {
  created: boolean
  /** Campaign ids by year. */
  campaigns: Record<number, number>
  values: number
}

/** The derived figure of one 2025 value for one earlier year, with the text that documents it. */
export function deriveValue(
  value: number,
  direction: Direction,
  year: number,
): { value: number; derivation: string } {
  const factor = HISTORY_FACTORS[year]
  if (factor === undefined) throw new Error(`no demo history factor for ${year}`)
  const digits = Math.min(2, decimalsOf(value))
  const round = (x: number) => Number(x.toFixed(digits))
  if (direction === 'higher') {
    const derived = round(value * factor)
    return {
      value: derived,
      derivation: ruleText(year, `${value} × ${factor} = ${derived}`, 'higher is better'),
    }
  }
  if (direction === 'lower') {
    const derived = round(value / factor)
    return {
      value: derived,
      derivation: ruleText(year, `${value} ÷ ${factor} = ${derived}`, 'lower is better'),
    }
  }
  return { value, derivation: ruleText(year, `${value} kept`, 'no direction') }
}

function ruleText(year: number, arithmetic: string, direction: string): string {
  return `demo: ${year} derived from the ${BASE_YEAR} value: ${arithmetic} (${direction}; rounded like the ${BASE_YEAR} value) / 示范数据：由 ${BASE_YEAR} 年值推算`
}

function decimalsOf(value: number): number {
  const text = String(value)
  if (text.includes('e')) return 2
  const point = text.indexOf('.')
  return point < 0 ? 0 : text.length - point - 1
}

type Tx = Parameters<Parameters<Database['db']['transaction']>[0]>[0]

async function rowsOf<T>(tx: Tx, query: ReturnType<typeof sql>): Promise<T[]> {
  return ((await tx.execute(query)) as unknown as { rows: T[] }).rows
}

interface DemoCampaign {
  id: number
  system_id: number
  city_class: string | null
}

/**
 * Derives the demo's 2023 and 2024 checks once the 2025 check's indicator run has succeeded; null while it has
 * not (nothing to derive from yet). Idempotent and safe beside another server doing the same: the 2025 campaign's
 * row is locked while the history is looked for and written, in one transaction.
 */
export async function deriveDemoHistory(database: Database): Promise<DemoHistoryResult | null> {
  return database.db.transaction(async (tx) => {
    const [demo] = await rowsOf<DemoCampaign>(
      tx,
      sql`select c.id, c.system_id, ${cityClassOf(sql`c.region_code`)} as city_class
      from campaigns c
      where c.region_code = ${DEMO_REGION} and c.name = ${DEMO_CAMPAIGN_NAME} and c.year = ${BASE_YEAR}
        and exists (select 1 from diagnostic_runs r where r.campaign_id = c.id and r.kind = 'indicators'
          and r.state = 'succeeded')
      for update of c`,
    )
    if (!demo) return null
    const campaigns: Record<number, number> = {}
    let values = 0
    let created = false
    for (const year of Object.keys(HISTORY_FACTORS).map(Number)) {
      const found = await rowsOf<{ id: number }>(
        tx,
        sql`select id from campaigns where region_code = ${DEMO_REGION} and name = ${historyName(year)}`,
      )
      if (found[0]) {
        campaigns[year] = found[0].id
        continue
      }
      const systemId = await copyEdition(tx, demo.system_id, year)
      const [campaign] = await rowsOf<{ id: number }>(
        tx,
        sql`insert into campaigns (kind, year, name, region_code, system_id, status, created_by)
          values ('annual', ${year}, ${historyName(year)}, ${DEMO_REGION}, ${systemId}, 'closed', 'demo')
          returning id`,
      )
      campaigns[year] = campaign!.id
      values += await deriveValues(tx, demo, campaign!.id, systemId, year)
      created = true
    }
    return { created, campaigns, values }
  })
}

export function historyName(year: number): string {
  return `上海市 ${year} 年城市体检（外滩示范，由 ${BASE_YEAR} 年推算）`
}

/**
 * The national edition of `year`: the one that exists, or a locked copy of the 2025 edition with every indicator
 * (same codes, standards and settings), so that the year's values have indicators of their own year.
 */
async function copyEdition(tx: Tx, baseSystemId: number, year: number): Promise<number> {
  await tx.execute(sql`
    insert into indicator_systems (code, name, year, level, owner_region_code, status, settings, check_kind,
      object_types, review_rounds, weakness_checks, published_at, locked_at, note)
    select s.code, ${`城市体检基础指标体系（国家）${year} 年（示范：${BASE_YEAR} 年版本的副本）`}, ${year}, s.level,
      s.owner_region_code, 'locked', s.settings, s.check_kind, s.object_types, s.review_rounds, s.weakness_checks,
      now(), now(), ${`demo: a copy of the ${BASE_YEAR} edition for the derived ${year} check`}
    from indicator_systems s where s.id = ${baseSystemId}
    on conflict (code, year) do nothing`)
  const [edition] = await rowsOf<{ id: number; indicators: number }>(
    tx,
    sql`select y.id, (select count(*) from indicators i where i.system_id = y.id)::int as indicators
      from indicator_systems b join indicator_systems y on y.code = b.code and y.year = ${year}
      where b.id = ${baseSystemId}`,
  )
  if (!edition) throw new Error(`no ${year} edition after copying edition ${baseSystemId}`)
  // An edition that existed with indicators is left as it is; the values follow its indicators by code.
  if (edition.indicators === 0) {
    await tx.execute(sql`
      insert into indicators (system_id, code, name, name_en, dimension, group_name, unit, direction, level,
        method_kind, method, calculator, parameters, standard_values, renewal_theme, department,
        required_evidence, evidence, sort_order, base_indicator_id, enabled, weight, unit_type, reporting_level)
      select ${edition.id}, code, name, name_en, dimension, group_name, unit, direction, level, method_kind,
        method, calculator, parameters, standard_values, renewal_theme, department, required_evidence, evidence,
        sort_order, base_indicator_id, enabled, weight, unit_type, reporting_level
      from indicators where system_id = ${baseSystemId}`)
  }
  return edition.id
}

interface BaseValue {
  id: number
  indicator_id: number
  unit_type: string
  unit_key: string
  region_code: string
  value: number
  direction: Direction
  standard_values: unknown
}

/** Writes the year's values from the 2025 values, graded against the year's edition; returns how many. */
async function deriveValues(
  tx: Tx,
  demo: DemoCampaign,
  campaignId: number,
  systemId: number,
  year: number,
): Promise<number> {
  // Each 2025 value with the same-coded indicator of the year's edition, whose standards grade it.
  const base = await rowsOf<BaseValue>(
    tx,
    sql`select v.id, y.id as indicator_id, v.unit_type, v.unit_key, v.region_code, v.value, y.direction,
        y.standard_values
      from indicator_values v
      join indicators i on i.id = v.indicator_id
      join indicators y on y.system_id = ${systemId} and y.code = i.code
      where v.campaign_id = ${demo.id} and v.value is not null
      order by v.id`,
  )
  const rows = base.map((v) => {
    const derived = deriveValue(v.value, v.direction, year)
    const graded = gradeValue(
      derived.value,
      v.direction,
      parseStandardValues(v.standard_values, demo.city_class),
    )
    return { ...v, ...derived, ...graded, details: { derivedFrom: { campaignId: demo.id, valueId: v.id } } }
  })
  if (rows.length === 0) return 0
  await tx.execute(sql`
    insert into indicator_values (campaign_id, indicator_id, unit_type, unit_key, region_code, value, grade,
      warning, source, details, derivation, review_state)
    select ${campaignId}, r.indicator_id, r.unit_type, r.unit_key, r.region_code, r.value, r.grade, r.warning,
      'imported', r.details, r.derivation, 'approved'
    from json_to_recordset(${JSON.stringify(rows)}::json) as r(indicator_id int, unit_type text, unit_key text,
      region_code text, value float8, grade text, warning text, details jsonb, derivation text)`)
  return rows.length
}

export interface DemoHistoryWatch {
  /** Settles once the history exists (derived now or found). */
  done: Promise<DemoHistoryResult>
  stop(): Promise<void>
}

/**
 * Derives the demo's history as soon as it can: now, if the 2025 indicator run has succeeded already (a restart,
 * or a worker that finished while the server was down), else when a run announces its success on the run
 * channel — which every runner does, the in-process one and BullMQ workers in other processes alike. Attempts run
 * one after another; a failed attempt is reported and the next success announcement tries again.
 */
export async function watchDemoHistory(
  database: Database,
  onError: (error: unknown) => void = () => {},
): Promise<DemoHistoryWatch> {
  let resolveDone: (result: DemoHistoryResult) => void = () => {}
  const done = new Promise<DemoHistoryResult>((resolve) => {
    resolveDone = resolve
  })
  let finished = false
  let unlisten: (() => Promise<void>) | null = null
  let chain: Promise<void> = Promise.resolve()
  const attempt = async (): Promise<void> => {
    if (finished) return
    const result = await deriveDemoHistory(database)
    if (!result || finished) return
    finished = true
    resolveDone(result)
    await stopListening()
  }
  const stopListening = async (): Promise<void> => {
    const stopping = unlisten
    unlisten = null
    await stopping?.()
  }
  const tryNow = () => {
    chain = chain.then(attempt).catch(onError)
  }
  unlisten = await database.listen(
    RUN_EVENTS_CHANNEL,
    (payload) => {
      if ((JSON.parse(payload) as { state?: string }).state === 'succeeded') tryNow()
    },
    { onReconnect: tryNow },
  )
  tryNow()
  return {
    done,
    stop: async () => {
      finished = true
      await stopListening()
      await chain
    },
  }
}
