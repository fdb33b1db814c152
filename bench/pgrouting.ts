/** pgRouting on the benchmark's PostgreSQL: the Debian package installed when missing, the extension created. */
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import { sql } from 'drizzle-orm'
import type { Database } from '../server/db/client.ts'

export const PGROUTING_PACKAGE = 'postgresql-15-pgrouting'

/**
 * Makes `create extension pgrouting` work in `database`: when the server has no pgRouting, installs the Debian
 * package as the API benchmark installs its peer (once; as root on Debian, otherwise it says what to install).
 * The private server of scripts/services.sh runs the packaged PostgreSQL 15, which sees the new extension files
 * without a restart. Returns the pgRouting version.
 */
export async function ensurePgRouting(database: Database, log: (line: string) => void): Promise<string> {
  if (!(await available(database))) {
    installPackage(log)
    if (!(await available(database))) {
      throw new Error(
        `${PGROUTING_PACKAGE} is installed but the server does not offer pgrouting: ` +
          'is the benchmark PostgreSQL another installation than the packaged PostgreSQL 15?',
      )
    }
  }
  await database.rows(sql`create extension if not exists pgrouting`)
  const [row] = await database.rows<{ version: string }>(sql`select pgr_version() as version`)
  return row?.version ?? 'unknown'
}

async function available(database: Database): Promise<boolean> {
  const rows = await database.rows(sql`select 1 from pg_available_extensions where name = 'pgrouting'`)
  return rows.length > 0
}

function installPackage(log: (line: string) => void): void {
  const isRoot = process.getuid?.() === 0
  if (!isRoot || !fs.existsSync('/etc/debian_version')) {
    throw new Error(
      `pgRouting is missing: install ${PGROUTING_PACKAGE} (Debian: apt-get install ${PGROUTING_PACKAGE}) ` +
        'or run the benchmark as root on Debian, which installs it',
    )
  }
  log(`installing ${PGROUTING_PACKAGE} with apt-get (once; takes a minute)`)
  // Another apt run (an engineer's, unattended upgrades) may hold the lock: wait for it rather than fail.
  const apt = ['-o', 'DPkg::Lock::Timeout=600']
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  execFileSync('apt-get', [...apt, 'update'], { stdio: ['ignore', 'ignore', 'inherit'], env })
  execFileSync('apt-get', [...apt, 'install', '-y', PGROUTING_PACKAGE], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env,
  })
  log(`installed ${PGROUTING_PACKAGE}`)
}
