import type { Browser } from 'playwright-core'
import type { RenderedFile, ReportRenderer, ReportRunParameters } from '../../jobs/api.ts'
import { type Identity, ROLES, type Role } from '../auth/identity.ts'

import type { Block } from './blocks.ts'
import { htmlToPdf, svgToPng, withBrowser } from './chromium.ts'
import { assembleContent } from './content.ts'
import { writeDocx } from './docx.ts'
import { writeHtml } from './html.ts'
import { buildBlocks } from './sections.ts'
import { outlineById } from './templates.ts'
import type { ReportContent } from './types.ts'

/** The report's file name without extension: region, year, 城市体检报告. */
export const reportBaseName = (content: Pick<ReportContent, 'region' | 'campaign'>) =>
  `${content.region.name}${content.campaign.year}年城市体检报告`

/**
 * Draws a report: content through the API's fields in the requester's scope, then the blocks, then the DOCX and
 * the PDF from the same blocks, with one browser for the PDF and the charts' PNG fallbacks.
 */
export const renderReport: ReportRenderer = async (database, parameters, progress) => {
  const outline = await outlineById(database, parameters.templateId)
  await progress(0.1, '读取体检数据 / reading the check')
  const content = await assembleContent(database, {
    campaignId: parameters.campaignId,
    regionCode: parameters.regionCode,
    identity: identityOf(parameters),
    outline: outline.sections,
    template: outline.template
      ? { id: outline.template.id, name: outline.template.name, version: outline.template.version }
      : null,
  })
  await progress(0.4, '绘制图表与地图 / drawing charts and maps')
  const blocks = buildBlocks(content)
  const title = reportBaseName(content)
  return withBrowser(async (browser) => {
    const rasters = await rasterise(browser, blocks)
    await progress(0.6, '生成 Word 文档 / writing the DOCX')
    const docx = await writeDocx(blocks, rasters, title)
    await progress(0.75, '生成 PDF / printing the PDF')
    const pdf = await htmlToPdf(browser, writeHtml(blocks, title), title)
    return [
      { format: 'docx', fileName: `${title}.docx`, data: docx },
      { format: 'pdf', fileName: `${title}.pdf`, data: pdf },
    ] satisfies RenderedFile[]
  })
}

async function rasterise(browser: Browser, blocks: readonly Block[]): Promise<Map<string, Buffer>> {
  const rasters = new Map<string, Buffer>()
  for (const block of blocks) {
    if (block.kind !== 'figure') continue
    const { figure } = block
    rasters.set(figure.key, await svgToPng(browser, figure.svg, figure.width, figure.height))
  }
  return rasters
}

/** The requester as the API knew it; a role the API does not know reads as public (and so reads nothing). */
function identityOf(parameters: ReportRunParameters): Identity {
  const { identity } = parameters
  const role: Role = (ROLES as readonly string[]).includes(identity.role) ? (identity.role as Role) : 'public'
  return { subject: identity.subject, role, regionCode: identity.regionCode, department: identity.department }
}
