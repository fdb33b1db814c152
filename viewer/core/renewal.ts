/** Renewal-area overlay (片区): each area's outline rings and a label point, with its name. */
import type { Ring } from './gaps.ts'

export interface RenewalArea {
  databaseId?: number
  name: string
  kind: string | null
  geom: { type: string; coordinates?: unknown }
}

export interface RenewalOutline {
  name: string
  /** Every ring (outer and holes) of every part, as closed `[lon, lat]` lines. */
  rings: Ring[]
  /** Where the name goes: the centre of the largest part's outer ring (its vertex mean). */
  labelDeg: [number, number]
}

export const RENEWAL_OUTLINE_COLOUR = '#00d1c1'

const isPosition = (value: unknown): value is [number, number] =>
  Array.isArray(value) && typeof value[0] === 'number' && typeof value[1] === 'number'

function partsOf(geom: RenewalArea['geom']): Ring[][] {
  const toRings = (polygon: unknown): Ring[] =>
    Array.isArray(polygon)
      ? polygon.map((ring: unknown) =>
          Array.isArray(ring) ? ring.filter(isPosition).map(([x, y]) => [x, y] as [number, number]) : [],
        )
      : []
  if (geom.type === 'Polygon') return [toRings(geom.coordinates)]
  if (geom.type === 'MultiPolygon' && Array.isArray(geom.coordinates)) return geom.coordinates.map(toRings)
  return []
}

/** Shoelace area in square degrees: only compared between parts of one area. */
function ringArea(ring: Ring): number {
  let sum = 0
  for (let i = 0; i + 1 < ring.length; i++)
    sum += ring[i]![0] * ring[i + 1]![1] - ring[i + 1]![0] * ring[i]![1]
  return Math.abs(sum / 2)
}

export function renewalOutlines(areas: readonly RenewalArea[]): RenewalOutline[] {
  const out: RenewalOutline[] = []
  for (const area of areas) {
    const parts = partsOf(area.geom).filter((rings) => (rings[0]?.length ?? 0) >= 4)
    if (parts.length === 0) continue
    const largest = parts.reduce((a, b) => (ringArea(b[0]!) > ringArea(a[0]!) ? b : a))
    const outer = largest[0]!.slice(0, -1)
    const labelDeg: [number, number] = [
      outer.reduce((s, p) => s + p[0], 0) / outer.length,
      outer.reduce((s, p) => s + p[1], 0) / outer.length,
    ]
    out.push({ name: area.name, rings: parts.flat(), labelDeg })
  }
  return out
}
