/**
 * Camera presets: the whole city and one per district, framed on the districts' boundaries (from GraphQL), or
 * on the extent of a district's buildings when it has no boundary.
 */
import { type ExtentDeg, extentCentredInside, padExtent, unionExtent } from './extent.ts'
import type { Lang } from './i18n.ts'

export const CITY_CODE = '310100'

export interface CameraPreset {
  /** `city` or a district code. */
  key: string
  /**
   * What the camera frames, looking at its centre: the district's boundary box, widened where the box's centre
   * falls outside the district, so that the centre is the district's.
   */
  extent: ExtentDeg
  /** District name in each language (absent for the city preset, which is labelled by the UI). */
  name?: Record<Lang, string>
  /** What the extent was taken from. */
  source: 'boundary' | 'buildings' | 'tiles'
}

/** A child region of the city as read from `region(code) { children { … boundary } }`. */
export interface DistrictRegion {
  code: string
  name: string
  nameEn: string | null
  boundary: { type: string; coordinates?: unknown } | null
}

/** English names of the demo's districts, for division data that carries none. */
const DISTRICT_NAMES_EN: Record<string, string> = {
  '310101': 'Huangpu',
  '310109': 'Hongkou',
  '310115': 'Pudong',
}

/** Margin around a district's buildings, which stop short of its edge; a boundary is the edge. */
const BUILDINGS_PADDING = 0.1

/**
 * The city preset and one per district that has a boundary or, failing that, buildings; districts with
 * neither are left out. The city preset frames every district preset, or the tiles when there is none.
 */
export function cameraPresets(
  districts: readonly DistrictRegion[],
  buildingExtents: ReadonlyMap<string, ExtentDeg>,
  tilesExtent: ExtentDeg,
): CameraPreset[] {
  const out: CameraPreset[] = []
  for (const d of [...districts].sort((a, b) => a.code.localeCompare(b.code))) {
    const boundary = extentCentredInside(d.boundary)
    const buildings = buildingExtents.get(d.code)
    const extent = boundary ?? (buildings ? padExtent(buildings, BUILDINGS_PADDING) : null)
    if (!extent) continue
    out.push({
      key: d.code,
      extent,
      name: { 'zh-CN': d.name, en: d.nameEn ?? DISTRICT_NAMES_EN[d.code] ?? d.name },
      source: boundary ? 'boundary' : 'buildings',
    })
  }
  const city = unionExtent(out.map((p) => p.extent))
  const source = !city ? 'tiles' : out.every((p) => p.source === 'boundary') ? 'boundary' : 'buildings'
  return [{ key: 'city', extent: city ?? tilesExtent, source }, ...out]
}
