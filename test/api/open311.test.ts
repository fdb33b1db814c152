/**
 * Open311 GeoReport v2 under `/open311/v2/` (issue 13, item 8), against the demo city: services, a POST in
 * 黄浦区 that opens a request, the same service 20 m away that joins it, the spec's errors in JSON and XML.
 */
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { encodeGlobalId } from '../../schema/support/global-id.ts'
import { type Api, startApi, tokenFor } from './helpers/api.ts'

let api: Api
let streetToken: string
let districtToken: string
let cityToken: string
let publicToken: string

/** Two reportable types of the seeded catalogue (server/seed/problem-types.ts). */
const LITTER = 'rubbish_dumping'
const LAMP = 'street_light'
/** A point inside 黄浦区 (near People's Square) and one 20 m north of it. */
const HUANGPU_POINT = { lat: 31.233, long: 121.484 }
const TWENTY_M_NORTH = { lat: 31.233 + 20 / 111_320, long: 121.484 }

// biome-ignore lint/suspicious/noExplicitAny: the test reads untyped JSON answers field by field
type Json = any

async function get(path: string): Promise<{ status: number; type: string; text: string; json: Json }> {
  const response = await fetch(`${api.url}/open311/v2/${path}`)
  const text = await response.text()
  const type = response.headers.get('content-type') ?? ''
  return { status: response.status, type, text, json: type.includes('json') ? JSON.parse(text) : null }
}

async function post(
  path: string,
  fields: Record<string, string | number>,
  as: 'form' | 'json' = 'form',
): Promise<{ status: number; text: string; json: Json }> {
  const body =
    as === 'json'
      ? JSON.stringify(fields)
      : new URLSearchParams(Object.entries(fields).map(([k, v]) => [k, String(v)])).toString()
  const response = await fetch(`${api.url}/open311/v2/${path}`, {
    method: 'POST',
    headers: {
      'content-type': as === 'json' ? 'application/json' : 'application/x-www-form-urlencoded',
    },
    body,
  })
  const text = await response.text()
  return { status: response.status, text, json: path.endsWith('.json') ? JSON.parse(text) : null }
}

beforeAll(async () => {
  api = await startApi()
  streetToken = await tokenFor('street', '310101002')
  districtToken = await tokenFor('district', '310101')
  cityToken = await tokenFor('city', '310100')
  publicToken = await tokenFor('public')
})

afterAll(async () => {
  await api?.close()
})

describe('Open311 services', () => {
  it('discovery names this endpoint in both formats', async () => {
    const json = await get('discovery.json')
    expect(json.status).toBe(200)
    expect(json.json.endpoints[0]).toMatchObject({
      specification: 'http://wiki.open311.org/GeoReport_v2',
      url: `${api.url}/open311/v2`,
      formats: ['application/json', 'text/xml'],
    })
    const xml = await get('discovery.xml')
    expect(xml.type).toMatch(/^text\/xml/)
    expect(xml.text).toContain('<format>text/xml</format>')
  })

  it('services.json lists the reportable problem types; the XML has a service element each', async () => {
    const { status, json } = await get('services.json')
    expect(status).toBe(200)
    expect(json).toContainEqual({
      service_code: LITTER,
      service_name: '垃圾堆放',
      description: '垃圾、建筑垃圾乱堆乱放 / dumped household or construction waste',
      metadata: true,
      type: 'realtime',
      keywords: '垃圾堆放,Rubbish dumping',
      group: 'resident',
    })
    // Only what residents may report is a service: a diagnosis's type is not.
    expect(json.map((s: Json) => s.service_code)).not.toContain('service_gap')

    const xml = await get('services.xml')
    expect(xml.text).toMatch(/^<\?xml version="1.0" encoding="utf-8"\?>\n<services><service>/)
    expect(xml.text).toContain(`<service_code>${LITTER}</service_code>`)
  })

  it('a service definition carries its attributes; an unknown code is 404 in the error format', async () => {
    const { json } = await get(`services/${LITTER}.json`)
    expect(json).toEqual({
      service_code: LITTER,
      attributes: [
        {
          variable: true,
          code: 'waste',
          datatype: 'singlevaluelist',
          required: false,
          datatype_description: null,
          order: 1,
          description: '垃圾类型 / kind of waste',
          values: [
            { key: 'household', name: '生活垃圾 / household' },
            { key: 'construction', name: '建筑垃圾 / construction' },
            { key: 'bulky', name: '大件垃圾 / bulky items' },
          ],
        },
      ],
    })
    const xml = await get(`services/${LITTER}.xml`)
    expect(xml.text).toContain('<values><value><key>household</key><name>生活垃圾 / household</name></value>')
    const missing = await get('services/no-such-service.json')
    expect(missing.status).toBe(404)
    expect(missing.json).toEqual([{ code: 404, description: expect.stringContaining('no-such-service') }])
  })
})

describe('Open311 requests', () => {
  let requestId: string

  it('a POST in 黄浦区 opens a request that reads back open, with its service and time zone', async () => {
    const filed = await post('requests.json', {
      api_key: districtToken,
      service_code: LITTER,
      ...HUANGPU_POINT,
      address_string: '南京东路 100 号',
      description: '人行道上堆了一袋垃圾',
      'attribute[waste]': 'household',
      media_url: 'https://example.org/photo-1.jpg',
    })
    expect(filed.status).toBe(200)
    expect(filed.json).toEqual([
      {
        service_request_id: expect.stringMatching(/^\d+$/),
        service_notice: expect.any(String),
        account_id: null,
      },
    ])
    requestId = filed.json[0].service_request_id

    const read = await get(`requests/${requestId}.json`)
    expect(read.status).toBe(200)
    expect(read.json).toHaveLength(1)
    const request = read.json[0]
    expect(request).toMatchObject({
      service_request_id: requestId,
      status: 'open',
      service_code: LITTER,
      service_name: '垃圾堆放',
      description: '人行道上堆了一袋垃圾',
      // Routed on filing: the district answers for it, through the seeded department of the type.
      agency_responsible: '黄浦区，绿化市容局',
      address: '南京东路 100 号',
      media_url: 'https://example.org/photo-1.jpg',
    })
    expect(request.lat).toBeCloseTo(HUANGPU_POINT.lat, 6)
    expect(request.long).toBeCloseTo(HUANGPU_POINT.long, 6)
    expect(request.requested_datetime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$/)
    // The deadline in working days ends a Shanghai day: 23:59:59 +08:00, after the request.
    expect(request.expected_datetime).toMatch(/T23:59:59\+08:00$/)
    expect(request.expected_datetime > request.requested_datetime).toBe(true)
    // Public-safe: the submitter is nowhere in the answer.
    expect(read.text).not.toContain('test-street')

    const [problem] = await api.database.rows<{ regionCode: string; source: string; severity: number }>(
      sql`select region_code as "regionCode", source, severity from problems where id = ${Number(requestId)}`,
    )
    expect(problem).toEqual({ regionCode: '310101', source: 'appeal', severity: 1 })
  })

  it('a second POST of the same service 20 m away (here by a street office) answers the same id, joined', async () => {
    const again = await post(
      'requests.json',
      {
        api_key: streetToken,
        service_code: LITTER,
        ...TWENTY_M_NORTH,
        description: '又有人扔了垃圾',
      },
      'json',
    )
    expect(again.status).toBe(200)
    expect(again.json[0].service_request_id).toBe(requestId)
    expect(again.json[0].service_notice).toMatch(/重复.*joined/i)
    const [problem] = await api.database.rows<{ reportCount: number; opinions: number }>(
      sql`select report_count as "reportCount",
        (select count(*)::int from opinions o where o.problem_id = p.id) as opinions
        from problems p where id = ${Number(requestId)}`,
    )
    expect(problem).toEqual({ reportCount: 2, opinions: 2 })
    // Another service at the same spot is a problem of its own.
    const lamp = await post('requests.json', {
      api_key: streetToken,
      service_code: LAMP,
      ...TWENTY_M_NORTH,
      description: '路灯不亮',
    })
    expect(lamp.json[0].service_request_id).not.toBe(requestId)
  })

  it('a POST without a location is 400 and one without api_key 403, in the spec’s error format', async () => {
    const noPlace = await post('requests.json', {
      api_key: streetToken,
      service_code: LITTER,
      address_string: '南京东路',
      description: '没有位置',
    })
    expect(noPlace.status).toBe(400)
    expect(noPlace.json).toEqual([{ code: 400, description: expect.stringContaining('lat and long') }])
    const noKey = await post('requests.json', {
      service_code: LITTER,
      ...HUANGPU_POINT,
      description: '无凭证',
    })
    expect(noKey.status).toBe(403)
    expect(noKey.json).toEqual([{ code: 403, description: expect.stringContaining('api_key') }])
    const xml = await post('requests.xml', { service_code: LITTER, ...HUANGPU_POINT, description: '无凭证' })
    expect(xml.status).toBe(403)
    expect(xml.text).toMatch(
      /<errors><error><code>403<\/code><description>[^<]*api_key[^<]*<\/description><\/error><\/errors>$/,
    )
    // A forged key and a public token (which may not report) are 403 too.
    expect(
      (
        await post('requests.json', {
          api_key: 'not-a-token',
          service_code: LITTER,
          ...HUANGPU_POINT,
          description: 'x',
        })
      ).status,
    ).toBe(403)
    expect(
      (
        await post('requests.json', {
          api_key: publicToken,
          service_code: LITTER,
          ...HUANGPU_POINT,
          description: 'x',
        })
      ).status,
    ).toBe(403)
    const huge = await post('requests.json', {
      api_key: streetToken,
      service_code: LITTER,
      ...HUANGPU_POINT,
      description: 'x'.repeat(70_000),
    })
    expect(huge.status).toBe(400)
    expect(huge.json[0].description).toMatch(/exceeds/)
    // A value outside the attribute's list and an unknown service are the client's to fix.
    const badSize = await post('requests.json', {
      api_key: streetToken,
      service_code: LITTER,
      ...HUANGPU_POINT,
      description: 'x',
      'attribute[waste]': 'toxic',
    })
    expect(badSize.status).toBe(400)
    const unknown = await post('requests.json', {
      api_key: streetToken,
      service_code: 'nope',
      ...HUANGPU_POINT,
      description: 'x',
    })
    expect(unknown.status).toBe(400)
  })

  it('GET requests filters by id list, service, status and pages; unknown ids are 404', async () => {
    const byId = await get(`requests.json?service_request_id=${requestId}`)
    expect(byId.json.map((r: Json) => r.service_request_id)).toEqual([requestId])
    const litter = await get(`requests.json?service_code=${LITTER}&status=open`)
    expect(litter.json.map((r: Json) => r.service_request_id)).toContain(requestId)
    expect(litter.json.every((r: Json) => r.service_code === LITTER && r.status === 'open')).toBe(true)
    expect((await get(`requests.json?service_code=${LITTER}&status=closed`)).json).toEqual([])
    const page1 = await get('requests.json?page_size=1&page=1')
    const page2 = await get('requests.json?page_size=1&page=2')
    expect(page1.json).toHaveLength(1)
    expect(page2.json).toHaveLength(1)
    expect(page1.json[0].service_request_id).not.toBe(page2.json[0].service_request_id)
    const future = await get('requests.json?start_date=2099-01-01T00:00:00%2B08:00')
    expect(future.json).toEqual([])
    expect((await get('requests.json?status=maybe')).status).toBe(400)
    const xml = await get(`requests/${requestId}.xml`)
    expect(xml.text).toContain(
      `<service_requests><request><service_request_id>${requestId}</service_request_id><status>open</status>`,
    )
    const missing = await get('requests/999999999.json')
    expect(missing.status).toBe(404)
    expect(missing.json).toEqual([{ code: 404, description: expect.any(String) }])
  })

  it('a request merged into another reads closed, its notes naming where it went; XML escapes what it carries', async () => {
    const at = { lat: 31.2365, long: 121.4835 }
    const fields = { api_key: districtToken, service_code: LAMP, description: '路灯 <3> & 灯杆 "A"' }
    const kept = (await post('requests.json', { ...fields, ...at })).json[0].service_request_id
    const duplicate = (await post('requests.json', { ...fields, ...at, lat: at.lat + 100 / 111_320 })).json[0]
      .service_request_id
    expect(duplicate).not.toBe(kept)
    const merge = await api.request<Json>(
      `mutation ($input: MergeProblemsInput!) { mergeProblems(input: $input) { databaseId reportCount } }`,
      {
        input: {
          targetId: encodeGlobalId('Problem', kept),
          sourceIds: [encodeGlobalId('Problem', duplicate)],
        },
      },
      { token: districtToken },
    )
    expect(merge.body.errors).toBeUndefined()
    expect(merge.body.data.mergeProblems).toEqual({ databaseId: Number(kept), reportCount: 2 })
    const gone = (await get(`requests/${duplicate}.json`)).json[0]
    expect(gone).toMatchObject({
      status: 'closed',
      status_notes: expect.stringContaining(`merged into problem ${kept}`),
    })
    const target = (await get(`requests/${kept}.json`)).json[0]
    expect(target.service_notice).toMatch(/Reported 2 times/)
    const xml = await get(`requests/${kept}.xml`)
    expect(xml.text).toContain('<description>路灯 &lt;3&gt; &amp; 灯杆 &quot;A&quot;</description>')
  })

  it('the appeal shows in GraphQL problems for a city token', async () => {
    const answer = await api.request<Json>(
      `{ problems(regionCode: "310101", openOnly: true, first: 200) { nodes { databaseId type source } } }`,
      {},
      { token: cityToken },
    )
    expect(answer.body.errors).toBeUndefined()
    expect(answer.body.data.problems.nodes).toContainEqual({
      databaseId: Number(requestId),
      type: LITTER,
      source: 'appeal',
    })
  })
})
