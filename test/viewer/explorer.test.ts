import fs from 'node:fs'
import path from 'node:path'
import { sql } from 'drizzle-orm'
import { buildClientSchema, getIntrospectionQuery, parse, validate } from 'graphql'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { signToken } from '../../server/auth/token.ts'
import { loadConfig, PROJECT_ROOT } from '../../server/config.ts'
import type { Database } from '../../server/db/client.ts'
import { type RunningServer, startHttpServer } from '../../server/http.ts'
import { EXAMPLE_OPERATIONS } from '../../viewer/explorer/examples.ts'
import { isSubscription, operationNames } from '../../viewer/explorer/fetcher.ts'
import { launchChromium } from '../helpers/browser.ts'
import { openTestDatabase } from '../helpers/database.ts'
import { BROWSER_TIMEOUT_MS } from './scene.ts'

const RESULTS = path.join(PROJECT_ROOT, 'test-results')

/** The CodeMirror editor inside a GraphiQL panel, driven through its own API (set, read). */
const editorValue = (page: Page, selector: string) =>
  page.$eval(selector, (el) =>
    (el as unknown as { CodeMirror: { getValue(): string } }).CodeMirror.getValue(),
  )

describe('the API explorer (GraphiQL) at GET /graphql', () => {
  let database: Database
  let server: RunningServer
  let browser: Browser
  let page: Page
  let token: string
  const pageErrors: string[] = []
  const foreign: string[] = []

  beforeAll(async () => {
    database = await openTestDatabase()
    const config = { ...loadConfig(), port: 0, explorer: true }
    server = await startHttpServer({ config, database })
    token = await signToken({ sub: 'explorer-e2e', role: 'city', region: '310100' }, config.jwtSecret, {
      expiresIn: 3600,
    })
    browser = await launchChromium()
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
    page.on('pageerror', (e) => pageErrors.push(e.message))
    page.on('request', (r) => {
      if (!r.url().startsWith(server.url) && !/^(data|blob):/.test(r.url())) foreign.push(r.url())
    })
    fs.mkdirSync(RESULTS, { recursive: true })
  }, BROWSER_TIMEOUT_MS)

  afterAll(async () => {
    await browser?.close()
    await server?.close()
    await database?.close()
  })

  it('keeps every saved example valid against the running schema', async () => {
    const response = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: getIntrospectionQuery({ descriptions: true }) }),
    })
    const schema = buildClientSchema(((await response.json()) as { data: never }).data)
    expect(EXAMPLE_OPERATIONS.length).toBeGreaterThanOrEqual(6)
    for (const example of EXAMPLE_OPERATIONS) {
      expect(validate(schema, parse(example.query)), example.title).toEqual([])
    }
    expect(isSubscription('# a comment with query\nsubscription S { x }')).toBe(true)
    expect(isSubscription('query A { x } subscription B { y }', 'A')).toBe(false)
    expect(isSubscription('{ x }')).toBe(false)
    expect(operationNames('# query Old\nquery A { x } subscription B { y } { z }')).toEqual(['A', 'B'])
  })

  it(
    'documents, completes and runs a typed query, with the token as a header, and streams a subscription',
    async () => {
      await page.goto(`${server.url}/graphql?token=${encodeURIComponent(token)}`)
      await page.waitForSelector('.graphiql-container .graphiql-query-editor .CodeMirror', {
        timeout: 60_000,
      })
      // One tab per domain's saved example.
      expect(await page.$$eval('.graphiql-tab', (t) => t.length)).toBe(EXAMPLE_OPERATIONS.length)
      // The token is in the headers editor.
      await page.click('button:has-text("Headers")')
      expect(
        await editorValue(page, '.graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror'),
      ).toContain(`Bearer ${token}`)

      // Typed: completion offers the schema's fields.
      const editor = '.graphiql-query-editor .CodeMirror'
      await page.$eval(editor, (el) =>
        (el as unknown as { CodeMirror: { setValue(v: string): void } }).CodeMirror.setValue(''),
      )
      await page.click(editor)
      await page.keyboard.type('{ regi')
      await page.waitForSelector('.CodeMirror-hints', { timeout: 10_000 })
      expect(await page.textContent('.CodeMirror-hints')).toContain('region')
      await page.keyboard.press('Escape')
      await page.keyboard.type('on(code: "310101") { name nameEn ')
      await page.keyboard.press('Escape')
      expect((await editorValue(page, editor)).replace(/\s+/g, ' ')).toMatch(
        /^\{ region\(code: "310101"\) \{ name nameEn/,
      )
      await page.click('.graphiql-execute-button')
      await page.waitForFunction(
        () => document.querySelector('.graphiql-response')?.textContent?.includes('黄浦区'),
        undefined,
        {
          timeout: 30_000,
        },
      )
      await page.screenshot({ path: path.join(RESULTS, 'explorer-query.png') })

      // Documentation from the schema's bilingual descriptions.
      await page.click('[aria-label="Show Documentation Explorer"]')
      await page.waitForSelector('.graphiql-doc-explorer', { timeout: 10_000 })
      await page.click('.graphiql-doc-explorer a:has-text("Query")')
      await page.waitForFunction(() =>
        document.querySelector('.graphiql-doc-explorer')?.textContent?.includes('问题台账'),
      )
      await page.screenshot({ path: path.join(RESULTS, 'explorer-docs.png') })

      // The live tab: a subscription over graphql-ws hears a problem moved through the API.
      const live = EXAMPLE_OPERATIONS.findIndex((e) => e.query.includes('subscription'))
      await page.click(`.graphiql-tab >> nth=${live}`)
      await page.click('.graphiql-execute-button')
      const [problem] = await database.rows<{ id: number }>(sql`
        insert into problems (region_code, type, title, severity, source, year_found, state, geom)
        values ('310101', 'safety', '外滩立面脱落 explorer-e2e', 3, 'inspection', 2025, 'identified',
          ST_SetSRID(ST_MakePoint(121.4903, 31.2397), 4326))
        returning id`)
      // The subscription is open once the server has it; move the problem until the page has heard it.
      await expect
        .poll(
          async () => {
            await fetch(`${server.url}/graphql`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
              body: JSON.stringify({
                query:
                  'mutation ($input: TransitionProblemInput!) { transitionProblem(input: $input) { state } }',
                variables: { input: { id: btoa(`Problem:${problem!.id}`), to: 'assigned' } },
              }),
            })
            return page.evaluate(() => document.querySelector('.graphiql-response')?.textContent ?? '')
          },
          { timeout: 30_000, interval: 1000 },
        )
        .toContain('外滩立面脱落 explorer-e2e')
      await page.screenshot({ path: path.join(RESULTS, 'explorer-subscription.png') })
      expect(foreign).toEqual([])
      expect(pageErrors).toEqual([])
    },
    BROWSER_TIMEOUT_MS,
  )
})
