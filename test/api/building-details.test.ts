import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createProcessors } from '../../jobs/processors.ts'
import { InProcessRunner } from '../../jobs/runs/in-process.ts'
import type { Database } from '../../server/db/client.ts'
import { startDemoCheck } from '../../server/seed/demo-check.ts'
import { graphql } from '../generated/index.ts'
import { openTestDatabase } from '../helpers/database.ts'
import { type Api, errorCodes, startApi, tokenFor } from './helpers/api.ts'

// What the viewer's details panel reads about one building: its problems and the indicator values that apply
// to it, each from the most specific unit with a value (building → compound → block → regions).

const BuildingProblems = graphql(`
  query BuildingProblems($id: ID!, $openOnly: Boolean) {
    node(id: $id) {
      ... on Building {
        problems(openOnly: $openOnly) {
          databaseId
          title
          type
          severity
          state
          yearFound
          source
          buildingId
        }
      }
    }
  }
`)

const BuildingValues = graphql(`
  query BuildingValues($id: ID!, $campaignId: Int) {
    node(id: $id) {
      ... on Building {
        indicatorValues(campaignId: $campaignId) {
          campaignId
          value
          grade
          unitType
          unitKey
          regionLevel
          indicator {
            code
            name
            unit
            dimension
            sortOrder
          }
        }
      }
    }
  }
`)

const CompoundDetails = graphql(`
  query CompoundDetails($id: ID!) {
    node(id: $id) {
      ... on Compound {
        buildings {
          id
          problems {
            title
          }
          indicatorValues {
            unitType
            indicator {
              code
            }
          }
        }
      }
    }
  }
`)

const globalId = (type: string, id: number) => Buffer.from(`${type}:${id}`).toString('base64')

interface ValueRow {
  id: number
  indicator_id: number
  code: string
  unit_type: string
  unit_key: string
  value: number | null
}

let database: Database
let api: Api
let city: string
let huangpu: string
let pudong: string
let campaignId = 0
/** A building of a compound with its own value; a neighbour in the same compound; a building only in a block. */
let own = 0
let neighbour = 0
let inBlock = 0
let compoundValue: ValueRow
let blockValue: ValueRow
/** An indicator the check left without values: the test gives the city one. */
let cityOnly = { id: 0, code: '' }
const problemIds = { open: 0, closed: 0, public: 0 }

beforeAll(async () => {
  database = await openTestDatabase()
  // The demo's annual check, as on a first start: a diagnosis and computed values per compound, block and region.
  const runner = new InProcessRunner(database, createProcessors(), { onError: () => {} })
  try {
    const check = await startDemoCheck(database, runner)
    await runner.idle()
    campaignId = check?.campaignId ?? 0
  } finally {
    await runner.close()
  }
  api = await startApi({ database })
  city = await tokenFor('city', '310100')
  huangpu = await tokenFor('district', '310101')
  pudong = await tokenFor('district', '310115')

  // A computed compound value whose compound has two buildings without problems of their own.
  const [c] = await database.rows<ValueRow & { a: number; b: number }>(sql`
    select v.id, v.indicator_id, i.code, v.unit_type, v.unit_key, v.value, m.ids[1] as a, m.ids[2] as b
    from indicator_values v join indicators i on i.id = v.indicator_id
    join lateral (select array_agg(b.id order by b.id) as ids from buildings b
      where b.compound_id::text = v.unit_key and b.is_public and b.region_code like '310101%'
        and not exists (select 1 from problems p where p.building_id = b.id)) m on true
    where v.campaign_id = ${campaignId} and v.unit_type = 'compound' and v.value is not null
      and cardinality(m.ids) >= 2
    order by v.indicator_id, v.id limit 1`)
  if (!c) throw new Error('the demo check computed no compound value for a compound of two buildings')
  compoundValue = c
  own = Number(c.a)
  neighbour = Number(c.b)
  // A computed block value, for a building of that block whose compound has no value of that indicator.
  const [k] = await database.rows<ValueRow & { building: number }>(sql`
    select v.id, v.indicator_id, i.code, v.unit_type, v.unit_key, v.value, b.id as building
    from indicator_values v join indicators i on i.id = v.indicator_id
    join buildings b on b.block_id::text = v.unit_key
    where v.campaign_id = ${campaignId} and v.unit_type = 'block' and v.value is not null
      and b.region_code like '310101%' and b.is_public
      and not exists (select 1 from indicator_values w where w.campaign_id = v.campaign_id
        and w.indicator_id = v.indicator_id and w.unit_type = 'compound' and w.unit_key = b.compound_id::text)
    order by v.indicator_id, b.id limit 1`)
  if (!k) throw new Error('the demo check computed no block value for a Huangpu building')
  blockValue = k
  inBlock = Number(k.building)
  const [z] = await database.rows<{ id: number; code: string }>(sql`
    select i.id, i.code from indicators i join campaigns k on k.system_id = i.system_id and k.id = ${campaignId}
    where not exists (select 1 from indicator_values v where v.campaign_id = k.id and v.indicator_id = i.id)
    order by i.sort_order, i.id limit 1`)
  if (!z) throw new Error('the demo check computed every indicator')
  cityOnly = z

  await database.rows(sql`
    insert into indicator_values (campaign_id, indicator_id, unit_type, unit_key, region_code, value, grade, source)
    select ${campaignId}::int, ${compoundValue.indicator_id}::int, 'building', b.id::text, b.region_code, 42, 'excellent', 'reported'
      from buildings b where b.id = ${own}
    union all select ${campaignId}::int, ${cityOnly.id}::int, 'region', '310100', '310100', 7.5, null, 'reported'`)
  // An older campaign with values everywhere must not be the default.
  await database.rows(sql`
    with k as (insert into campaigns (kind, year, name, region_code, system_id, status)
      select 'annual', 2020, '上海市 2020 年城市体检', '310100', system_id, 'closed' from campaigns where id = ${campaignId}
      returning id)
    insert into indicator_values (campaign_id, indicator_id, unit_type, unit_key, region_code, value, source)
    select k.id, ${compoundValue.indicator_id}::int, 'region', '310100', '310100', 1, 'reported' from k`)

  const problem = async (title: string, state: string, year: number, isPublic: boolean) => {
    const [row] = await database.rows<{ id: number }>(sql`
      insert into problems (region_code, type, title, building_id, severity, source, year_found, state, is_public)
      select region_code, 'safety', ${title}, id, 3, 'inspection', ${year}, ${state}, ${isPublic}
      from buildings where id = ${own} returning id`)
    return Number(row?.id)
  }
  problemIds.public = await problem('外墙空鼓（公开）', 'assigned', 2023, true)
  problemIds.open = await problem('外墙脱落', 'identified', 2025, false)
  problemIds.closed = await problem('屋面渗漏', 'closed', 2024, false)
}, 300_000)

afterAll(async () => {
  await api?.close()
  await database?.close()
})

describe('Building.problems', () => {
  it('lists the open problems newest first, and the closed ones only when asked', async () => {
    const open = await api.query(BuildingProblems, { id: globalId('Building', own) }, { token: city })
    const titles = (data: typeof open) =>
      data.node && 'problems' in data.node ? data.node.problems.map((p) => p.databaseId) : null
    expect(titles(open)).toEqual([problemIds.open, problemIds.public])
    const first = open.node && 'problems' in open.node ? open.node.problems[0] : null
    expect(first).toEqual({
      databaseId: problemIds.open,
      title: '外墙脱落',
      type: 'safety',
      severity: 3,
      state: 'identified',
      yearFound: 2025,
      source: 'inspection',
      buildingId: own,
    })
    const all = await api.query(
      BuildingProblems,
      { id: globalId('Building', own), openOnly: false },
      { token: city },
    )
    expect(titles(all)).toEqual([problemIds.open, problemIds.closed, problemIds.public])
    const neighbours = await api.query(
      BuildingProblems,
      { id: globalId('Building', neighbour) },
      { token: city },
    )
    expect(titles(neighbours)).toEqual([])
  })

  it('is scoped like the problem ledger', async () => {
    // The public sees the public building and its public problem only.
    const anonymous = await api.query(BuildingProblems, { id: globalId('Building', own), openOnly: false })
    expect(anonymous.node && 'problems' in anonymous.node ? anonymous.node.problems : null).toEqual([
      expect.objectContaining({ databaseId: problemIds.public }),
    ])
    const district = await api.query(BuildingProblems, { id: globalId('Building', own) }, { token: huangpu })
    expect(district.node && 'problems' in district.node ? district.node.problems.length : null).toBe(2)
    // Another district's token does not reach the building at all.
    const other = await api.request(
      BuildingProblems.toString(),
      { id: globalId('Building', own) },
      { token: pudong },
    )
    expect(errorCodes(other)).toEqual(['NOT_FOUND'])
  })
})

describe('Building.indicatorValues', () => {
  const valuesOf = async (id: number, token: string | null, campaign?: number) => {
    const data = await api.query(
      BuildingValues,
      { id: globalId('Building', id), campaignId: campaign },
      { token },
    )
    if (!data.node || !('indicatorValues' in data.node)) throw new Error(`building ${id} not readable`)
    return data.node.indicatorValues
  }

  it('takes each indicator from the most specific unit with a value, in the latest campaign', async () => {
    const mine = await valuesOf(own, city)
    expect(mine.length).toBeGreaterThan(0)
    expect(new Set(mine.map((v) => v.campaignId))).toEqual(new Set([campaignId]))
    // One row per indicator, in the edition's order.
    expect(new Set(mine.map((v) => v.indicator.code)).size).toBe(mine.length)
    const orders = mine.map((v) => v.indicator.sortOrder)
    expect(orders).toEqual([...orders].sort((a, b) => a - b))
    const byCode = (values: typeof mine) => new Map(values.map((v) => [v.indicator.code, v]))

    // The building's own value beats its compound's; the neighbour keeps the compound's.
    expect(byCode(mine).get(compoundValue.code)).toMatchObject({
      value: 42,
      grade: 'excellent',
      unitType: 'building',
      unitKey: String(own),
      regionLevel: null,
    })
    const theirs = byCode(await valuesOf(neighbour, city))
    expect(theirs.get(compoundValue.code)).toMatchObject({
      value: compoundValue.value,
      unitType: 'compound',
      unitKey: compoundValue.unit_key,
    })
    // A building whose compound has no value of the block's indicator takes the block's.
    expect(byCode(await valuesOf(inBlock, city)).get(blockValue.code)).toMatchObject({
      value: blockValue.value,
      unitType: 'block',
      unitKey: blockValue.unit_key,
    })
    // The indicator only the city reported: every building takes the city's value.
    for (const id of [own, neighbour, inBlock]) {
      expect(byCode(await valuesOf(id, city)).get(cityOnly.code), `building ${id}`).toMatchObject({
        value: 7.5,
        grade: null,
        unitType: 'region',
        unitKey: '310100',
        regionLevel: 'city',
      })
    }
    // Every row agrees with the values of its units, read from the table.
    const units = await database.rows<ValueRow>(sql`
      select v.id, v.indicator_id, i.code, v.unit_type, v.unit_key, v.value from indicator_values v
      join indicators i on i.id = v.indicator_id where v.campaign_id = ${campaignId}`)
    for (const v of mine) {
      const unit = units.find(
        (u) => u.code === v.indicator.code && u.unit_type === v.unitType && u.unit_key === v.unitKey,
      )
      expect(unit?.value ?? null, v.indicator.code).toBe(v.value)
    }
  })

  it('reads another campaign when asked', async () => {
    const [older] = await database.rows<{ id: number }>(sql`select id from campaigns where year = 2020`)
    const values = await valuesOf(own, city, older?.id)
    expect(values).toEqual([
      expect.objectContaining({ campaignId: older?.id, value: 1, unitType: 'region', regionLevel: 'city' }),
    ])
  })

  it('is never public, and a district reads only the values of its own units', async () => {
    expect(await valuesOf(own, null)).toEqual([])
    const district = await valuesOf(own, huangpu)
    expect(district.length).toBeGreaterThan(0)
    // The city's value is outside a district's scope: its indicator falls away, the building's own stays.
    expect(district.some((v) => v.unitKey === '310100')).toBe(false)
    expect(district.find((v) => v.indicator.code === compoundValue.code)?.unitType).toBe('building')
  })

  it('reads the problems and values of many buildings in one statement each', async () => {
    const [compound] = await database.rows<{ id: number }>(
      sql`select compound_id as id from buildings where id = ${own}`,
    )
    api.resetStatements()
    const data = await api.query(
      CompoundDetails,
      { id: globalId('Compound', Number(compound?.id)) },
      { token: city },
    )
    const buildings = data.node && 'buildings' in data.node ? data.node.buildings : []
    expect(buildings.length).toBeGreaterThanOrEqual(2)
    for (const b of buildings) expect(b.indicatorValues.length).toBeGreaterThan(0)
    expect(buildings.find((b) => b.id === globalId('Building', own))?.problems.map((p) => p.title)).toEqual([
      '外墙脱落',
      '外墙空鼓（公开）',
    ])
    expect(api.statements.filter((s) => /from problems p where p\.building_id/i.test(s))).toHaveLength(1)
    expect(
      api.statements.filter((s) => /from indicator_values v where v\.campaign_id in/i.test(s)),
    ).toHaveLength(1)
  })
})
