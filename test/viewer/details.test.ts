import path from 'node:path'
import { sql } from 'drizzle-orm'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PROJECT_ROOT } from '../../server/config.ts'
import type { Database } from '../../server/db/client.ts'
import type { RunningServer } from '../../server/http.ts'
import { frames, VIEWPORT, waitForTiles } from '../helpers/browser.ts'
import { openViewerHarness, type ViewerHarness } from './harness.ts'
import { BROWSER_TIMEOUT_MS, type KnownBuilding, knownBuilding, lookDownAtBuilding } from './scene.ts'

const SCREENSHOT = path.join(PROJECT_ROOT, 'test-results', 'viewer-city.png')

describe('details of what is clicked in the 3D viewer', () => {
  let harness: ViewerHarness
  let database: Database
  let server: RunningServer
  let page: Page
  let token: string
  let pageErrors: string[]
  let known: KnownBuilding

  beforeAll(async () => {
    harness = await openViewerHarness('details')
    ;({ database, server, page, token, pageErrors } = harness)
    known = await knownBuilding(database)
  })

  afterAll(async () => {
    await harness?.close()
  })

  it(
    'shows the details of a building clicked at the centre of the screen',
    async () => {
      await page.goto(`${server.url}/viewer/?lite`)
      await page.waitForFunction(() => window.__citycheck?.ready, undefined, { timeout: 120_000 })
      await lookDownAtBuilding(page, known)
      await waitForTiles(page)
      const point = await page.evaluate(({ lon, lat, h }) => window.__citycheck.map!.project(lon, lat, h), {
        lon: known.lon,
        lat: known.lat,
        h: known.height_m,
      })
      expect(point).not.toBeNull()
      expect(Math.abs(point!.x - VIEWPORT.width / 2)).toBeLessThan(5)
      expect(Math.abs(point!.y - VIEWPORT.height / 2)).toBeLessThan(5)
      expect(await page.evaluate((p) => window.__citycheck.map!.pick(p)?.id ?? null, point!)).toBe(known.id)
      // Without a token: the public tileset, whose buildings carry no problem attributes.
      expect(await page.evaluate(() => window.__citycheck.tilesetUrl)).toBe('/tiles/city/310100/tileset.json')
      const publicProperties = await page.evaluate(
        (id) => Object.keys(window.__citycheck.map!.building(id)?.properties ?? {}),
        known.id,
      )
      expect(publicProperties).toContain('heightM')
      expect(publicProperties).not.toContain('openProblems')
      expect(publicProperties).not.toContain('worstSeverity')

      await page.mouse.click(point!.x, point!.y)
      await page.waitForFunction((id) => window.__citycheck.detailsFor === id, known.id, { timeout: 30_000 })
      const details = await page.textContent('#details')
      expect(details).toContain(String(known.id))
      expect(details).toContain(known.name)
      expect(details).toContain('来自 GraphQL 接口')
      // A height or floor count the import estimated says so.
      expect(details?.includes('（估算）')).toBe(known.floors_estimated || known.height_estimated)
      // The public reads no private problem and no indicator value.
      expect(details).toContain('无未销号问题')
      expect(details).toContain('指标值登录后可见')

      // As the city government: the building's open problem (not the closed one) and the values that apply,
      // each with the level it came from.
      const [open] = await database.rows<{ id: number }>(sql`
        insert into problems (region_code, type, title, building_id, severity, source, year_found, state)
        select region_code, 'safety', 'e2e: 外墙空鼓', id, 3, 'inspection', 2025, 'identified'
        from buildings where id = ${known.id} returning id`)
      const [closed] = await database.rows<{ id: number }>(sql`
        insert into problems (region_code, type, title, building_id, severity, source, year_found, state)
        select region_code, 'safety', 'e2e: 已销号', id, 1, 'inspection', 2024, 'closed'
        from buildings where id = ${known.id} returning id`)
      const indicators = await database.rows<{ id: number; system_id: number; name: string }>(
        sql`select id, system_id, name from indicators order by sort_order, id limit 2`,
      )
      const [own, cityWide] = indicators
      const [campaign] = await database.rows<{ id: number }>(
        sql`insert into campaigns (kind, year, name, region_code, system_id, status)
            values ('annual', 2025, '上海市 2025 年城市体检', '310100', ${own!.system_id}, 'collecting') returning id`,
      )
      await database.rows(sql`
        insert into indicator_values (campaign_id, indicator_id, unit_type, unit_key, region_code, value, grade, source)
        select ${campaign!.id}::int, ${own!.id}::int, 'building', b.id::text, b.region_code, 0.85, 'good', 'reported'
          from buildings b where b.id = ${known.id}
        union all select ${campaign!.id}::int, ${cityWide!.id}::int, 'region', '310100', '310100', 12.5, 'poor', 'reported'`)
      try {
        await page.goto(`${server.url}/viewer/?lite&poll=600&token=${encodeURIComponent(token)}`)
        await page.waitForFunction(() => window.__citycheck?.ready, undefined, { timeout: 120_000 })
        await lookDownAtBuilding(page, known)
        await waitForTiles(page)
        await page.mouse.click(point!.x, point!.y)
        await page.waitForFunction((id) => window.__citycheck.detailsFor === id, known.id, {
          timeout: 30_000,
        })
        const signedIn = (await page.textContent('#details')) ?? ''
        expect(signedIn).toContain('e2e: 外墙空鼓')
        expect(signedIn).toContain('高 · 已发现 · 发现年份 2025')
        expect(signedIn).not.toContain('e2e: 已销号')
        const rows = await page.$$eval('#details li.indicator', (items) =>
          items.map((li) => ({
            level: li.getAttribute('data-level'),
            text: li.textContent,
          })),
        )
        expect(rows).toEqual([
          { level: 'building', text: expect.stringMatching(/0\.85.* · 较好 · 取自 建筑$/) },
          { level: 'city', text: expect.stringMatching(/^.+12\.5.* · 较差 · 取自 市$/) },
        ])
        expect(rows[0]?.text).toContain(own!.name)
        expect(rows[1]?.text).toContain(cityWide!.name)
        await page.screenshot({ path: SCREENSHOT.replace('.png', '-details.png') })

        await page.click('[data-lang="en"]')
        const english = (await page.textContent('#details')) ?? ''
        expect(english).toContain('From the GraphQL API')
        expect(english).toContain('High · Identified · found 2025')
        expect(english).toContain('Good · from building')
        expect(english).toContain('Poor · from city')
        await page.screenshot({ path: SCREENSHOT.replace('.png', '-details-en.png') })
        await page.click('[data-lang="zh-CN"]')
      } finally {
        // Back to a building without open problems for the test after this one: the next tileset.json request
        // queues a refresh that rewrites its tile.
        await database.rows(
          sql`update problems set state = 'closed', updated_at = now() where id in (${open!.id}, ${closed!.id})`,
        )
      }
      expect(pageErrors).toEqual([])
    },
    BROWSER_TIMEOUT_MS,
  )

  it(
    'shows a block massing as what it stands for, without asking the API for a building',
    async () => {
      // Far above the city the coarse tiles are drawn: boxes with id 0 standing for many buildings each. Look
      // down on the known building from ever farther until a box standing for its neighbourhood is picked there.
      let hit: { x: number; y: number; buildings: number } | null = null
      for (const rangeM of [20_000, 40_000, 80_000]) {
        await page.evaluate(({ lon, lat, rangeM }) => window.__citycheck.map!.lookDownAt(lon, lat, rangeM), {
          lon: known.lon,
          lat: known.lat,
          rangeM,
        })
        await waitForTiles(page)
        hit = await page.evaluate(
          ({ lon, lat }) => {
            const map = window.__citycheck.map!
            const centre = map.project(lon, lat, 0)
            if (!centre) return null
            for (let dy = -8; dy <= 8; dy += 4) {
              for (let dx = -8; dx <= 8; dx += 4) {
                const point = { x: centre.x + dx, y: centre.y + dy }
                const picked = map.pick(point)
                // A box standing for one building is a massing too; look for one that stands for several.
                const buildings = Number(picked?.properties.buildings)
                if (picked?.id === 0 && buildings > 1) return { ...point, buildings }
              }
            }
            return null
          },
          { lon: known.lon, lat: known.lat },
        )
        if (hit) break
      }
      expect(hit, 'a massing on screen').not.toBeNull()
      expect(hit!.buildings).toBeGreaterThan(1)

      const detailsRequests: string[] = []
      const onRequest = (request: { url(): string; postData(): string | null }) => {
        if (request.url().endsWith('/graphql') && request.postData()?.includes('ViewerBuildingDetails'))
          detailsRequests.push(request.postData() ?? '')
      }
      page.on('request', onRequest)
      await page.evaluate(() => {
        window.__citycheck.detailsFor = null
      })
      await page.mouse.click(hit!.x, hit!.y)
      await page.waitForFunction(() => window.__citycheck.detailsFor === 0, undefined, { timeout: 30_000 })
      const text = (await page.textContent('#details')) ?? ''
      expect(text).toContain('街区体块')
      expect(text).toContain(`此体块代表 ${hit!.buildings} 栋建筑`)
      expect(text).toContain('放大后可查看单栋建筑')
      expect(await page.getAttribute('#details', 'data-massing')).toBe(String(hit!.buildings))
      await page.screenshot({ path: SCREENSHOT.replace('.png', '-massing.png') })
      await page.click('[data-lang="en"]')
      expect(await page.textContent('#details')).toContain('Zoom in to see the individual buildings')
      await page.click('[data-lang="zh-CN"]')
      await frames(page, 2)
      page.off('request', onRequest)
      expect(detailsRequests).toEqual([])
      // No building stands for the massing: nothing to find or highlight by id 0.
      expect(await page.evaluate(() => window.__citycheck.map!.building(0))).toBeNull()
      await page.click('#details .close')
      expect(pageErrors).toEqual([])
    },
    BROWSER_TIMEOUT_MS,
  )
})
