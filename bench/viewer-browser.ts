/** One view of the city on the bench page in headless Chromium, measured, and the figures as log lines. */

import { type Browser, type Page, errors as playwrightErrors } from 'playwright-core'
import { launchChromium, VIEWPORT } from '../test/helpers/browser.ts'
import type { BenchOrbit } from './viewer-page/main.ts'

export interface ViewMeasurement {
  firstViewS: number | null
  timedOut: boolean
  buildingsShown: number | null
  featuresShown: number | null
  tilesLoaded: number | null
  framesToFirstView: number | null
  phases: Record<string, number>
  trace?: [number, number, number, number, number][]
  orbit: BenchOrbit | null
  heapMB: number | null
  pageErrors: string[]
  foreignRequests: string[]
  chromium: string
}

export interface ViewOptions {
  timeoutS: number
  orbitS: number
  screenshot: string
}

export const log = (line: string) => console.log(`bench viewer: ${line}`)
export const round = (x: number, digits = 3) => Math.round(x * 10 ** digits) / 10 ** digits

/** One view of the city in a fresh browser: load, wait for the first full view, screenshot, orbit. */
export async function measureView(
  baseUrl: string,
  query: URLSearchParams,
  options: ViewOptions,
): Promise<ViewMeasurement> {
  const browser: Browser = await launchChromium()
  try {
    const page = await browser.newPage({ viewport: VIEWPORT })
    const pageErrors: string[] = []
    const foreignRequests: string[] = []
    page.on('pageerror', (error) => pageErrors.push(error.message))
    page.on('request', (request) => {
      const url = request.url()
      if (!url.startsWith(baseUrl) && !url.startsWith('data:') && !url.startsWith('blob:')) {
        foreignRequests.push(url)
      }
    })
    const started = performance.now()
    await page.goto(`${baseUrl}/viewer/index.html?${query}`, { timeout: options.timeoutS * 1000 })
    const timedOut = !(await waitForFirstView(page, options.timeoutS * 1000 - (performance.now() - started)))
    await page.screenshot({ path: options.screenshot, timeout: 300_000 }).catch((error: unknown) => {
      log(`  screenshot failed: ${(error as Error).message.split('\n')[0]}`)
    })
    const context = { pageErrors, foreignRequests, chromium: browser.version() }
    if (timedOut) {
      const phases = await page
        .evaluate(() => window.__citycheckBench?.phases ?? {})
        .catch(() => ({}) as Record<string, number>)
      return { ...context, ...unfinishedView(options.timeoutS), phases }
    }
    const first = await readFirstView(page)
    const orbit = await page.evaluate((s) => window.__citycheckBench.orbit(s), options.orbitS)
    return { ...context, ...first, timedOut, orbit }
  } finally {
    await browser.close()
  }
}

/**
 * False when the bench page had not drawn its first full view within `timeoutMs`; an error the page reports is
 * thrown. The browser tests that load the bench page wait with it too.
 */
export async function waitForFirstView(page: Page, timeoutMs: number): Promise<boolean> {
  try {
    await page.waitForFunction(
      () => {
        const h = window.__citycheckBench
        if (h?.error) throw new Error(h.error)
        return h?.firstViewS !== null && h?.firstViewS !== undefined
      },
      undefined,
      { timeout: Math.max(1, timeoutMs), polling: 250 },
    )
    return true
  } catch (error) {
    if (!(error instanceof playwrightErrors.TimeoutError)) throw error
    return false
  }
}

/** A view reported at the timeout: what it reached is in its milestones. */
function unfinishedView(timeoutS: number) {
  return {
    firstViewS: timeoutS,
    timedOut: true,
    buildingsShown: null,
    featuresShown: null,
    tilesLoaded: null,
    framesToFirstView: null,
    orbit: null,
    heapMB: null,
  }
}

function readFirstView(page: Page) {
  return page.evaluate(() => {
    const h = window.__citycheckBench
    const memory = (performance as Performance & { memory?: { usedJSHeapSize: number } }).memory
    return {
      firstViewS: h.firstViewS,
      buildingsShown: h.buildingsShown,
      featuresShown: h.featuresShown,
      tilesLoaded: h.tilesLoaded,
      framesToFirstView: h.framesToFirstView,
      phases: h.phases,
      trace: h.trace,
      heapMB: memory ? memory.usedJSHeapSize / 2 ** 20 : null,
    }
  })
}

/** Log lines for one view; `traceFrames` adds a line per frame up to the first full view. */
export function describeView(label: string, m: ViewMeasurement, traceFrames: boolean): void {
  const phases = Object.entries(m.phases)
    .map(([k, v]) => `${k} ${round(v, 2)} s`)
    .join(', ')
  if (m.timedOut) {
    log(`${label}: NOT complete after the ${m.firstViewS} s timeout (milestones: ${phases || 'none'})`)
  } else {
    log(
      `${label}: first full view ${round(m.firstViewS ?? 0, 2)} s after navigation start ` +
        `(${m.framesToFirstView} frames; ${m.buildingsShown} buildings shown` +
        `${m.featuresShown !== m.buildingsShown ? ` by ${m.featuresShown} features (buildings and massing boxes)` : ''}` +
        `${m.tilesLoaded === null ? '' : ` from ${m.tilesLoaded} tiles`}; milestones: ${phases})`,
    )
  }
  describeLoading(label, m.trace ?? [], traceFrames)
  if (m.orbit) {
    log(
      `${label}: orbit ${round(m.orbit.seconds, 1)} s, ${m.orbit.frames} frames → ${round(m.orbit.fps, 2)} fps ` +
        `(worst frame ${Math.round(m.orbit.worstFrameMs)} ms)${m.heapMB === null ? '' : `; page JS heap ${Math.round(m.heapMB)} MiB`}`,
    )
  }
  if (m.pageErrors.length > 0) log(`${label}: page errors: ${m.pageErrors.slice(0, 3).join(' | ')}`)
  if (m.foreignRequests.length > 0)
    log(`${label}: requests off the local server: ${m.foreignRequests.length}`)
}

/** How the tiles came in: every frame when traced, else the quartiles and the busiest moment. */
function describeLoading(label: string, trace: NonNullable<ViewMeasurement['trace']>, traceFrames: boolean) {
  if (traceFrames) {
    for (const [t, loaded, pending, processing, flags] of trace) {
      log(
        `  frame at ${round(t, 2)} s: ${loaded} contents loaded, ${pending} requests pending, ` +
          `${processing} processing${flags & 1 ? ', tileset loaded' : ''}${flags & 2 ? ', globe loaded' : ''}`,
      )
    }
  }
  const total = trace.at(-1)?.[1] ?? 0
  if (total > 0) {
    const at = (share: number) => trace.find((f) => f[1] >= share * total)?.[0] ?? Number.NaN
    const busiest = Math.max(...trace.map((f) => f[2]))
    log(
      `${label}: tiles loaded (of ${total}): 25% at ${round(at(0.25), 1)} s, 50% at ${round(at(0.5), 1)} s, ` +
        `75% at ${round(at(0.75), 1)} s, all at ${round(at(1), 1)} s; at most ${busiest} requests in flight`,
    )
  }
}
