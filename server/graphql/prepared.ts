import { createHash } from 'node:crypto'
import type { SQL } from 'drizzle-orm'
import { PgDialect } from 'drizzle-orm/pg-core'
import type { Database } from '../db/client.ts'

/**
 * How many distinct statements are prepared per process. The API's statements come in a bounded number of
 * shapes (fields asked for × filters × orderings × scope prefixes); past the bound they run unprepared.
 * @defaultValue 256
 */
export const PREPARED_STATEMENT_LIMIT = 256

/**
 * The API's database, with its statements prepared on PostgreSQL: each pooled connection plans a statement
 * once instead of on every request (PostGIS plans are not cheap). PGlite, embedded and single-connection,
 * keeps its own path.
 */
export function withPreparedStatements(database: Database, limit = PREPARED_STATEMENT_LIMIT): Database {
  const pool = database.pool
  if (!pool) return database
  const dialect = new PgDialect()
  const names = new Map<string, string>()
  return {
    ...database,
    rows: async <T>(query: SQL): Promise<T[]> => {
      const { sql: text, params } = dialect.sqlToQuery(query)
      let name = names.get(text)
      if (!name && names.size < limit) {
        name = `cc_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`
        names.set(text, name)
      }
      const result = await pool.query<T & object>(
        name ? { name, text, values: params } : { text, values: params },
      )
      return result.rows
    },
  }
}
