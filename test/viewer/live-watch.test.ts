import { afterEach, describe, expect, it, vi } from 'vitest'
import { type ProblemChange, watchLive, watchTileset } from '../../viewer/core/live.ts'

describe('live tileset updates', () => {
  afterEach(() => {
    vi.useRealTimers()
    vi.unstubAllGlobals()
  })

  it('checks the tileset once per burst of subscription events, with the token, and polls slowly', async () => {
    vi.useFakeTimers()
    let etag = 1
    const fetches: (string | undefined)[] = []
    const authorizations = new Set<string | undefined>()
    vi.stubGlobal('fetch', async (_url: string, init: { headers: Record<string, string> }) => {
      fetches.push(init.headers['if-none-match'])
      authorizations.add(init.headers.authorization)
      return new Response('{}', { status: 200, headers: { etag: `"${etag}"` } })
    })
    let sink: { next(value: { data: { problemChanged: ProblemChange } }): void } | null = null
    let connectionParams: unknown = null
    const connect = ((options: { connectionParams: unknown }) => {
      connectionParams = options.connectionParams
      return {
        subscribe: (_payload: unknown, s: typeof sink) => {
          sink = s
          return () => {}
        },
        dispose: async () => {},
      }
    }) as unknown as Parameters<typeof watchLive>[0]['connect']
    let changes = 0
    const events: ProblemChange[] = []
    const watch = watchLive({
      tilesetUrl: '/tiles/region/310100/tileset.json',
      tilesetHeaders: { authorization: 'Bearer abc' },
      wsUrl: 'ws://localhost/graphql',
      token: 'abc',
      pollS: 60,
      connect,
      onChange: async () => {
        changes++
      },
      onEvent: (e) => events.push(e),
    })
    await vi.advanceTimersByTimeAsync(0)
    expect(connectionParams).toEqual({ authorization: 'Bearer abc' })
    expect(fetches).toEqual([undefined])

    etag = 2
    const change: ProblemChange = { databaseId: 7, state: 'closed', buildingId: 3, severity: 3 }
    for (let i = 0; i < 3; i++) {
      sink!.next({ data: { problemChanged: change } })
      await vi.advanceTimersByTimeAsync(100)
    }
    expect(fetches).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(300)
    expect(events).toHaveLength(3)
    expect(fetches).toEqual([undefined, '"1"'])
    expect(changes).toBe(1)

    // The fallback poll, a minute later.
    etag = 3
    await vi.advanceTimersByTimeAsync(59_000)
    expect(fetches).toHaveLength(2)
    await vi.advanceTimersByTimeAsync(1_000)
    expect(fetches).toEqual([undefined, '"1"', '"2"'])
    expect(changes).toBe(2)
    // The region's tileset was loaded with the token: every check of it carries the token too.
    expect([...authorizations]).toEqual(['Bearer abc'])
    watch.stop()
  })

  it('checks again about a second later while the server says a refresh is pending, a bounded number of times', async () => {
    vi.useFakeTimers()
    // The server: 304 for the current ETag, and whether a tiles run is refreshing the tileset.
    let etag = 1
    let tiles = 'fresh'
    let fetches = 0
    vi.stubGlobal('fetch', async (_url: string, init: { headers: Record<string, string> }) => {
      fetches++
      const headers = { etag: `"${etag}"`, 'x-citycheck-tiles': tiles }
      if (init.headers['if-none-match'] === `"${etag}"`) return new Response(null, { status: 304, headers })
      return new Response('{}', { status: 200, headers })
    })
    let changes = 0
    const watch = watchTileset('/tiles/city/tileset.json', 60, async () => {
      changes++
    })
    await vi.advanceTimersByTimeAsync(0)
    expect(fetches).toBe(1)

    // A problem changed: the check queues a refresh, and the next checks follow a second apart.
    tiles = 'refreshing'
    watch.check()
    await vi.advanceTimersByTimeAsync(0)
    expect(fetches).toBe(2)
    await vi.advanceTimersByTimeAsync(1_000)
    expect(fetches).toBe(3)
    expect(changes).toBe(0)
    etag = 2
    tiles = 'fresh'
    await vi.advanceTimersByTimeAsync(1_000)
    expect(fetches).toBe(4)
    expect(changes).toBe(1)
    // Current again: back to the slow poll.
    await vi.advanceTimersByTimeAsync(59_000)
    expect(fetches).toBe(4)
    await vi.advanceTimersByTimeAsync(1_000)
    expect(fetches).toBe(5)

    // A refresh that never ends: sixty quick checks after the first, then the slow poll.
    tiles = 'refreshing'
    watch.check()
    await vi.advanceTimersByTimeAsync(60_000)
    expect(fetches).toBe(5 + 61)
    await vi.advanceTimersByTimeAsync(59_000)
    expect(fetches).toBe(66)
    await vi.advanceTimersByTimeAsync(1_000)
    expect(fetches).toBe(67)
    expect(changes).toBe(1)
    watch.stop()
  })
})
