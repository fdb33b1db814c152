import { type Browser, chromium, type Page } from 'playwright-core'

/** Debian's Chromium, headless with software WebGL2 (SwiftShader): what the viewer tests and benchmark run on. */
export const CHROMIUM_PATH = '/usr/bin/chromium'
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--enable-unsafe-swiftshader',
  '--use-angle=swiftshader',
]

/** Small enough for software GL. */
export const VIEWPORT = { width: 1024, height: 640 }

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS })
}

/** Resolves when the viewer's tileset has loaded everything the current view needs, plus a few frames. */
export async function waitForTiles(page: Page): Promise<void> {
  await page.waitForFunction(
    () => {
      const h = window.__citycheck
      if (h.error) throw new Error(h.error)
      const s = h.ready && h.map ? h.map.status() : null
      return !!s?.tilesLoaded && s.tileContentsLoaded > 0
    },
    undefined,
    { timeout: 120_000, polling: 250 },
  )
  await frames(page, 3)
}

export async function frames(page: Page, n: number): Promise<void> {
  await page.evaluate(async (count) => {
    for (let i = 0; i < count; i++) await new Promise((r) => requestAnimationFrame(() => r(null)))
  }, n)
}
