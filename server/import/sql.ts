import type { SQL } from 'drizzle-orm'

/** Anything that runs SQL: the database or a transaction. */
export interface Executor {
  execute(query: SQL): Promise<unknown>
}

export async function rowsOf<T>(executor: Executor, query: SQL): Promise<T[]> {
  return ((await executor.execute(query)) as { rows: T[] }).rows
}
