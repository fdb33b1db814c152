import path from 'node:path'
import { sql } from 'drizzle-orm'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { signToken } from '../../server/auth/token.ts'
import { loadConfig, PROJECT_ROOT } from '../../server/config.ts'
import type { Database } from '../../server/db/client.ts'
import type { RunningServer } from '../../server/http.ts'
import { VIEWPORT, waitForTiles } from '../helpers/browser.ts'
import { openViewerHarness, type ViewerHarness } from './harness.ts'
import {
  BROWSER_TIMEOUT_MS,
  type KnownBuilding,
  knownBuilding,
  lookDownAtBuilding,
  meanColour,
} from './scene.ts'

const SCREENSHOT = path.join(PROJECT_ROOT, 'test-results', 'viewer-city.png')

describe('live updates in the 3D viewer', () => {
  let harness: ViewerHarness
  let database: Database
  let server: RunningServer
  let page: Page
  let token: string
  let pageErrors: string[]
  let known: KnownBuilding

  beforeAll(async () => {
    harness = await openViewerHarness('live')
    ;({ database, server, page, token, pageErrors } = harness)
    known = await knownBuilding(database)
  })

  afterAll(async () => {
    await harness?.close()
  })

  it(
    'recolours a building without a reload when one of its problems opens and closes, from live events',
    async () => {
      // The viewer as the city government (the token goes with HTTP queries and the subscription), with the
      // fallback poll slowed to 10 minutes: within this test only the subscription can bring new tiles.
      // The severity theme (a token opens on the grades): the problem recolours the roof.
      await page.goto(`${server.url}/viewer/?lite&poll=600&theme=severity&token=${encodeURIComponent(token)}`)
      await page.waitForFunction(
        () => window.__citycheck?.ready && window.__citycheck.live === 'connected',
        undefined,
        { timeout: 120_000 },
      )
      // With the token: the city's own tileset, whose tiles carry the problems.
      expect(await page.evaluate(() => window.__citycheck.tilesetUrl)).toBe(
        '/tiles/region/310100/tileset.json',
      )
      await lookDownAtBuilding(page, known)
      await waitForTiles(page)
      // A marker that a reload would lose.
      await page.evaluate(() => Object.assign(window, { __sameDocument: true }))
      const sameDocument = () => page.evaluate(() => (window as { __sameDocument?: boolean }).__sameDocument)

      const centre = { x: VIEWPORT.width / 2 - 2, y: VIEWPORT.height / 2 - 2, width: 4, height: 4 }
      const roofColour = async () => meanColour(page, await page.screenshot({ clip: centre }))
      const worstSeverity = () =>
        page.evaluate((id) => window.__citycheck.map!.building(id)?.properties.worstSeverity, known.id)
      const handleState = () =>
        page.evaluate(() => ({
          liveEvents: window.__citycheck.liveEvents,
          tilesetVersion: window.__citycheck.tilesetVersion,
        }))
      // No problems: the roof at the centre shows the severity colour for none, light grey.
      const [r0, g0, b0] = await roofColour()
      expect(Math.abs(r0 - g0), `grey before (${r0}, ${g0}, ${b0})`).toBeLessThan(40)
      expect(await worstSeverity()).toBe(0)

      // Opened in the database (no event), then assigned through the API: the event brings the new tiles.
      const [problem] = await database.rows<{ id: number }>(sql`
        insert into problems (region_code, type, title, building_id, severity, source, year_found, state)
        select region_code, 'safety', 'e2e: facade', id, 3, 'inspection', 2025, 'identified'
        from buildings where id = ${known.id}
        returning id`)
      const problemId = btoa(`Problem:${Number(problem!.id)}`)
      const transition = async (to: string, as = token) => {
        const response = await fetch(`${server.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${as}` },
          body: JSON.stringify({
            query:
              'mutation ($input: TransitionProblemInput!) { transitionProblem(input: $input) { state } }',
            variables: { input: { id: problemId, to } },
          }),
        })
        const body = (await response.json()) as {
          data?: { transitionProblem: { state: string } } | null
          errors?: unknown[]
        }
        expect(body.errors, `transition to ${to}`).toBeUndefined()
        expect(body.data?.transitionProblem.state).toBe(to)
      }

      const before = await handleState()
      await transition('assigned')
      await page.waitForFunction(
        ({ events, version }) =>
          window.__citycheck.liveEvents > events && window.__citycheck.tilesetVersion > version,
        { events: before.liveEvents, version: before.tilesetVersion },
        { timeout: 60_000 },
      )
      await waitForTiles(page)
      expect(await worstSeverity()).toBe(3)
      await page.screenshot({ path: SCREENSHOT.replace('.png', '-recoloured.png') })
      const [r, g, b] = await roofColour()
      expect(r, `red after opening (${r}, ${g}, ${b})`).toBeGreaterThan(g + 60)
      expect(r).toBeGreaterThan(b + 60)

      // Worked through to closed: each step is an event; the closing one brings back the no-problem colour.
      const opened = await handleState()
      // Rectified with its before and after photos by a colleague, so the city's re-inspection is someone else's.
      await database.rows(sql`insert into problem_photos
          (problem_id, kind, sha256, byte_size, media_type, file_name, region_code, uploaded_by)
        select ${problem!.id}, k, repeat('0', 64), 1, 'image/png', k || '.png', region_code, 'e2e'
        from problems, unnest(array['before', 'after']) k where id = ${problem!.id}`)
      const colleague = await signToken(
        { sub: 'live-rectifier', role: 'city', region: '310100' },
        loadConfig().jwtSecret,
        {
          expiresIn: 3600,
        },
      )
      await transition('in_progress')
      await transition('rectified', colleague)
      for (const to of ['re_inspected', 'closed']) await transition(to)
      await page.waitForFunction(
        ({ events, version, id }) => {
          const h = window.__citycheck
          return (
            h.liveEvents >= events + 4 &&
            h.tilesetVersion > version &&
            h.map!.building(id)?.properties.worstSeverity === 0
          )
        },
        { events: opened.liveEvents, version: opened.tilesetVersion, id: known.id },
        { timeout: 60_000 },
      )
      await waitForTiles(page)
      await page.screenshot({ path: SCREENSHOT.replace('.png', '-closed.png') })
      const [r1, g1, b1] = await roofColour()
      expect(Math.abs(r1 - g1), `grey after closing (${r1}, ${g1}, ${b1})`).toBeLessThan(40)
      expect(Math.abs(r1 - r0) + Math.abs(g1 - g0) + Math.abs(b1 - b0), 'the colour before').toBeLessThan(30)

      const after = await handleState()
      console.log(
        `viewer: ${after.liveEvents} live events, tileset reloaded ${after.tilesetVersion - before.tilesetVersion} times`,
      )
      expect(after.liveEvents - before.liveEvents).toBe(5)
      expect(await sameDocument()).toBe(true)
      expect(await page.evaluate(() => location.href)).toContain('/viewer/')
      expect(pageErrors).toEqual([])
    },
    BROWSER_TIMEOUT_MS,
  )
})
