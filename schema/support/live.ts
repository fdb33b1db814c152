import type { Database } from '../../server/db/client.ts'

/**
 * Rows announced on a notification channel, as an async iterator for a subscription: `keyOf` picks the row's
 * id from the notice (or skips it with null), `read` loads it fresh within the caller's scope (null when not
 * visible). A subscription outlives any request, so nothing is cached; listening stops when the client leaves.
 */
export async function* announcedRows<Row>(
  database: Database,
  channel: string,
  keyOf: (payload: string) => number | null,
  read: (id: number) => Promise<Row | null | undefined>,
): AsyncGenerator<Row> {
  const queue: number[] = []
  let wake: (() => void) | null = null
  const stop = await database.listen(channel, (payload) => {
    const id = keyOf(payload)
    if (id === null) return
    queue.push(id)
    wake?.()
  })
  try {
    while (true) {
      while (queue.length > 0) {
        const row = await read(queue.shift() as number)
        if (row) yield row
      }
      await new Promise<void>((resolve) => {
        wake = resolve
      })
      wake = null
    }
  } finally {
    await stop()
  }
}

/** `310100` → `3101`: the prefix that the codes of the regions inside a region start with. */
export const regionPrefix = (code: string | null) => (code ? code.replace(/(00)+$/, '') : '')
