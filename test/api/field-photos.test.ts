import { sql } from 'drizzle-orm'
import gcoord from 'gcoord'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { encodeGlobalId } from '../../schema/support/global-id.ts'
import { type Api, errorCodes, startApi, tokenFor } from './helpers/api.ts'

// A street-view photo on the Bund, 20 m east of 中山东一路20号 and looking west at it.
let api: Api
let building: { id: number; lon: number; lat: number }
let at: [number, number]
const METRE_X = 1 / (111_320 * Math.cos((31.241 * Math.PI) / 180))

const ADD = `mutation ($input: AddFieldPhotoInput!) {
  addFieldPhoto(input: $input) { id kind location headingDeg regionCode
    buildings { id } problems { id } } }`

beforeAll(async () => {
  api = await startApi()
  const [row] = await api.database.rows<{ id: number; lon: number; lat: number }>(sql`select id,
    ST_X(centroid) as lon, ST_Y(centroid) as lat from buildings where source_id = '-2376366'`)
  if (!row) throw new Error('demo building 中山东一路20号 missing')
  building = row
  at = [row.lon + 20 * METRE_X, row.lat]
  await api.database.rows(sql`insert into problems (region_code, type, title, geom, source, year_found)
    values ('310101', 'facade_safety', '外墙空鼓', ST_SetSRID(ST_MakePoint(${row.lon}, ${row.lat}), 4326),
      'inspection', 2025)`)
})
afterAll(() => api?.close())

const input = (overrides: Record<string, unknown> = {}) => {
  const [lon, lat] = gcoord.transform(at as [number, number], gcoord.WGS84, gcoord.GCJ02)
  return {
    kind: 'street_view',
    lon,
    lat,
    crs: 'GCJ-02',
    headingDeg: 270,
    takenAt: '2025-05-20T09:30:00+08:00',
    url: 'https://streetview.example.cn/pano/123.jpg',
    ...overrides,
  }
}

describe('street-view and field photos', () => {
  it('records a photo taken with AMap coordinates where it was, linked to the building and problem in view', async () => {
    const token = await tokenFor('district', '310101')
    const r = await api.request<{
      addFieldPhoto: {
        location: { coordinates: number[] }
        regionCode: string
        buildings: { id: string }[]
        problems: { id: string }[]
      }
    }>(ADD, { input: input() }, { token })
    expect(r.body.errors).toBeUndefined()
    const photo = r.body.data?.addFieldPhoto
    const [lon = 0, lat = 0] = photo?.location.coordinates ?? []
    expect(Math.hypot((lon - at[0]) / METRE_X, (lat - at[1]) * 110_574)).toBeLessThan(1)
    expect(photo?.regionCode).toBe('310101')
    expect(photo?.buildings[0]?.id).toBe(encodeGlobalId('Building', building.id))
    expect(photo?.problems).toHaveLength(1)
    const [audit] = await api.database.rows<{ action: string }>(
      sql`select action from audit_events where entity = 'field_photo'`,
    )
    expect(audit?.action).toBe('add')
  })

  it('leaves out what lies behind the camera', async () => {
    const token = await tokenFor('district', '310101')
    const r = await api.request<{ addFieldPhoto: { buildings: { id: string }[] } }>(
      ADD,
      { input: input({ headingDeg: 90, kind: 'field' }) },
      { token },
    )
    expect(r.body.errors).toBeUndefined()
    const ids = r.body.data?.addFieldPhoto.buildings.map((b) => b.id)
    expect(ids).not.toContain(encodeGlobalId('Building', building.id))
  })

  it('refuses a street view without heading, a heading past 360, a point outside the caller’s region, no token', async () => {
    const district = await tokenFor('district', '310101')
    const noHeading = await api.request(ADD, { input: input({ headingDeg: null }) }, { token: district })
    expect(errorCodes(noHeading)).toEqual(['BAD_USER_INPUT'])
    const past = await api.request(ADD, { input: input({ headingDeg: 400 }) }, { token: district })
    expect(errorCodes(past)).toEqual(['BAD_USER_INPUT'])
    const pudong = await api.request(ADD, { input: input() }, { token: await tokenFor('district', '310115') })
    expect(errorCodes(pudong)).toEqual(['NOT_FOUND'])
    expect(errorCodes(await api.request(ADD, { input: input() }))).toEqual(['UNAUTHENTICATED'])
  })

  it('lists photos within the caller’s region only', async () => {
    const query = '{ fieldPhotos { kind regionCode } }'
    const own = await api.request<{ fieldPhotos: { regionCode: string }[] }>(
      query,
      {},
      {
        token: await tokenFor('district', '310101'),
      },
    )
    expect(own.body.data?.fieldPhotos.map((p) => p.regionCode)).toEqual(['310101', '310101'])
    const other = await api.request<{ fieldPhotos: unknown[] }>(
      query,
      {},
      {
        token: await tokenFor('district', '310115'),
      },
    )
    expect(other.body.data?.fieldPhotos).toEqual([])
  })
})
