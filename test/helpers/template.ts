import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { sql } from 'drizzle-orm'
import pg from 'pg'
import { PROJECT_ROOT } from '../../server/config.ts'
import { migrateDatabase, openDatabase } from '../../server/db/client.ts'
import { seedDatabase } from '../../server/seed/demo.ts'

/**
 * Every test file starts from one prepared database: migrated, seeded with the division codes and the
 * national indicator edition, and holding the Bund demo city. It is built once per content hash of what
 * shapes it (migrations, importer, seeds, data), so an edit to any of them rebuilds it.
 */
export function templateHash(): string {
  const hash = crypto.createHash('sha256')
  const walk = (dir: string) => {
    for (const entry of fs
      .readdirSync(dir, { withFileTypes: true })
      .sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(dir, entry.name)
      if (entry.isDirectory()) walk(full)
      else hash.update(full).update(fs.readFileSync(full))
    }
  }
  for (const dir of ['migrations', 'server/import', 'server/seed', 'server/db', 'data'])
    walk(path.join(PROJECT_ROOT, dir))
  return hash.digest('hex').slice(0, 12)
}

export const TEMPLATE_DIR = path.join(PROJECT_ROOT, '.data/test-templates')

export function pgliteTemplatePath(hash: string): string {
  return path.join(TEMPLATE_DIR, `pglite-${hash}.tar.gz`)
}

export function postgresTemplateName(hash: string): string {
  return `citycheck_template_${hash}`
}

/** Admin URL: the same server as DATABASE_URL, database `postgres`. */
export function adminUrl(databaseUrl: string, database = 'postgres'): string {
  const url = new URL(databaseUrl)
  url.pathname = `/${database}`
  return url.toString()
}

export async function buildPgliteTemplate(hash: string): Promise<void> {
  const file = pgliteTemplatePath(hash)
  if (fs.existsSync(file)) return
  fs.mkdirSync(TEMPLATE_DIR, { recursive: true })
  const database = await openDatabase({ dataDir: 'memory://' })
  await migrateDatabase(database)
  await seedDatabase(database, { demo: true })
  await database.rows(sql`vacuum`)
  const dump = await database.pglite?.dumpDataDir('gzip')
  if (!dump) throw new Error('PGlite did not dump its data directory')
  // A private temporary name: two runs building at once each rename a whole file into place.
  const tmp = `${file}.${process.pid}.tmp`
  fs.writeFileSync(tmp, Buffer.from(await dump.arrayBuffer()))
  fs.renameSync(tmp, file)
  await database.close()
}

export async function buildPostgresTemplate(databaseUrl: string, hash: string): Promise<void> {
  const name = postgresTemplateName(hash)
  const admin = new pg.Client({ connectionString: adminUrl(databaseUrl) })
  await admin.connect()
  try {
    // Two test runs at once (two terminals, or a run beside a benchmark) build one template, not a broken pair.
    await admin.query('select pg_advisory_lock(hashtext($1))', [name])
    const found = await admin.query('select 1 from pg_database where datname = $1 and datistemplate', [name])
    if (found.rowCount) return
    await admin.query(`drop database if exists ${name}`)
    await admin.query(`create database ${name}`)
    const database = await openDatabase({ databaseUrl: adminUrl(databaseUrl, name), poolSize: 2 })
    try {
      await migrateDatabase(database)
      await seedDatabase(database, { demo: true })
    } finally {
      await database.close()
    }
    await admin.query(`alter database ${name} is_template true`)
  } finally {
    await admin.end()
  }
}
