/**
 * 佐证材料 (issue 12, docs/adr/0013): a file attached to a filled value is stored content-addressed under the data
 * directory, typed by its bytes, named safely, audited, and downloaded as an attachment within the read scope.
 */
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { tokenFor } from './helpers/api.ts'
import { bearer, type FillingFixture, HUANGPU, startFillingFixture, XUHUI } from './helpers/filling-forms.ts'

let fixture: FillingFixture
let districtToken: string

/** A 1×1 PNG. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
)

beforeAll(async () => {
  fixture = await startFillingFixture()
  districtToken = await tokenFor('district', HUANGPU)
  // Evidence hangs on a value: H01 and H02 of Huangpu, and H01 of Xuhui, are filled.
  await fixture.database.rows(sql`insert into indicator_values
      (campaign_id, indicator_id, unit_type, unit_key, region_code, value, source, reported_by)
    select t.campaign_id, t.indicator_id, t.unit_type, t.unit_key, t.region_code, 2, 'reported', 'test'
    from filling_tasks t join indicators i on i.id = t.indicator_id
    where t.campaign_id = ${fixture.campaignId} and t.unit_type = 'region'
      and (i.code in ('H01', 'H02') and t.unit_key = ${HUANGPU} or i.code = 'H01' and t.unit_key = ${XUHUI})`)
})

afterAll(async () => {
  await fixture?.close()
})

interface Attached {
  status: number
  body: { id: number; sha256: string; fileName: string; mediaType: string; url: string; message?: string }
}

async function attach(
  bytes: Buffer,
  options: {
    name?: string
    indicator?: string
    region?: string
    token?: string
    headers?: Record<string, string>
  } = {},
): Promise<Attached> {
  const query = new URLSearchParams({
    regionCode: options.region ?? HUANGPU,
    indicator: options.indicator ?? 'H01',
    unitKey: options.region ?? HUANGPU,
    ...(options.name === undefined ? {} : { filename: options.name }),
  })
  const response = await fetch(
    `${fixture.server.url}/api/campaigns/${fixture.campaignId}/evidence?${query}`,
    {
      method: 'POST',
      headers: {
        'content-type': 'application/octet-stream',
        ...bearer(options.token ?? districtToken),
        ...options.headers,
      },
      body: new Uint8Array(bytes),
    },
  )
  return { status: response.status, body: (await response.json()) as Attached['body'] }
}

function evidence(id: number, token: string | null = districtToken): Promise<Response> {
  return fetch(`${fixture.server.url}/api/evidence/${id}`, { headers: token ? bearer(token) : {} })
}

describe('evidence files', () => {
  it('stores a file under its sha256, names it safely and gives it back as an attachment', async () => {
    const name = '../../etc/现场照片\u202Egnp.exe'
    const attached = await attach(PNG, { name })
    expect(attached.status).toBe(201)
    const sha256 = createHash('sha256').update(PNG).digest('hex')
    expect(attached.body).toMatchObject({
      sha256,
      mediaType: 'image/png',
      url: `/api/evidence/${attached.body.id}`,
    })
    // The path is gone, the right-to-left override is gone, Chinese stays, and the bytes' type names the file.
    expect(attached.body.fileName).toBe('现场照片gnp.exe.png')
    const stored = path.join(fixture.dataDir, 'evidence', sha256.slice(0, 2), sha256)
    expect(fs.readFileSync(stored).equals(PNG)).toBe(true)
    expect(fs.readdirSync(path.join(fixture.dataDir, 'evidence', 'tmp'))).toEqual([])

    const response = await evidence(attached.body.id)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('image/png')
    expect(response.headers.get('x-content-type-options')).toBe('nosniff')
    expect(response.headers.get('content-disposition')).toBe(
      `attachment; filename="____gnp.exe.png"; filename*=UTF-8''${encodeURIComponent('现场照片gnp.exe.png')}`,
    )
    expect(Buffer.from(await response.arrayBuffer()).equals(PNG)).toBe(true)

    const [row] = await fixture.database.rows<{ valueId: number | null; uploadedBy: string }>(sql`
      select value_id as "valueId", uploaded_by as "uploadedBy" from evidence_files where id = ${attached.body.id}`)
    expect(row?.valueId).not.toBeNull()
    expect(row?.uploadedBy).toBe('test-district-310101')
    const [audit] = await fixture.database.rows<{ action: string; after: { sha256: string } }>(sql`
      select action, after from audit_events where entity = 'evidence_file' and entity_id = ${String(attached.body.id)}`)
    expect(audit).toMatchObject({ action: 'attach', after: { sha256 } })
  })

  it('stores the same bytes once, and reads the name from Content-Disposition', async () => {
    const pdf = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n')
    const first = await attach(pdf, { name: '报告.pdf' })
    const second = await attach(pdf, {
      indicator: 'H02',
      headers: {
        'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent('整改报告.pdf')}`,
      },
    })
    expect([first.status, second.status]).toEqual([201, 201])
    expect(second.body.sha256).toBe(first.body.sha256)
    expect(second.body.fileName).toBe('整改报告.pdf')
    expect(fs.readdirSync(path.join(fixture.dataDir, 'evidence', first.body.sha256.slice(0, 2)))).toEqual([
      first.body.sha256,
    ])
  })

  it('accepts a CSV and plain text, refuses executables, HTML, SVG and other zips by their bytes', async () => {
    const csv = await attach(Buffer.from('小区,栋数\n外滩,3\n'), { name: '统计.csv' })
    expect(csv.body).toMatchObject({ mediaType: 'text/csv', fileName: '统计.csv' })
    const refused = [
      Buffer.concat([Buffer.from('MZ'), Buffer.alloc(64)]),
      Buffer.from('<!DOCTYPE html><html><script>alert(1)</script></html>'),
      Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
      Buffer.from('#!/bin/sh\nrm -rf /\n'),
      Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(64)]),
    ]
    for (const bytes of refused) {
      const answer = await attach(bytes, { name: 'photo.png' })
      expect(answer.status).toBe(415)
      expect(answer.body.message).toMatch(/JPEG、PNG、PDF/)
    }
  })

  it('refuses a file over 20 MB, an empty one, and a value not filled yet', async () => {
    const huge = Buffer.concat([PNG, Buffer.alloc(20 * 1024 * 1024)])
    expect((await attach(huge, { name: 'big.png' })).status).toBe(413)
    expect((await attach(Buffer.alloc(0), { name: 'empty.txt' })).status).toBe(400)
    const unfilled = await attach(PNG, { indicator: 'H03' })
    expect(unfilled.status).toBe(422)
    expect(unfilled.body.message).toMatch(/先填报/)
    expect((await attach(PNG, { indicator: 'X99' })).status).toBe(404)
  })

  it('keeps to the scope: another district neither attaches nor reads, a locked filling takes no evidence', async () => {
    expect((await attach(PNG, { region: XUHUI })).status).toBe(403)
    const xuhuiToken = await tokenFor('district', XUHUI)
    const ours = await attach(PNG, { name: 'ours.png' })
    expect((await evidence(ours.body.id, xuhuiToken)).status).toBe(404)
    expect((await evidence(ours.body.id, null)).status).toBe(401)
    expect((await evidence(ours.body.id, await tokenFor('city', '310100'))).status).toBe(200)
    expect((await evidence(ours.body.id + 1000)).status).toBe(404)
    await fixture.database.rows(sql`update fillings set locked_at = now(), state = 'approved'
      where campaign_id = ${fixture.campaignId} and region_code = ${HUANGPU}`)
    try {
      expect((await attach(PNG)).status).toBe(409)
    } finally {
      await fixture.database.rows(sql`update fillings set locked_at = null, state = 'draft'
        where campaign_id = ${fixture.campaignId} and region_code = ${HUANGPU}`)
    }
  })
})
