import { type ChildProcess, spawn } from 'node:child_process'
import crypto from 'node:crypto'
import fs from 'node:fs'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import readline from 'node:readline'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { PROJECT_ROOT } from '../../server/config.ts'
import { adminUrl, postgresTemplateName } from '../helpers/template.ts'

const BODY = JSON.stringify({ query: '{ regions(first: 3) { totalCount } }' })

let databaseName: string
let dataDir: string
let server: ChildProcess | null = null

async function admin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl(process.env.DATABASE_URL ?? '') })
  await client.connect()
  await client.query(statement).finally(() => client.end())
}

beforeAll(async () => {
  databaseName = `citycheck_sig_${crypto.randomUUID().replaceAll('-', '').slice(0, 12)}`
  await admin(`create database ${databaseName} template ${postgresTemplateName(inject('templateHash'))}`)
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'citycheck-sigterm-'))
})
afterAll(async () => {
  server?.kill('SIGKILL')
  await admin(`drop database if exists ${databaseName} with (force)`)
  fs.rmSync(dataDir, { recursive: true, force: true })
})

/** Starts `server/main.ts` as `npm start` does and resolves with its GraphQL URL once it says it is ready. */
function startServer(lines: string[]): Promise<URL> {
  server = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: PROJECT_ROOT,
    env: {
      ...process.env,
      DATABASE_URL: adminUrl(process.env.DATABASE_URL ?? '', databaseName),
      REDIS_URL: '',
      PORT: '0',
      CITYCHECK_DATA_DIR: dataDir,
      CITYCHECK_DEMO: 'off',
      JWT_SECRET: 'citycheck-sigterm-secret',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const out = readline.createInterface({ input: server.stdout! })
  return new Promise((resolve, reject) => {
    out.on('line', (line) => {
      lines.push(line)
      const url = /GraphQL:\s+(http\S+)/.exec(line)?.[1]
      if (url) resolve(new URL(url))
    })
    server!.on('exit', (code) =>
      reject(new Error(`server exited (${code}) before it was ready:\n${lines.join('\n')}`)),
    )
  })
}

function waitForLine(lines: string[], pattern: RegExp, source: ChildProcess): Promise<void> {
  if (lines.some((line) => pattern.test(line))) return Promise.resolve()
  return new Promise((resolve) => {
    const out = readline.createInterface({ input: source.stdout! })
    out.on('line', (line) => {
      if (pattern.test(line)) resolve()
    })
  })
}

describe('SIGTERM during requests', () => {
  it('lets the request in flight finish, refuses new ones, then exits 0', async () => {
    const lines: string[] = []
    const url = await startServer(lines)
    const exited = new Promise<number | null>((resolve) => server!.on('exit', (code) => resolve(code)))

    // A request whose body is still to come when the signal arrives: in flight by construction. It asks for
    // `100 Continue`, which the server sends once it has read the headers and handed the request on.
    let inFlight: http.ClientRequest | null = null
    let accepted: () => void = () => {}
    const headersRead = new Promise<void>((resolve) => {
      accepted = resolve
    })
    const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(
        {
          host: url.hostname,
          port: url.port,
          path: url.pathname,
          method: 'POST',
          agent: false,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(BODY),
            expect: '100-continue',
          },
        },
        (res) => {
          let body = ''
          res.on('data', (chunk: Buffer) => {
            body += chunk.toString()
          })
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
        },
      )
      req.on('continue', () => accepted())
      req.on('error', reject)
      req.flushHeaders()
      inFlight = req
    })
    await headersRead
    server!.kill('SIGTERM')
    await waitForLine(lines, /SIGTERM: shutting down/, server!)

    const refused = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: BODY,
    })
      .then((r) => `answered ${r.status}`)
      .catch((error: Error) => String((error.cause as { code?: string } | undefined)?.code ?? error.message))
    expect(refused).toBe('ECONNREFUSED')

    ;(inFlight as http.ClientRequest | null)?.end(BODY)
    const finished = await answer
    expect(finished.status).toBe(200)
    expect(JSON.parse(finished.body).data.regions.totalCount).toBeGreaterThan(0)
    expect(await exited).toBe(0)
  })
})
