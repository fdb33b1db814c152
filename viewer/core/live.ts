/**
 * Live updates by polling: the server brings the tileset up to date whenever tileset.json is requested, so a
 * changed ETag means tiles were rewritten (a problem opened or closed, a building edited).
 * TODO: switch to the GraphQL subscription once the API offers one.
 */
export interface TilesetWatch {
  stop(): void
}

export function watchTileset(url: string, intervalS: number, onChange: () => Promise<void>): TilesetWatch {
  let etag: string | null = null
  let stopped = false
  let timer: ReturnType<typeof setTimeout> | undefined
  const tick = async () => {
    try {
      const response = await fetch(url, { cache: 'no-cache', headers: etag ? { 'if-none-match': etag } : {} })
      if (response.status === 200) {
        await response.arrayBuffer()
        const next = response.headers.get('etag')
        const changed = etag !== null && next !== etag
        etag = next
        if (changed) await onChange()
      }
    } catch (error) {
      console.warn('tileset watch:', error)
    }
    if (!stopped) timer = setTimeout(tick, intervalS * 1000)
  }
  void tick()
  return {
    stop() {
      stopped = true
      clearTimeout(timer)
    },
  }
}
