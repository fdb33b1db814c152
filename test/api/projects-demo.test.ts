import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { independentNewlyCovered } from '../jobs/projects/fixtures.ts'
import { tokenFor } from './helpers/api.ts'
import { type DemoApi, generateAndWait, readWorkbook, startDemoApi } from './helpers/projects.ts'

// The demo as it stands after the first start's coverage run, with no resource added by the test: the
// OpenStreetMap candidates alone must give a project whose 新增覆盖人口 a plain count confirms.
let api: DemoApi
beforeAll(async () => {
  api = await startDemoApi()
})
afterAll(async () => {
  await api?.close()
})

describe('generateProjects on the demo alone', () => {
  it('proposes on the OpenStreetMap candidates, one with residents newly covered that plain SQL counts again', async () => {
    const province = await tokenFor('province', '310000')
    const { finished } = await generateAndWait(api, '310000', province)
    expect(finished).toMatchObject({ kind: 'projects', state: 'succeeded' })
    const book = await readWorkbook(`${api.server.url}/api/campaigns/${api.campaignId}/lists.xlsx`, province)
    const sheet = book.sheets.get('项目清单') ?? []
    const resources = new Set((book.sheets.get('资源清单') ?? []).map((r) => String(r.编号)))
    const measured = sheet.filter((r) => Number(r.新增覆盖人口) > 0)
    expect(measured.length).toBeGreaterThan(0)
    for (const row of measured) {
      const [link] = await api.database.rows<{ resourceId: number; type: string; source: string }>(sql`
        select r.id as "resourceId", p.facility_type as type, r.source from projects p
        join project_resources pr on pr.project_id = p.id join stock_resources r on r.id = pr.resource_id
        where p.code = ${String(row.编号)}`)
      expect(link?.source).toBe('osm')
      const [resourceCode] = String(row.关联资源).split(',')
      expect(resources.has(resourceCode ?? '')).toBe(true)
      const independent = await independentNewlyCovered(api.database, link!.resourceId, link!.type)
      expect(Number(row.新增覆盖人口)).toBeCloseTo(independent.served, 1)
    }
  })
})
