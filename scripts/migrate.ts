// `npm run db:migrate`: applies the migrations to DATABASE_URL, or to the embedded database under the data dir.
import path from 'node:path'
import { sql } from 'drizzle-orm'
import { loadConfig } from '../server/config.ts'
import { type Database, DatabaseInUseError, migrateDatabase, openDatabase } from '../server/db/client.ts'

const config = loadConfig()
const target = config.databaseUrl
  ? 'PostgreSQL (DATABASE_URL)'
  : `embedded PGlite (${path.join(config.dataDir, 'pglite')})`
try {
  const database = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: path.join(config.dataDir, 'pglite'),
  })
  try {
    const before = await appliedMigrations(database)
    await migrateDatabase(database)
    const after = await appliedMigrations(database)
    console.log(`migrations: ${after - before} applied, ${after} in total, on ${target}`)
  } finally {
    await database.close()
  }
} catch (error) {
  if (error instanceof DatabaseInUseError) {
    console.error(`${error.message}\n数据库正被占用：请先停止服务器 / stop the running server first.`)
    process.exit(1)
  }
  throw error
}

async function appliedMigrations(database: Database): Promise<number> {
  // drizzle keeps its journal in this table on both backends; before the first migration it does not exist.
  const [exists] = await database.rows<{ journal: string | null }>(
    sql`select to_regclass('drizzle.__drizzle_migrations')::text as journal`,
  )
  if (!exists?.journal) return 0
  const [row] = await database.rows<{ count: number }>(
    sql`select count(*)::int as count from drizzle.__drizzle_migrations`,
  )
  return row?.count ?? 0
}
