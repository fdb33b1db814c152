/** What the viewer benchmark shows: the city's extent, its tileset built and updated by the job code, its GeoJSON. */

import { open, readdir, stat } from 'node:fs/promises'
import path from 'node:path'
import { sql } from 'drizzle-orm'
import {
  type BuildCityTilesetResult,
  buildCityTileset,
  type UpdateCityTilesResult,
  updateCityTiles,
} from '../jobs/tiles/city.ts'
import type { Database } from '../server/db/client.ts'

export interface CityBounds {
  buildings: number
  westDeg: number
  southDeg: number
  eastDeg: number
  northDeg: number
  maxHeightM: number
}

export async function cityBounds(database: Database): Promise<CityBounds> {
  const [row] = await database.rows<Record<keyof CityBounds, number | string>>(sql`
    select count(*)::int as buildings, ST_XMin(ST_Extent(footprint)) as "westDeg",
      ST_YMin(ST_Extent(footprint)) as "southDeg", ST_XMax(ST_Extent(footprint)) as "eastDeg",
      ST_YMax(ST_Extent(footprint)) as "northDeg", max(height_m) as "maxHeightM"
    from buildings`)
  if (!row) throw new Error('the synthetic city has no buildings')
  return {
    buildings: Number(row.buildings),
    westDeg: Number(row.westDeg),
    southDeg: Number(row.southDeg),
    eastDeg: Number(row.eastDeg),
    northDeg: Number(row.northDeg),
    maxHeightM: Number(row.maxHeightM),
  }
}

export interface BuiltTileset {
  built: BuildCityTilesetResult
  /** Buildings with a footprint the tiles could draw. */
  drawable: number
  /** Wall time of `buildCityTileset` from the database to the files on disk. */
  seconds: number
  /** tileset.json and the GLBs: what a client downloads. */
  bytes: number
  bytesPerBuilding: number
}

/** The tileset as the tiles job builds it, timed. */
export async function buildTileset(
  database: Database,
  tilesDir: string,
  maxFeaturesPerTile: number,
): Promise<BuiltTileset> {
  const started = performance.now()
  const built = await buildCityTileset(database, { outDir: tilesDir, maxFeaturesPerTile })
  const seconds = (performance.now() - started) / 1000
  const bytes = await tilesetBytes(tilesDir)
  const drawable = built.buildings - built.skipped.length
  return { built, drawable, seconds, bytes, bytesPerBuilding: bytes / Math.max(1, drawable) }
}

/** Tileset files a client downloads; manifest.json and source.json are the generator's bookkeeping. */
const isTilesetFile = (name: string) => name === 'tileset.json' || name.endsWith('.glb')

async function tilesetBytes(dir: string): Promise<number> {
  let bytes = 0
  for (const name of await readdir(dir)) {
    if (isTilesetFile(name)) bytes += (await stat(path.join(dir, name))).size
  }
  return bytes
}

export interface TilesetUpdate extends UpdateCityTilesResult {
  buildingId: number
}

/** A problem opened on the middle building: the job rewrites its leaf and the massings above it. */
export async function updateAfterProblem(
  database: Database,
  city: CityBounds,
  tilesDir: string,
): Promise<TilesetUpdate> {
  const [target] = await database.rows<{ id: number; region_code: string }>(
    sql`select id, region_code from buildings order by id limit 1 offset ${Math.floor(city.buildings / 2)}`,
  )
  if (!target) throw new Error('the synthetic city has no building to open a problem on')
  await database.rows(sql`
    insert into problems (region_code, type, title, building_id, severity, source, year_found, state)
    values (${target.region_code}, 'safety', 'bench: facade', ${target.id}, 3, 'inspection', 2025, 'identified')`)
  const buildingId = Number(target.id)
  const update = await updateCityTiles(database, { outDir: tilesDir, buildingIds: [buildingId] })
  return { ...update, buildingId }
}

/**
 * The buildings as one GeoJSON FeatureCollection: footprint, base and roof height (metres above the ellipsoid,
 * like the tiles) and use, written in batches so a large city never becomes one string.
 */
export async function writeBuildingsGeoJson(database: Database, file: string): Promise<number> {
  const handle = await open(file, 'w')
  try {
    await handle.write('{"type":"FeatureCollection","features":[\n')
    let afterId = 0
    let first = true
    for (;;) {
      const rows = await database.rows<{
        id: number
        geometry: string
        base: number
        top: number
        use: string
      }>(
        sql`select id, ST_AsGeoJSON(footprint, 7) as geometry, min_height_m as base, height_m as top, use
          from buildings where id > ${afterId} order by id limit 20000`,
      )
      if (rows.length === 0) break
      const chunk = rows.map((r) => {
        const properties = JSON.stringify({
          id: Number(r.id),
          base: Number(r.base),
          top: Number(r.top),
          use: r.use,
        })
        return `{"type":"Feature","id":${Number(r.id)},"geometry":${r.geometry},"properties":${properties}}`
      })
      await handle.write(`${first ? '' : ',\n'}${chunk.join(',\n')}`)
      first = false
      afterId = Number(rows.at(-1)!.id)
    }
    await handle.write('\n]}\n')
  } finally {
    await handle.close()
  }
  return (await stat(file)).size
}
