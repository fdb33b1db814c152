import { spawnSync } from 'node:child_process'
import crypto from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PROJECT_ROOT } from '../../server/config.ts'
import { testBackend } from '../helpers/database.ts'
import { adminUrl } from '../helpers/template.ts'

const JOURNAL = JSON.parse(
  fs.readFileSync(path.join(PROJECT_ROOT, 'migrations/meta/_journal.json'), 'utf8'),
) as {
  entries: unknown[]
}
const MIGRATIONS = JOURNAL.entries.length

/** Where `npm run db:migrate` writes: a fresh PostgreSQL database, or a fresh embedded data dir. */
let env: NodeJS.ProcessEnv
let cleanup: () => Promise<void>

beforeAll(async () => {
  const base = { ...process.env }
  delete base.DATABASE_URL
  if (testBackend() === 'pglite') {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'citycheck-migrate-'))
    env = { ...base, CITYCHECK_DATA_DIR: dataDir }
    cleanup = async () => fs.rmSync(dataDir, { recursive: true, force: true })
    return
  }
  const url = process.env.DATABASE_URL
  if (!url) throw new Error('DATABASE_URL is not set: run the suite with `npm test`')
  const name = `citycheck_m_${crypto.randomUUID().replaceAll('-', '').slice(0, 16)}`
  await adminQuery(url, `create database ${name}`)
  env = { ...base, DATABASE_URL: adminUrl(url, name) }
  cleanup = () => adminQuery(url, `drop database if exists ${name} with (force)`)
})
afterAll(async () => {
  await cleanup?.()
})

async function adminQuery(url: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl(url) })
  await client.connect()
  await client.query(statement).finally(() => client.end())
}

function migrate(): string {
  const result = spawnSync('npm', ['run', '--silent', 'db:migrate'], {
    cwd: PROJECT_ROOT,
    env,
    encoding: 'utf8',
  })
  expect(result.status, result.stderr).toBe(0)
  return result.stdout
}

describe('npm run db:migrate', () => {
  it('applies every migration to an empty database, then nothing on a second run', () => {
    expect(migrate()).toContain(`migrations: ${MIGRATIONS} applied, ${MIGRATIONS} in total`)
    expect(migrate()).toContain(`migrations: 0 applied, ${MIGRATIONS} in total`)
  })
})
