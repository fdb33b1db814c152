import { sql } from 'drizzle-orm'
import type { Page } from 'playwright-core'
import type { Database } from '../../server/db/client.ts'

/** Browser tests wait for software rendering; generous but bounded. */
export const BROWSER_TIMEOUT_MS = 300_000

export interface KnownBuilding {
  id: number
  name: string
  lon: number
  lat: number
  height_m: number
  floors_estimated: boolean
  height_estimated: boolean
}

/** A named building of medium height, so no taller neighbour hides its roof from above. */
export async function knownBuilding(database: Database): Promise<KnownBuilding> {
  const [row] = await database.rows<KnownBuilding>(sql`
    select id, name, ST_X(ST_PointOnSurface(footprint)) as lon, ST_Y(ST_PointOnSurface(footprint)) as lat, height_m,
      floors_estimated, height_estimated
    from buildings where name is not null and height_m > 15 and min_height_m = 0
    order by height_m desc, id limit 1`)
  return {
    ...row!,
    id: Number(row!.id),
    lon: Number(row!.lon),
    lat: Number(row!.lat),
    height_m: Number(row!.height_m),
  }
}

/** Straight down onto the known building from 250 m above its roof. */
export async function lookDownAtBuilding(page: Page, known: KnownBuilding): Promise<void> {
  await page.evaluate(({ lon, lat, rangeM }) => window.__citycheck.map!.lookDownAt(lon, lat, rangeM), {
    lon: known.lon,
    lat: known.lat,
    rangeM: known.height_m + 250,
  })
}

/** Mean colour of a small PNG (decoded in the page). */
export async function meanColour(page: Page, png: Buffer): Promise<[number, number, number]> {
  return page.evaluate(async (base64) => {
    const image = new Image()
    image.src = `data:image/png;base64,${base64}`
    await image.decode()
    const canvas = document.createElement('canvas')
    canvas.width = image.width
    canvas.height = image.height
    const ctx = canvas.getContext('2d')!
    ctx.drawImage(image, 0, 0)
    const data = ctx.getImageData(0, 0, image.width, image.height).data
    const sum = [0, 0, 0]
    for (let i = 0; i < data.length; i += 4) for (let c = 0; c < 3; c++) sum[c]! += data[i + c]!
    const n = data.length / 4
    return [sum[0]! / n, sum[1]! / n, sum[2]! / n] as [number, number, number]
  }, png.toString('base64'))
}

/**
 * Share of the pixels that differ clearly between two PNG screenshots of the same view (decoded in the page): of
 * the whole image, or of its middle (the central half, both ways), e.g. what the buildings drew there.
 */
export async function changedPixelShare(
  page: Page,
  a: Buffer,
  b: Buffer,
  part: 'whole' | 'middle' = 'whole',
): Promise<number> {
  return page.evaluate(
    async ([pngA, pngB, middle]) => {
      const decode = async (base64: string) => {
        const image = new Image()
        image.src = `data:image/png;base64,${base64}`
        await image.decode()
        const canvas = document.createElement('canvas')
        canvas.width = image.width
        canvas.height = image.height
        const ctx = canvas.getContext('2d')!
        ctx.drawImage(image, 0, 0)
        const [w, h] = [image.width, image.height]
        return middle
          ? ctx.getImageData(Math.floor(w / 4), Math.floor(h / 4), Math.floor(w / 2), Math.floor(h / 2)).data
          : ctx.getImageData(0, 0, w, h).data
      }
      const [da, db] = [await decode(pngA!), await decode(pngB!)]
      let changed = 0
      for (let i = 0; i < da.length; i += 4) {
        const d =
          Math.abs(da[i]! - db[i]!) + Math.abs(da[i + 1]! - db[i + 1]!) + Math.abs(da[i + 2]! - db[i + 2]!)
        if (d > 40) changed++
      }
      return changed / (da.length / 4)
    },
    [a.toString('base64'), b.toString('base64'), part === 'middle'] as const,
  )
}
