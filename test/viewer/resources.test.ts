/**
 * The renewal overlays of the 3D viewer: the demo's stock resources by state with their legend and switches,
 * then zoning areas and generated projects once their runs have finished; none of it without a token.
 */
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PROJECT_ROOT } from '../../server/config.ts'
import { startDemoCheck } from '../../server/seed/demo-check.ts'
import { CITY_CODE } from '../../viewer/core/presets.ts'
import { type PlanData, planOverlay, shapeOf } from '../../viewer/core/resources.ts'
import { openViewerHarness, type ViewerHarness } from './harness.ts'

const SCREENSHOT = path.join(PROJECT_ROOT, 'test-results', 'viewer-resources.png')
const BROWSER_TIMEOUT_MS = 600_000

describe('renewal overlay data (core)', () => {
  const square = (x: number) => ({
    type: 'Polygon' as const,
    coordinates: [
      [
        [x, 0],
        [x + 1, 0],
        [x + 1, 1],
        [x, 0],
      ],
    ],
  })
  const data: PlanData = {
    resources: [
      { kind: 'idle_land', layer: '规划资源', verificationState: 'verified', geom: square(0) },
      { kind: 'parking', layer: 'OSM候选', verificationState: 'reported', geom: square(2) },
      {
        kind: 'corner',
        layer: null,
        verificationState: 'rejected',
        geom: { type: 'Point', coordinates: [5, 5] },
      },
    ],
    zoning: [{ areaClass: 'protection', className: '保护区', reasons: [], geom: square(9) }],
    projects: [
      {
        name: '幼儿园',
        state: 'proposed',
        newlyCovered: 123.4,
        geom: { type: 'Point', coordinates: [1, 1] },
      },
      { name: '无址', state: 'proposed', newlyCovered: null, geom: null },
    ],
  }
  const all = {
    hiddenLayers: new Set<string>(),
    hiddenStates: new Set<never>(),
    zoning: true,
    projects: true,
  }

  it('filters resources by layer and state, and labels projects with the residents they newly cover', () => {
    const overlay = planOverlay(data, all, 'zh-CN')
    expect(overlay.resources.map((s) => [s.polygons.length, s.points.length])).toEqual([
      [1, 0],
      [1, 0],
      [0, 1],
    ])
    expect(overlay.zoning).toHaveLength(1)
    expect(overlay.projects).toEqual([
      expect.objectContaining({ lonDeg: 1, latDeg: 1, label: '幼儿园\n新增覆盖人口 123' }),
    ])
    const some = planOverlay(
      data,
      {
        ...all,
        hiddenLayers: new Set(['OSM候选']),
        hiddenStates: new Set(['rejected'] as const),
        zoning: false,
      },
      'en',
    )
    expect(some.resources).toHaveLength(1)
    expect(some.zoning).toEqual([])
    expect(
      shapeOf(
        {
          type: 'LineString',
          coordinates: [
            [0, 0],
            [2, 2],
          ],
        },
        '#fff',
      ).points,
    ).toEqual([[1, 1]])
  })
})

describe('renewal overlays in the 3D viewer', () => {
  let harness: ViewerHarness

  beforeAll(async () => {
    harness = await openViewerHarness('resources')
  }, BROWSER_TIMEOUT_MS)

  afterAll(async () => {
    await harness?.close()
  })

  const waitPlan = (predicate: string) =>
    harness.page.waitForFunction(predicate, undefined, { timeout: 60_000, polling: 200 })

  it(
    'draws the resources by state, hides a state when switched off, and draws zoning areas and projects',
    async () => {
      const { page, server, token, gql, pageErrors } = harness
      // Without a token: no renewal section at all, and no error.
      await page.goto(`${server.url}/viewer/?lite&poll=600`)
      await page.waitForFunction(() => window.__citycheck?.ready, undefined, { timeout: 120_000 })
      expect(await page.$('#layer-plan-resources')).toBeNull()

      const api = await gql(`{ stockResources(first: 500) { nodes { layer verificationState geom } } }`)
      expect(api.errors).toBeUndefined()
      const resources: { layer: string; verificationState: string }[] = api.data.stockResources.nodes
      expect(resources.length).toBeGreaterThan(0)
      expect(new Set(resources.map((r) => r.verificationState))).toEqual(new Set(['reported']))

      await page.goto(`${server.url}/viewer/?lite&poll=600&token=${encodeURIComponent(token)}`)
      await page.waitForFunction(() => window.__citycheck?.ready, undefined, { timeout: 120_000 })
      await page.click('#layer-plan-resources')
      await waitPlan('window.__citycheck.plan !== null')
      const shown = await page.evaluate(() => window.__citycheck.plan!)
      expect(shown.loaded.resources).toBe(resources.length)
      expect(shown.resourcePolygons + shown.resourcePoints).toBeGreaterThanOrEqual(resources.length)
      const legend = await page.textContent('#resource-states')
      expect(legend).toContain(`已上报 (${resources.length})`)
      expect(legend).toContain('已核实 (0)')
      expect(await page.textContent('#resource-layers')).toContain('OSM候选')

      // Switching the reported state off hides every demo resource; on again, they are back.
      await page.click('#resource-states input[data-state="reported"]')
      await waitPlan(
        'window.__citycheck.plan.resourcePolygons + window.__citycheck.plan.resourcePoints === 0',
      )
      await page.click('#resource-states input[data-state="reported"]')
      await waitPlan('window.__citycheck.plan.resourcePolygons + window.__citycheck.plan.resourcePoints > 0')

      // Zoning areas and projects, after their runs.
      const check = await startDemoCheck(harness.database, harness.runner)
      expect(check).not.toBeNull()
      await harness.runner.idle()
      const zoning = await gql(
        `mutation ($input: StartZoningInput!) { startZoning(input: $input) { run { databaseId } } }`,
        { input: { regionCode: CITY_CODE } },
      )
      expect(zoning.errors).toBeUndefined()
      expect(await harness.finalState(zoning.data.startZoning.run.databaseId)).toBe('succeeded')
      const generated = await gql(
        `mutation ($input: GenerateProjectsInput!) { generateProjects(input: $input) { databaseId } }`,
        { input: { campaignId: check!.campaignId, regionCode: CITY_CODE } },
      )
      expect(generated.errors).toBeUndefined()
      expect(await harness.finalState(generated.data.generateProjects.databaseId)).toBe('succeeded')
      const lists = await gql(
        `query ($r: String!) { zoningAreas(regionCode: $r) { areaClass }
        projects(first: 500) { nodes { name geom newlyCovered } } }`,
        { r: CITY_CODE },
      )
      expect(lists.errors).toBeUndefined()
      const areas = lists.data.zoningAreas.length as number
      const projects = (lists.data.projects.nodes as { geom: unknown }[]).filter(
        (p) => p.geom !== null,
      ).length
      expect(areas).toBeGreaterThan(0)
      expect(projects).toBeGreaterThan(0)

      await page.reload()
      await page.waitForFunction(() => window.__citycheck?.ready, undefined, { timeout: 120_000 })
      await page.click('#layer-plan-zoning')
      await waitPlan('window.__citycheck.plan !== null')
      await page.click('#layer-plan-projects')
      await page.click('#layer-plan-resources')
      await waitPlan(`window.__citycheck.plan.projects === ${projects}`)
      const drawn = await page.evaluate(() => window.__citycheck.plan!)
      expect(drawn.loaded).toMatchObject({ zoning: areas })
      expect(drawn.zoningPolygons).toBeGreaterThanOrEqual(areas)
      expect(await page.textContent('#zoning-legend')).toMatch(/近期改造区|渐进更新区|保护区/)
      expect(await page.textContent('#project-legend')).toContain('提议')

      // Facilities and buildings off so the overlays stand out; straight down onto the city, kept as a picture.
      await page.click('#layer-facilities')
      await page.click('#layer-buildings')
      await page.evaluate(() => {
        const e = window.__citycheck.map!.cityExtent
        window.__citycheck.map!.lookDownAt((e.westDeg + e.eastDeg) / 2, (e.southDeg + e.northDeg) / 2, 4500)
      })
      await page.evaluate(async () => {
        for (let i = 0; i < 5; i++) await new Promise((r) => requestAnimationFrame(() => r(null)))
      })
      fs.mkdirSync(path.dirname(SCREENSHOT), { recursive: true })
      await page.screenshot({ path: SCREENSHOT })
      expect(pageErrors).toEqual([])
    },
    BROWSER_TIMEOUT_MS,
  )
})
