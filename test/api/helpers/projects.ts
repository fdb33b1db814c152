import ExcelJS from 'exceljs'
import { createProcessors } from '../../../jobs/processors.ts'
import { InProcessRunner } from '../../../jobs/runs/in-process.ts'
import { loadConfig } from '../../../server/config.ts'
import type { Database } from '../../../server/db/client.ts'
import { type RunningServer, startHttpServer } from '../../../server/http.ts'
import { startDemoCheck } from '../../../server/seed/demo-check.ts'
import { openTestDatabase } from '../../helpers/database.ts'
import { postGraphql, TEST_JWT_SECRET } from './api.ts'

// biome-ignore lint/suspicious/noExplicitAny: the tests read untyped JSON responses field by field
type Json = { data?: any; errors?: any[] }

/** The demo after its first start: the campaign, its coverage run and indicators, served with a job runner. */
export interface DemoApi {
  database: Database
  server: RunningServer
  runner: InProcessRunner
  campaignId: number
  gql(query: string, variables?: Record<string, unknown>, token?: string): Promise<Json>
  close(): Promise<void>
}

export async function startDemoApi(): Promise<DemoApi> {
  const database = await openTestDatabase()
  const runner = new InProcessRunner(database, createProcessors(), { onError: () => {} })
  const config = { ...loadConfig({}), port: 0, host: '127.0.0.1', jwtSecret: TEST_JWT_SECRET }
  const server = await startHttpServer({ config, database, jobs: runner })
  const check = await startDemoCheck(database, runner)
  await runner.idle()
  if (!check) throw new Error('the demo check was not created')
  return {
    database,
    server,
    runner,
    campaignId: check.campaignId,
    gql: (query, variables = {}, token) => once(() => postGraphql(server.url, query, variables, token)),
    close: async () => {
      await server.close()
      await runner.close()
      await database.close()
    },
  }
}

/**
 * The jobs run on the test's own event loop: after a long one the server's keep-alive timer and the client's fire
 * in no set order, and a request sent on a socket the server is closing is reset before the server reads it. Such
 * a request is sent again on a new connection; any other failure is the test's.
 */
async function once(send: () => Promise<Json>): Promise<Json> {
  try {
    return await send()
  } catch (error) {
    if ((error as { cause?: { code?: string } }).cause?.code !== 'ECONNRESET') throw error
    return send()
  }
}

/** Starts `generateProjects` and waits for the run it returns to finish, as a screen polling `diagnosticRuns` would. */
export async function generateAndWait(
  api: DemoApi,
  regionCode: string,
  token: string,
  campaignId = api.campaignId,
) {
  const started = await api.gql(
    `mutation ($input: GenerateProjectsInput!) { generateProjects(input: $input) { databaseId kind state } }`,
    { input: { campaignId, regionCode } },
    token,
  )
  if (started.errors) throw new Error(JSON.stringify(started.errors))
  const run = started.data.generateProjects
  await api.runner.idle()
  const runs = await api.gql(
    `query ($r: String) { diagnosticRuns(regionCode: $r) { databaseId kind state error outputs } }`,
    { r: regionCode },
    token,
  )
  return {
    started: run,
    finished: runs.data.diagnosticRuns.find((r: { databaseId: number }) => r.databaseId === run.databaseId),
  }
}

/** The workbook's sheets as arrays of objects keyed by the header row. */
export async function readWorkbook(url: string, token: string) {
  const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } })
  const book = new ExcelJS.Workbook()
  const sheets = new Map<string, Record<string, unknown>[]>()
  if (response.status !== 200) return { status: response.status, sheets, names: [] as string[] }
  await book.xlsx.load(Buffer.from(await response.arrayBuffer()) as never)
  for (const sheet of book.worksheets) {
    const headers = (sheet.getRow(1).values as unknown[]).slice(1).map(String)
    const rows: Record<string, unknown>[] = []
    sheet.eachRow((row, n) => {
      if (n === 1) return
      const values = (row.values as unknown[]).slice(1)
      rows.push(Object.fromEntries(headers.map((h, i) => [h, values[i] ?? null])))
    })
    sheets.set(sheet.name, rows)
  }
  return { status: response.status, sheets, names: book.worksheets.map((s) => s.name) }
}
