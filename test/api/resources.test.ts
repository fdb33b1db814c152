/**
 * The stock-resource one-map from the field: a street reports a resource with a photo, someone else verifies or
 * rejects it (never the reporter), and the one-map lists it by layer, kind, state and place, inside the scope.
 */
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { globalId, type LoopFixture, PNG, personToken, startLoopFixture } from './helpers/problem-loop.ts'

let fixture: LoopFixture
const tokens: Record<string, string> = {}
/** Inside 黄浦区 (南京东路街道) and inside 浦东新区 in the demo's boundaries. */
const HUANGPU = [121.48494655, 31.23700145]
const PUDONG = [121.50482885, 31.23901505]

beforeAll(async () => {
  fixture = await startLoopFixture()
  tokens.street = await personToken('street-li', 'street', '310101002')
  tokens.district = await personToken('huangpu-wang', 'district', '310101')
  tokens.districtToo = await personToken('huangpu-zhao', 'district', '310101')
  tokens.pudong = await personToken('pudong-chen', 'district', '310115')
  tokens.expert = await personToken('expert-sun', 'expert', '310101')
})
afterAll(async () => {
  await fixture?.close()
})

const REPORT = `mutation ($input: ReportResourceInput!) {
  reportResource(input: $input) {
    id databaseId code regionCode kind name areaM2 layer source verificationState reportedBy attributes
  }
}`
const VERIFY = `mutation ($id: ID!, $note: String) {
  verifyResource(id: $id, note: $note) { verificationState verifiedBy verifiedAt verificationNote }
}`
const REJECT = `mutation ($id: ID!, $note: String!) {
  rejectResource(id: $id, note: $note) { verificationState verifiedBy verificationNote }
}`

const report = (token: string, input: Record<string, unknown>) =>
  fixture.gql(REPORT, { input: { kind: 'corner_space', ...input } }, token)

const codeOf = (r: { errors?: { extensions?: { code?: string } }[] }) => r.errors?.[0]?.extensions?.code

async function uploadPhoto(id: number, token: string | null, bytes: Buffer = PNG) {
  const response = await fetch(`${fixture.url}/api/resources/${id}/photos?filename=现场.png`, {
    method: 'POST',
    headers: {
      'content-type': 'application/octet-stream',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: new Uint8Array(bytes),
  })
  return { status: response.status, body: await response.json() }
}

describe('a resource reported by a street and verified by a district', () => {
  let resource: { id: string; databaseId: number; code: string }

  it('is reported from the field into the street’s region with a 编号, waiting for verification', async () => {
    const r = await report(tokens.street!, {
      geom: { type: 'Point', coordinates: HUANGPU },
      name: '河南中路口边角地',
      areaM2: 180,
      note: '围挡内空置，约 180 平方米',
    })
    expect(r.errors).toBeUndefined()
    resource = r.data.reportResource
    expect(r.data.reportResource).toMatchObject({
      regionCode: '310101002',
      kind: 'corner_space',
      areaM2: 180,
      layer: '街道上报',
      source: 'field',
      verificationState: 'reported',
      reportedBy: 'street-li',
      attributes: { note: '围挡内空置，约 180 平方米' },
    })
    expect(resource.code).toMatch(/^ZY-310101-\d{4}$/)
  })

  it('takes a photo from the street and lists it with the resource', async () => {
    const up = await uploadPhoto(resource.databaseId, tokens.street!)
    expect(up.status).toBe(201)
    expect(up.body).toMatchObject({
      resourceId: resource.databaseId,
      mediaType: 'image/png',
      fileName: '现场.png',
    })
    expect((await uploadPhoto(resource.databaseId, tokens.pudong!)).status).toBe(404)
    expect((await uploadPhoto(resource.databaseId, tokens.expert!)).status).toBe(403)
    expect((await uploadPhoto(resource.databaseId, tokens.street!, Buffer.from('%PDF-1.4\n'))).status).toBe(
      415,
    )
    const download = await fetch(`${fixture.url}${up.body.url}`, {
      headers: { authorization: `Bearer ${tokens.district}` },
    })
    expect(download.status).toBe(200)
    expect(Buffer.from(await download.arrayBuffer()).equals(PNG)).toBe(true)
    const listed = await fixture.gql(
      `query ($id: ID!) { node(id: $id) { ... on StockResource { code photos { fileName uploadedBy url } } } }`,
      { id: resource.id },
      tokens.district,
    )
    expect(listed.data.node).toEqual({
      code: resource.code,
      photos: [{ fileName: '现场.png', uploadedBy: 'street-li', url: up.body.url }],
    })
  })

  it('cannot be verified by a street, nor seen from another district', async () => {
    const byStreet = await fixture.gql(VERIFY, { id: resource.id }, tokens.street)
    expect(codeOf(byStreet)).toBe('FORBIDDEN')
    const byPudong = await fixture.gql(VERIFY, { id: resource.id }, tokens.pudong)
    expect(codeOf(byPudong)).toBe('NOT_FOUND')
  })

  it('is verified by the district, once', async () => {
    const r = await fixture.gql(VERIFY, { id: resource.id, note: '现场核实无误' }, tokens.district)
    expect(r.errors).toBeUndefined()
    expect(r.data.verifyResource).toMatchObject({
      verificationState: 'verified',
      verifiedBy: 'huangpu-wang',
      verificationNote: '现场核实无误',
    })
    expect(r.data.verifyResource.verifiedAt).toBeTruthy()
    const again = await fixture.gql(REJECT, { id: resource.id, note: '重复' }, tokens.districtToo)
    expect(codeOf(again)).toBe('CONFLICT')
    expect(again.errors?.[0].extensions.localized).toMatchObject({
      'zh-CN': expect.stringContaining('已核实'),
    })
    const audit = await fixture.database.rows<{ action: string; actor: string }>(
      sql`select action, actor from audit_events where entity = 'stock_resource'
        and entity_id = ${String(resource.databaseId)} order by id`,
    )
    expect(audit).toEqual([
      { action: 'report', actor: 'street-li' },
      { action: 'photo', actor: 'street-li' },
      { action: 'verify', actor: 'huangpu-wang' },
    ])
  })
})

describe('the reporter never verifies his own resource', () => {
  it('refuses the reporter, in both languages, and lets a colleague reject it with a reason', async () => {
    const r = await report(tokens.district!, {
      kind: 'idle_land',
      geom: {
        type: 'Polygon',
        coordinates: [
          [
            [121.4845, 31.2366],
            [121.4853, 31.2366],
            [121.4853, 31.2373],
            [121.4845, 31.2373],
            [121.4845, 31.2366],
          ],
        ],
      },
    })
    expect(r.errors).toBeUndefined()
    const own = r.data.reportResource
    expect(own.regionCode).toBe('310101')
    expect(own.areaM2).toBeGreaterThan(5000)
    const self = await fixture.gql(VERIFY, { id: own.id }, tokens.district)
    expect(codeOf(self)).toBe('FORBIDDEN')
    expect(self.errors?.[0].extensions.localized).toEqual({
      'zh-CN': expect.stringContaining('本人上报'),
      en: expect.stringContaining('someone else'),
    })
    const noReason = await fixture.gql(REJECT, { id: own.id, note: ' ' }, tokens.districtToo)
    expect(codeOf(noReason)).toBe('BAD_USER_INPUT')
    const rejected = await fixture.gql(REJECT, { id: own.id, note: '已有建设计划' }, tokens.districtToo)
    expect(rejected.data.rejectResource).toEqual({
      verificationState: 'rejected',
      verifiedBy: 'huangpu-zhao',
      verificationNote: '已有建设计划',
    })
    expect((await uploadPhoto(own.databaseId, tokens.district!)).status).toBe(409)
  })

  it('refuses a report outside the scope, or of a line', async () => {
    const outside = await report(tokens.street!, { geom: { type: 'Point', coordinates: PUDONG } })
    expect(codeOf(outside)).toBe('BAD_USER_INPUT')
    const misplaced = await report(tokens.street!, {
      geom: { type: 'Point', coordinates: PUDONG },
      regionCode: '310101002',
    })
    expect(codeOf(misplaced)).toBe('BAD_USER_INPUT')
    expect(misplaced.errors?.[0].extensions.localized.en).toContain('outside region 310101002')
    const elsewhere = await report(tokens.district!, {
      geom: { type: 'Point', coordinates: PUDONG },
      regionCode: '310115',
    })
    expect(codeOf(elsewhere)).toBe('NOT_FOUND')
    const line = await report(tokens.district!, {
      geom: { type: 'LineString', coordinates: [HUANGPU, [121.486, 31.238]] },
    })
    expect(codeOf(line)).toBe('BAD_USER_INPUT')
  })
})

describe('the one-map', () => {
  const LIST = `query ($states: [ResourceVerificationState!], $layers: [String!], $kinds: [ResourceKind!],
    $sources: [ResourceSource!], $filter: SpatialFilter) {
    stockResources(states: $states, layers: $layers, kinds: $kinds, sources: $sources, filter: $filter, first: 100) {
      totalCount nodes { code kind regionCode verificationState source layer distanceM }
    }
  }`

  it('filters by state, layer, kind, source and distance inside the caller’s region', async () => {
    const verified = await fixture.gql(LIST, { states: ['verified'], layers: ['街道上报'] }, tokens.district)
    expect(verified.errors).toBeUndefined()
    expect(verified.data.stockResources.nodes).toEqual([
      expect.objectContaining({ kind: 'corner_space', verificationState: 'verified', source: 'field' }),
    ])
    const near = await fixture.gql(
      LIST,
      { filter: { near: { point: HUANGPU, radiusM: 50 } }, sources: ['field'] },
      tokens.district,
    )
    const nodes = near.data.stockResources.nodes as { distanceM: number }[]
    expect(nodes.length).toBe(2)
    for (const n of nodes) expect(n.distanceM).toBeLessThan(50)
    const fromPudong = await fixture.gql(LIST, { sources: ['field'] }, tokens.pudong)
    expect(fromPudong.data.stockResources.totalCount).toBe(0)
    const anonymous = await fixture.gql(LIST, {}, null)
    expect(codeOf(anonymous)).toBe('UNAUTHENTICATED')
  })

  it('holds the demo’s candidates derived from OpenStreetMap, reported and saying so', async () => {
    const r = await fixture.gql(LIST, { sources: ['osm'] }, tokens.district)
    const nodes = r.data.stockResources.nodes as { kind: string; verificationState: string; layer: string }[]
    expect(nodes.length).toBeGreaterThan(0)
    expect(new Set(nodes.map((n) => n.kind))).toContain('parking')
    for (const n of nodes) expect(n).toMatchObject({ verificationState: 'reported', layer: 'OSM候选' })
    const [row] = await fixture.database.rows<{ attributes: { derived: boolean; note: { zh: string } } }>(
      sql`select attributes from stock_resources where source = 'osm' limit 1`,
    )
    expect(row?.attributes.derived).toBe(true)
    expect(row?.attributes.note.zh).toContain('候选')
  })

  it('reads a resource by its global ID only inside the scope', async () => {
    const [row] = await fixture.database.rows<{ id: number }>(
      sql`select id from stock_resources where region_code like '310115%' limit 1`,
    )
    const q = `query ($id: ID!) { node(id: $id) { ... on StockResource { code } } }`
    const mine = await fixture.gql(q, { id: globalId('StockResource', row!.id) }, tokens.pudong)
    expect(mine.data.node.code).toMatch(/^ZY-310115-/)
    const theirs = await fixture.gql(q, { id: globalId('StockResource', row!.id) }, tokens.district)
    expect(theirs.data?.node ?? null).toBeNull()
  })
})
