import crypto from 'node:crypto'
import fs from 'node:fs'
import pg from 'pg'
import { inject } from 'vitest'
import { type Database, openDatabase } from '../../server/db/client.ts'
import { adminUrl, pgliteTemplatePath, postgresTemplateName } from './template.ts'

declare module 'vitest' {
  export interface ProvidedContext {
    templateHash: string
  }
}

export type TestBackend = 'postgresql' | 'pglite'

export function testBackend(): TestBackend {
  return process.env.CITYCHECK_TEST_BACKEND === 'pglite' ? 'pglite' : 'postgresql'
}

/**
 * A fresh database of the backend under test, holding the migrated schema, the seeds and the Bund demo city.
 * PostgreSQL: a new database cloned from the template (dropped on close). PGlite: an in-memory database
 * loaded from the template dump.
 */
export async function openTestDatabase(): Promise<Database> {
  const hash = inject('templateHash')
  if (testBackend() === 'pglite') {
    const blob = new Blob([fs.readFileSync(pgliteTemplatePath(hash))])
    return openDatabase({ dataDir: 'memory://', loadDataDir: blob })
  }
  return openScratchPostgres('citycheck_t', postgresTemplateName(hash))
}

/** An empty database of the backend under test: migrated, no seeds (for importer tests). */
export async function openEmptyTestDatabase(): Promise<Database> {
  if (testBackend() === 'pglite') return openDatabase({ dataDir: 'memory://' })
  return openScratchPostgres('citycheck_e', null)
}

/** A new PostgreSQL database on the server of DATABASE_URL (from a template, or empty), dropped on close. */
async function openScratchPostgres(prefix: string, template: string | null): Promise<Database> {
  const url = process.env.DATABASE_URL
  if (!url) throw new Error('DATABASE_URL is not set: run the suite with `npm test`')
  const name = `${prefix}_${crypto.randomUUID().replaceAll('-', '').slice(0, 16)}`
  const admin = new pg.Client({ connectionString: adminUrl(url) })
  await admin.connect()
  await createWhenTemplateFree(
    admin,
    `create database ${name}${template ? ` template ${template}` : ''}`,
  ).finally(() => admin.end())
  const database = await openDatabase({ databaseUrl: adminUrl(url, name), poolSize: 5 })
  return {
    ...database,
    close: async () => {
      await database.close()
      const drop = new pg.Client({ connectionString: adminUrl(url) })
      await drop.connect()
      await drop.query(`drop database if exists ${name} with (force)`).finally(() => drop.end())
    },
  }
}

/**
 * PostgreSQL refuses to copy a template while another session is connected to it (SQLSTATE 55006): a parallel
 * test file cloning it at the same moment, or another test process building it. Such a refusal is waited out.
 */
async function createWhenTemplateFree(admin: pg.Client, statement: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await admin.query(statement)
      return
    } catch (error) {
      if ((error as { code?: string }).code !== '55006' || attempt >= 60) throw error
      await new Promise((resolve) => setTimeout(resolve, 250 + Math.random() * 250))
    }
  }
}
