/**
 * The base map of a city as GeoJSON at `/basemap/<region code>.json` (docs/adr/0019): water, green and other
 * land use, compounds, roads with their class, and district boundaries with a label point and names. Everything
 * in it is imported open data (OpenStreetMap, division boundaries), so it is public like `/tiles/city/`. The
 * viewer draws it on the ground under the buildings; no tiles come from anywhere else.
 */
import type http from 'node:http'
import { sql } from 'drizzle-orm'
import type { AppContext } from '../app-context.ts'
import { notFound, readOnlyMethod } from './files.ts'

const BASEMAP_PATH = /^(\d{6})\.json$/

/** Vertices closer than this (degrees, about 1 m) are dropped: the base map is looked at from above a block. */
const SIMPLIFY_DEG = 0.00001

export async function serveBaseMap(
  app: AppContext,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  rel: string,
): Promise<void> {
  if (!readOnlyMethod(req, res)) return
  const match = BASEMAP_PATH.exec(rel)
  if (!match) return notFound(res)
  const [region] = await app.database.rows<{ prefix: string }>(
    sql`select scope_prefix as prefix from regions where code = ${match[1]!} and is_public`,
  )
  if (!region) return notFound(res)
  const body = JSON.stringify(await baseMapOf(app, region.prefix))
  res.writeHead(200, {
    'content-type': 'application/geo+json; charset=utf-8',
    // Imports are rare; a reload after one gets the new map within minutes.
    'cache-control': 'public, max-age=300',
  })
  res.end(body)
}

/** One feature of the base map: `layer` says how it is drawn, `kind` its class within the layer. */
export interface BaseMapFeature {
  type: 'Feature'
  properties: {
    layer: 'water' | 'green' | 'landuse' | 'road' | 'district'
    kind: string
    name: string | null
    nameEn?: string | null
    /** A district's label point. */
    label?: [number, number]
  }
  geometry: { type: string; coordinates: unknown }
}

/** Every feature of the base map inside the region (by its code prefix), areas first, then lines. */
export async function baseMapOf(
  app: Pick<AppContext, 'database'>,
  prefix: string,
): Promise<{ type: 'FeatureCollection'; features: BaseMapFeature[] }> {
  const like = `${prefix}%`
  const simplified = (column: string) =>
    sql.raw(`ST_AsGeoJSON(ST_SimplifyPreserveTopology(${column}, ${SIMPLIFY_DEG}), 6)::json`)
  const rows = await app.database.rows<{ layer: string; kind: string; name: string | null; g: unknown }>(sql`
    select cover as layer, kind, name, ${simplified('geom')} as g, 0 as o from land_cover where region_code like ${like}
    union all
    select 'landuse', 'residential', name, ${simplified('geom')}, 1 from compounds where region_code like ${like}
    union all
    select 'road', kind, name, ${simplified('geom')}, 2 from roads where region_code like ${like}
    order by o`)
  const districts = await app.database.rows<{
    code: string
    name: string
    name_en: string | null
    g: unknown
    lon: number
    lat: number
  }>(sql`
    select code, name, name_en, ${simplified('ST_Boundary(boundary)')} as g,
      ST_X(ST_PointOnSurface(boundary)) as lon, ST_Y(ST_PointOnSurface(boundary)) as lat
    from regions where parent_code is not null and scope_prefix like ${like} and level = 'district'
      and boundary is not null and is_public
    order by code`)
  const features: BaseMapFeature[] = rows.map((r) => ({
    type: 'Feature',
    properties: { layer: r.layer as BaseMapFeature['properties']['layer'], kind: r.kind, name: r.name },
    geometry: parsed(r.g),
  }))
  for (const d of districts) {
    features.push({
      type: 'Feature',
      properties: {
        layer: 'district',
        kind: 'district',
        name: d.name,
        nameEn: d.name_en,
        label: [Number(d.lon), Number(d.lat)],
      },
      geometry: parsed(d.g),
    })
  }
  return { type: 'FeatureCollection', features }
}

/** PGlite hands json back parsed, node-postgres too; a string only from a driver that does neither. */
function parsed(value: unknown): BaseMapFeature['geometry'] {
  return (typeof value === 'string' ? JSON.parse(value) : value) as BaseMapFeature['geometry']
}
