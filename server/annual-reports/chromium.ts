import { UnrecoverableError } from 'bullmq'
import { type Browser, chromium } from 'playwright-core'

// The PDF is Chromium's print of the report's HTML (ADR 0016): Debian's chromium with fonts-noto-cjk gives real,
// searchable Chinese text and the same fonts the SVG charts were laid out for. The same browser rasterises the
// charts to the PNG that Word needs beside an SVG.

/** @defaultValue Debian's package path; CITYCHECK_CHROMIUM overrides it. */
export const CHROMIUM_PATH = process.env.CITYCHECK_CHROMIUM || '/usr/bin/chromium'
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
]

/** Thrown when the browser the PDF needs is missing: retrying will not install it, so the job does not retry. */
export class ChromiumMissingError extends UnrecoverableError {
  override name = 'ChromiumMissingError'
}

/** Runs `work` with a headless Chromium that is closed afterwards, whatever happens. */
export async function withBrowser<T>(work: (browser: Browser) => Promise<T>): Promise<T> {
  let browser: Browser
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: ARGS })
  } catch (error) {
    throw new ChromiumMissingError(
      `无法启动 Chromium（${CHROMIUM_PATH}），请安装 chromium 与 fonts-noto-cjk / cannot start Chromium at ${CHROMIUM_PATH}: ${error instanceof Error ? error.message : error}`,
    )
  }
  try {
    return await work(browser)
  } finally {
    await browser.close()
  }
}

/** The SVG as a PNG of its own size times `scale`, for Word's fallback image. */
export async function svgToPng(
  browser: Browser,
  svg: string,
  width: number,
  height: number,
  scale = 2,
): Promise<Buffer> {
  const page = await browser.newPage({ viewport: { width, height }, deviceScaleFactor: scale })
  try {
    // Nothing may be fetched while drawing: the report is made from the database alone.
    await page.route('**/*', (route) =>
      route.request().url().startsWith('data:') ? route.continue() : route.abort(),
    )
    await page.setContent(`<!doctype html><html><body style="margin:0;background:#fff">${svg}</body></html>`)
    return await page.screenshot({ type: 'png', clip: { x: 0, y: 0, width, height } })
  } finally {
    await page.close()
  }
}

/** Prints the HTML to an A4 PDF with page numbers in the footer. */
export async function htmlToPdf(browser: Browser, html: string, footer: string): Promise<Buffer> {
  const page = await browser.newPage()
  try {
    await page.route('**/*', (route) =>
      route.request().url().startsWith('data:') ? route.continue() : route.abort(),
    )
    await page.setContent(html, { waitUntil: 'load' })
    return await page.pdf({
      format: 'A4',
      printBackground: true,
      displayHeaderFooter: true,
      headerTemplate: '<span></span>',
      footerTemplate: `<div style="width:100%;font-size:8px;text-align:center;color:#666;font-family:'Noto Sans CJK SC',sans-serif">${footer}　第 <span class="pageNumber"></span> / <span class="totalPages"></span> 页</div>`,
      margin: { top: '20mm', bottom: '18mm', left: '18mm', right: '18mm' },
      outline: true,
      tagged: true,
    })
  } finally {
    await page.close()
  }
}
