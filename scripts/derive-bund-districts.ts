/**
 * Derives approximate district boundaries for the Bund demo from the river centre lines in the OSM water
 * layer: the Huangpu (黄浦江) separates 浦东新区 from Puxi, Suzhou Creek (吴淞江/苏州河) separates 虹口区
 * (north) from 黄浦区 (south). The result is written to data/bund-districts.geojson; it covers only the demo's
 * bounding box and is an approximation derived from the data, not an official boundary.
 */
import fs from 'node:fs'
import path from 'node:path'
import { sql } from 'drizzle-orm'
import { PROJECT_ROOT } from '../server/config.ts'
import { migrateDatabase, openDatabase } from '../server/db/client.ts'

type Pt = [number, number]
const BBOX = [121.4802, 31.2264, 121.5208, 31.251] as const
const key = (p: Pt) => `${p[0]},${p[1]}`

/** Joins line pieces that share end points into one chain (the river lines are cut at tile edges). */
function chain(pieces: Pt[][]): Pt[] {
  let line = [...(pieces.shift() ?? [])]
  while (pieces.length > 0) {
    const i = pieces.findIndex(
      (p) =>
        key(p[0] as Pt) === key(line[line.length - 1] as Pt) ||
        key(p[p.length - 1] as Pt) === key(line[0] as Pt),
    )
    if (i < 0) throw new Error('river pieces do not form one chain')
    const [p] = pieces.splice(i, 1) as [Pt[]]
    line =
      key(p[0] as Pt) === key(line[line.length - 1] as Pt)
        ? [...line, ...p.slice(1)]
        : [...p.slice(0, -1), ...line]
  }
  return line
}

/** Extends an end of a line along its last segment so it crosses the bounding box edge. */
function extend(line: Pt[], atStart: boolean): Pt[] {
  const [a, b] = atStart
    ? [line[1] as Pt, line[0] as Pt]
    : [line[line.length - 2] as Pt, line[line.length - 1] as Pt]
  const len = Math.hypot(b[0] - a[0], b[1] - a[1])
  const far: Pt = [b[0] + ((b[0] - a[0]) / len) * 0.02, b[1] + ((b[1] - a[1]) / len) * 0.02]
  return atStart ? [far, ...line] : [...line, far]
}

const water = JSON.parse(
  fs.readFileSync(path.join(PROJECT_ROOT, '../shared/data/shanghai-bund/water.geojson'), 'utf8'),
)
const lines = (name: string[]) =>
  water.features
    .filter(
      (f: { properties: { kind: string; name?: string } }) =>
        f.properties.kind === 'river' && name.includes(f.properties.name ?? ''),
    )
    .map((f: { geometry: { coordinates: Pt[] } }) => f.geometry.coordinates)
const huangpu = extend(extend(chain(lines(['黄浦江'])), true), false)
const suzhou = extend(chain(lines(['吴淞江', '苏州河'])), true)

const database = await openDatabase({ dataDir: 'memory://' })
await migrateDatabase(database)
const seeds = [
  { code: '310115', name: '浦东新区', lon: 121.505, lat: 31.238 },
  { code: '310109', name: '虹口区', lon: 121.495, lat: 31.2495 },
  { code: '310101', name: '黄浦区', lon: 121.485, lat: 31.235 },
]
const geojson = (l: Pt[]) => JSON.stringify({ type: 'LineString', coordinates: l })
const pieces = await database.rows<{ code: string; geom: string }>(sql`
  with cut as (
    select (ST_Dump(ST_Split(ST_MakeEnvelope(${BBOX[0]}, ${BBOX[1]}, ${BBOX[2]}, ${BBOX[3]}, 4326),
      ST_Union(ST_SetSRID(ST_GeomFromGeoJSON(${geojson(huangpu)}), 4326), ST_SetSRID(ST_GeomFromGeoJSON(${geojson(suzhou)}), 4326))))).geom as g
  ), seeds as (select * from json_to_recordset(${JSON.stringify(seeds)}::json) as s(code text, name text, lon float8, lat float8))
  select s.code, ST_AsGeoJSON(ST_Multi(ST_Union(c.g)), 7) as geom
  from cut c join lateral (
    select code from seeds order by ST_Distance(c.g, ST_SetSRID(ST_MakePoint(lon, lat), 4326)) limit 1) s on true
  group by s.code order by s.code`)
await database.close()
const out = {
  type: 'FeatureCollection',
  note: 'Approximate district boundaries within the Bund demo extent, derived from OpenStreetMap river lines (scripts/derive-bund-districts.ts). Not official boundaries. © OpenStreetMap contributors, ODbL 1.0.',
  features: pieces.map((p) => ({
    type: 'Feature',
    properties: { code: p.code, name: seeds.find((s) => s.code === p.code)?.name },
    geometry: JSON.parse(p.geom),
  })),
}
fs.writeFileSync(path.join(PROJECT_ROOT, 'data/bund-districts.geojson'), `${JSON.stringify(out)}\n`)
console.log(`wrote ${pieces.length} district boundaries`)
