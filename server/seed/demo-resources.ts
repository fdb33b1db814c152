import fs from 'node:fs'
import path from 'node:path'
import { sql } from 'drizzle-orm'
import type { Database } from '../db/client.ts'
import { codeAllocator } from '../db/resource-codes.ts'

/** The layer the derived candidates are shown in, apart from any department's. */
export const OSM_CANDIDATE_LAYER = 'OSM候选'

interface Candidate {
  key: string
  kind: string
  name: string
  geometry: unknown
  osm: Record<string, unknown>
}

type Props = Record<string, unknown>

const LIFECYCLE = /^(disused|abandoned|vacant)(:|$)/

/** A feature carrying a lifecycle prefix (`disused:shop`, `abandoned:building`) or a vacant/disused value. */
function lifecycleTag(props: Props): string | null {
  for (const [key, value] of Object.entries(props)) {
    if (LIFECYCLE.test(key)) return key
    if (typeof value === 'string' && /^(disused|abandoned|vacant)$/.test(value)) return `${key}=${value}`
  }
  return null
}

/**
 * Which OpenStreetMap features may be stock resources, by layer and tags (Tilezen schema): brownfield and
 * construction land, surface parking areas, bridge decks (the space beneath), buildings under construction,
 * and anything tagged disused, abandoned or vacant. None of them is known to be idle: each is a candidate.
 */
export function candidateOf(layer: string, props: Props): Omit<Candidate, 'key' | 'geometry' | 'osm'> | null {
  const kind = String(props.kind ?? '')
  const detail = String(props.kind_detail ?? '')
  const label = (props['name:zh'] ?? props.name ?? null) as string | null
  const named = (what: string) => (label ? `${label}（${what}）` : what)
  const lifecycle = lifecycleTag(props)
  if (layer === 'landuse') {
    if (kind === 'brownfield') return { kind: 'idle_land', name: named('棕地') }
    if (kind === 'construction') return { kind: 'idle_land', name: named('在建用地') }
    if (kind === 'parking') return { kind: 'parking', name: named('地面停车场') }
    if (kind === 'bridge') return { kind: 'under_bridge_space', name: named('桥下空间') }
    if (lifecycle) return { kind: 'idle_land', name: named('停用用地') }
  }
  if (layer === 'buildings' && (kind === 'building' || kind === 'building_part')) {
    if (detail === 'construction') return { kind: 'idle_building', name: named('在建或停工建筑') }
    if (lifecycle) return { kind: 'idle_building', name: named('停用建筑') }
  }
  if (layer === 'pois' && lifecycle) return { kind: 'idle_building', name: named('停用设施') }
  return null
}

function readCandidates(dir: string): Candidate[] {
  const found: Candidate[] = []
  for (const layer of ['landuse', 'buildings', 'pois']) {
    const file = path.join(dir, `${layer}.geojson`)
    if (!fs.existsSync(file)) continue
    const collection = JSON.parse(fs.readFileSync(file, 'utf8')) as {
      features: { properties?: Props; geometry?: { type?: string } }[]
    }
    for (const feature of collection.features) {
      const props = feature.properties ?? {}
      const type = feature.geometry?.type
      // Label points repeat the polygons they label; a point stands for a resource only in the POI layer.
      if (layer !== 'pois' && type !== 'Polygon' && type !== 'MultiPolygon') continue
      const candidate = candidateOf(layer, props)
      if (!candidate || props.id === undefined) continue
      found.push({
        ...candidate,
        key: `${layer}/${String(props.id)}`,
        geometry: feature.geometry,
        osm: { layer, id: props.id, kind: props.kind, kindDetail: props.kind_detail ?? null },
      })
    }
  }
  return found
}

/**
 * Writes the demo city's candidate resources derived from its OpenStreetMap files (source `osm`, state
 * `reported`), each saying in its attributes that it is a derived candidate to verify. A feature split across
 * tiles is joined into one resource; features outside every boundary are left out. Re-running adds only what is
 * new, so verified or rejected candidates keep their state. Returns the resources written.
 */
export async function seedDemoResources(database: Database, dir: string, licence: string): Promise<number> {
  const candidates = readCandidates(dir)
  if (candidates.length === 0) return 0
  return database.db.transaction(async (tx) => {
    const placed = (await tx.execute(sql`
      with c as (
        select x.key, min(x.kind) as kind, min(x.name) as name, (array_agg(x.osm))[1] as osm,
          ST_UnaryUnion(ST_Collect(ST_MakeValid(ST_SetSRID(ST_GeomFromGeoJSON(x.geometry::text), 4326)))) as g
        from jsonb_to_recordset(${JSON.stringify(candidates)}::jsonb)
          as x(key text, kind text, name text, geometry jsonb, osm jsonb)
        group by x.key
      )
      select c.key, c.kind, c.name, c.osm, ST_AsGeoJSON(c.g, 9) as geojson,
        case when GeometryType(c.g) = 'POINT' then null else ST_Area(c.g::geography) end as area,
        (select r.code from regions r where r.boundary is not null and ST_Covers(r.boundary, ST_PointOnSurface(c.g))
          order by length(r.scope_prefix) desc limit 1) as region
      from c
      where not exists (select 1 from stock_resources s where s.source = 'osm'
        and s.layer = ${OSM_CANDIDATE_LAYER} and s.source_key = c.key)
      order by c.key`)) as {
      rows: {
        key: string
        kind: string
        name: string
        osm: unknown
        geojson: string
        area: number | null
        region: string | null
      }[]
    }
    const inside = placed.rows.filter((r) => r.region !== null)
    const nextCode = await codeAllocator(
      tx,
      inside.map((r) => r.region!),
    )
    for (const r of inside) {
      const attributes = {
        derived: true,
        candidate: true,
        note: {
          zh: '由 OpenStreetMap 标签推导的候选资源，尚未核实，须实地核实后方可使用',
          en: 'A candidate derived from OpenStreetMap tags, not verified: verify it in the field before use',
        },
        osm: r.osm,
        licence,
      }
      await tx.execute(sql`insert into stock_resources (code, region_code, kind, name, geom, area_m2, layer,
          source, source_key, verification_state, reported_by, attributes)
        values (${nextCode(r.region!)}, ${r.region}, ${r.kind}, ${r.name},
          ST_SetSRID(ST_GeomFromGeoJSON(${r.geojson}), 4326), ${r.area}, ${OSM_CANDIDATE_LAYER}, 'osm', ${r.key},
          'reported', 'osm-derivation', ${JSON.stringify(attributes)}::jsonb)`)
    }
    return inside.length
  })
}
