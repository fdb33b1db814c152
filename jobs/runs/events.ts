import { type SQL, sql } from 'drizzle-orm'

/**
 * PostgreSQL channel on which every change of a run's state or progress is announced, as JSON
 * `{ id, state, progress, message }`. Workers run in other processes than the API, so a GraphQL subscription
 * LISTENs here instead of sharing memory with the processor; PGlite delivers it in-process the same way.
 */
export const RUN_EVENTS_CHANNEL = 'diagnostic_runs'

export interface RunEvent {
  id: number
  state: string
  progress: number
  message: string | null
}

/**
 * Wraps an `update diagnostic_runs … where …` (without `returning`) so that each updated row is announced on
 * {@link RUN_EVENTS_CHANNEL}. Yields one row per updated run; inside a transaction the notice goes out on commit.
 */
export function updateAndNotify(update: SQL): SQL {
  return sql`with u as (${update} returning id, state, progress, message)
    select u.id, pg_notify(${RUN_EVENTS_CHANNEL},
      json_build_object('id', u.id, 'state', u.state, 'progress', u.progress, 'message', u.message)::text)
    from u`
}
