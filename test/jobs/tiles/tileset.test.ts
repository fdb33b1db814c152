import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DuplicateBuildingIdError, EmptyTilesetError } from '../../../jobs/tiles/errors.ts'
import { DEG_TO_RAD, geodeticUp } from '../../../jobs/tiles/geodesy.ts'
import { BUILDING_USES, INT16_NO_DATA } from '../../../jobs/tiles/metadata.ts'
import { generateTileset, regenerateTiles } from '../../../jobs/tiles/tileset.ts'
import type { GenerateTilesetResult, TileBuilding } from '../../../jobs/tiles/types.ts'
import {
  type DecodedTile,
  decodeTile,
  footprintOf,
  formatIssues,
  gridBuildings,
  LAT0_DEG,
  LON0_DEG,
  lonLatBbox,
  readTileset,
  regionContains,
  removeTempDirs,
  type TileJson,
  tempDir,
  validateGlbFile,
  walkTiles,
} from './helpers.ts'

const MAX_FEATURES = 400

/** Inputs that must be skipped (reason pattern) or kept despite a degenerate part. */
function oddBuildings(): { buildings: TileBuilding[]; skippedIds: number[] } {
  const base = { baseM: 0, floors: null, use: null, yearBuilt: null, openProblems: 0, worstSeverity: 0 }
  const rect = footprintOf('rect', LON0_DEG, LAT0_DEG, 12, 9)
  const rectRing = rect.type === 'Polygon' ? rect.coordinates[0]! : []
  return {
    buildings: [
      {
        ...base,
        id: 900001,
        heightM: 10,
        footprint: {
          type: 'Polygon',
          coordinates: [
            [
              [LON0_DEG, LAT0_DEG],
              [LON0_DEG + 1e-4, LAT0_DEG],
            ],
          ],
        },
      },
      {
        ...base,
        id: 900002,
        heightM: 10,
        footprint: {
          type: 'Polygon',
          coordinates: [
            [
              [LON0_DEG, LAT0_DEG],
              [LON0_DEG + 1e-4, LAT0_DEG + 1e-4],
              [LON0_DEG + 2e-4, LAT0_DEG + 2e-4],
            ],
          ],
        },
      },
      {
        ...base,
        id: 900003,
        heightM: 10,
        footprint: { type: 'Polygon', coordinates: [[[Number.NaN, LAT0_DEG], ...rectRing.slice(1)]] },
      },
      { ...base, id: 900004, heightM: 0, footprint: rect },
      { ...base, id: 900005, heightM: 10, footprint: { type: 'MultiPolygon', coordinates: [] } },
      {
        ...base,
        id: 900006,
        heightM: 12,
        footprint: { type: 'Polygon', coordinates: [rectRing, [rectRing[0]!, rectRing[1]!]] },
      },
      {
        ...base,
        id: 900007,
        heightM: 14,
        footprint: {
          type: 'MultiPolygon',
          coordinates: [[rectRing], [[rectRing[0]!, rectRing[0]!, rectRing[0]!]]],
        },
      },
    ],
    skippedIds: [900001, 900002, 900003, 900004, 900005],
  }
}

interface LoadedTile {
  visit: ReturnType<typeof walkTiles>[number]
  uri: string
  decoded: DecodedTile
}

afterAll(removeTempDirs)

describe('generateTileset', () => {
  const dir = tempDir()
  const fixture = gridBuildings({ count: 3000 })
  const odd = oddBuildings()
  const input = [...fixture.buildings, ...odd.buildings]
  const byId = new Map(input.map((b) => [b.id, b]))
  let result: GenerateTilesetResult
  // biome-ignore lint/suspicious/noExplicitAny: parsed tileset.json
  let tileset: any
  let loaded: LoadedTile[]

  beforeAll(async () => {
    result = await generateTileset(input, { outDir: dir, maxFeaturesPerTile: MAX_FEATURES })
    tileset = readTileset(dir)
    loaded = walkTiles(tileset.root)
      .filter((v) => v.tile.content)
      .map((visit) => {
        const uri = visit.tile.content!.uri
        return { visit, uri, decoded: decodeTile(fs.readFileSync(path.join(dir, uri)), visit.worldTransform) }
      })
  })

  it('without block massings, writes a 3D Tiles 1.1 quadtree with content only in leaves', () => {
    expect(tileset.asset.version).toBe('1.1')
    expect(tileset.root.refine).toBe('ADD')
    expect(Object.keys(tileset.schema.classes)).toEqual(['building'])
    expect(tileset.geometricError).toBeGreaterThanOrEqual(tileset.root.geometricError)
    expect(result.tiles).toBeGreaterThanOrEqual(3000 / MAX_FEATURES)
    expect(result.contentUris).toHaveLength(result.tiles)
    expect(loaded.map((t) => t.uri).sort()).toEqual([...result.contentUris].sort())
    const glbs = fs.readdirSync(dir).filter((f) => f.endsWith('.glb'))
    expect(glbs.sort()).toEqual([...result.contentUris].sort())
    expect(result.bytes).toBe(glbs.reduce((s, f) => s + fs.statSync(path.join(dir, f)).size, 0))

    for (const { tile, parent } of walkTiles(tileset.root)) {
      const children = tile.children ?? []
      if (tile.content) {
        expect(children).toHaveLength(0)
        expect(tile.geometricError).toBe(0)
        expect(tile.transform).toHaveLength(16)
      } else {
        expect(children.length).toBeGreaterThan(0)
        expect(tile.transform).toBeUndefined()
        expect(tile.geometricError).toBeGreaterThan(0)
      }
      if (parent) expect(tile.geometricError).toBeLessThan(parent.geometricError)
    }
    for (const t of loaded) {
      const features = t.decoded.glb.json.extensions.EXT_structural_metadata.propertyTables[0].count
      expect(features).toBeLessThanOrEqual(MAX_FEATURES)
      expect(features).toBeGreaterThan(0)
    }
  })

  it('produces GLBs that pass the Khronos glTF validator', async () => {
    for (const uri of result.contentUris) {
      const report = await validateGlbFile(path.join(dir, uri))
      if (report.issues.numErrors > 0) console.error(`${uri}\n${formatIssues(report)}`)
      expect(report.issues.numErrors, formatIssues(report)).toBe(0)
      // Validators without EXT_mesh_features/EXT_structural_metadata support may only warn about them.
      for (const m of report.issues.messages.filter((m) => m.code === 'UNSUPPORTED_EXTENSION')) {
        expect(m.severity).toBeGreaterThan(0)
        expect(m.message).toMatch(/EXT_mesh_features|EXT_structural_metadata/)
      }
    }
  })

  it('uses float32 positions with exact accessor bounds and indexed triangles', () => {
    for (const { decoded } of loaded) {
      const acc = decoded.glb.json.accessors
      const prim = decoded.glb.json.meshes[0].primitives[0]
      expect(decoded.glb.json.meshes).toHaveLength(1)
      expect(decoded.glb.json.meshes[0].primitives).toHaveLength(1)
      expect(prim.mode).toBe(4)
      expect(acc[prim.attributes.POSITION].componentType).toBe(5126)
      expect(acc[prim.attributes._FEATURE_ID_0].componentType).toBe(5126)
      const expectedIndexType = decoded.vertexCount > 65535 ? 5125 : 5123
      expect(acc[prim.indices].componentType).toBe(expectedIndexType)
      const min = [Infinity, Infinity, Infinity]
      const max = [-Infinity, -Infinity, -Infinity]
      for (let i = 0; i < decoded.positions.length; i++) {
        min[i % 3] = Math.min(min[i % 3]!, decoded.positions[i]!)
        max[i % 3] = Math.max(max[i % 3]!, decoded.positions[i]!)
      }
      expect(acc[prim.attributes.POSITION].min).toEqual(min)
      expect(acc[prim.attributes.POSITION].max).toEqual(max)
      for (const bv of decoded.glb.json.bufferViews) expect(bv.byteOffset % 8).toBe(0)
    }
  })

  it('bounding regions contain every vertex and nest inside their parents', () => {
    for (const { visit, decoded, uri } of loaded) {
      const [w, s, e, n, minH, maxH] = visit.tile.boundingVolume.region
      const c = decoded.carto
      for (let i = 0; i < decoded.vertexCount; i++) {
        const lon = c[3 * i]!
        const lat = c[3 * i + 1]!
        const h = c[3 * i + 2]!
        if (!(lon >= w && lon <= e && lat >= s && lat <= n && h >= minH && h <= maxH)) {
          throw new Error(
            `${uri}: vertex ${i} (${lon}, ${lat}, ${h}) outside region ${visit.tile.boundingVolume.region}`,
          )
        }
      }
    }
    for (const { tile, parent } of walkTiles(tileset.root)) {
      if (parent) expect(regionContains(parent.boundingVolume.region, tile.boundingVolume.region)).toBe(true)
    }
  })

  it('maps feature ids back to the right building, footprint and height', () => {
    const seen = new Set<number>()
    for (const { decoded, uri } of loaded) {
      const { columns, featureIds, carto } = decoded
      const rows = columns.id.length as number
      const sumLon = new Float64Array(rows)
      const sumLat = new Float64Array(rows)
      const count = new Uint32Array(rows)
      const minH = new Float64Array(rows).fill(Infinity)
      const maxH = new Float64Array(rows).fill(-Infinity)
      for (let v = 0; v < decoded.vertexCount; v++) {
        const f = featureIds[v]!
        if (!(Number.isInteger(f) && f >= 0 && f < rows))
          throw new Error(`${uri}: bad feature id ${f} at vertex ${v}`)
        sumLon[f] = sumLon[f]! + carto[3 * v]! / DEG_TO_RAD
        sumLat[f] = sumLat[f]! + carto[3 * v + 1]! / DEG_TO_RAD
        count[f] = count[f]! + 1
        minH[f] = Math.min(minH[f]!, carto[3 * v + 2]!)
        maxH[f] = Math.max(maxH[f]!, carto[3 * v + 2]!)
      }
      for (let row = 0; row < rows; row++) {
        const id = columns.id[row] as number
        const b = byId.get(id)!
        expect(b, `row ${row} of ${uri}`).toBeDefined()
        expect(seen.has(id)).toBe(false)
        seen.add(id)
        expect(result.tileOf.get(id)).toBe(uri)
        expect(count[row]).toBeGreaterThan(0)
        const [west, south, east, north] = lonLatBbox(b.footprint)
        const lon = sumLon[row]! / count[row]!
        const lat = sumLat[row]! / count[row]!
        expect(lon >= west && lon <= east && lat >= south && lat <= north, `centroid of ${id}`).toBe(true)
        expect(maxH[row]).toBeCloseTo(b.baseM + b.heightM, 2)
        expect(minH[row]).toBeCloseTo(b.baseM, 2)
        expect(columns.heightM[row]).toBeCloseTo(b.heightM, 4)
        expect(columns.floors[row]).toBe(b.floors ?? INT16_NO_DATA)
        expect(columns.yearBuilt[row]).toBe(b.yearBuilt ?? INT16_NO_DATA)
        expect(columns.openProblems[row]).toBe(b.openProblems)
        expect(columns.worstSeverity[row]).toBe(b.worstSeverity)
        const expectedUse =
          b.use === null
            ? 255
            : BUILDING_USES.indexOf(
                (BUILDING_USES as readonly string[]).includes(b.use) ? (b.use as 'other') : 'other',
              )
        expect(columns.use[row]).toBe(expectedUse)
      }
    }
    const expectedIds = input.map((b) => b.id).filter((id) => !odd.skippedIds.includes(id))
    expect([...seen].sort((a, b) => a - b)).toEqual(expectedIds.sort((a, b) => a - b))
    expect([...result.tileOf.keys()].sort((a, b) => a - b)).toEqual(expectedIds)
  })

  it('builds closed, outward-facing extrusions of upright walls, flat roofs and floors', () => {
    const volume = new Map<number, number>()
    let roofTriangles = 0
    let floorTriangles = 0
    let mixedTriangles = 0
    let slanted = 0
    for (const { decoded } of loaded) {
      const { ecef, indices, featureIds, carto, columns } = decoded
      const ref = [ecef[0]!, ecef[1]!, ecef[2]!]
      for (let t = 0; t < indices.length; t += 3) {
        const [a, b, c] = [indices[t]!, indices[t + 1]!, indices[t + 2]!]
        const p = (v: number) => [
          ecef[3 * v]! - ref[0]!,
          ecef[3 * v + 1]! - ref[1]!,
          ecef[3 * v + 2]! - ref[2]!,
        ]
        const [pa, pb, pc] = [p(a), p(b), p(c)]
        const u = [pb[0]! - pa[0]!, pb[1]! - pa[1]!, pb[2]! - pa[2]!]
        const w = [pc[0]! - pa[0]!, pc[1]! - pa[1]!, pc[2]! - pa[2]!]
        const cross = [
          u[1]! * w[2]! - u[2]! * w[1]!,
          u[2]! * w[0]! - u[0]! * w[2]!,
          u[0]! * w[1]! - u[1]! * w[0]!,
        ]
        const len = Math.hypot(cross[0]!, cross[1]!, cross[2]!)
        if (featureIds[a] !== featureIds[b] || featureIds[a] !== featureIds[c]) mixedTriangles++
        const id = columns.id[featureIds[a]!] as number
        const signed =
          (pa[0]! * (pb[1]! * pc[2]! - pb[2]! * pc[1]!) +
            pa[1]! * (pb[2]! * pc[0]! - pb[0]! * pc[2]!) +
            pa[2]! * (pb[0]! * pc[1]! - pb[1]! * pc[0]!)) /
          6
        volume.set(id, (volume.get(id) ?? 0) + signed)
        if (len < 1e-3) continue
        // The tiles carry no normals: the viewer shades each face by its winding's normal, checked here.
        const up = geodeticUp(carto[3 * a]!, carto[3 * a + 1]!)
        const facing = (up[0] * cross[0]! + up[1] * cross[1]! + up[2] * cross[2]!) / len
        if (facing > 0.9999) roofTriangles++
        else if (facing < -0.9999) floorTriangles++
        else if (Math.abs(facing) > 1e-3) slanted++
      }
    }
    expect({ mixedTriangles, slanted }).toEqual({ mixedTriangles: 0, slanted: 0 })
    expect(roofTriangles).toBeGreaterThan(0)
    expect(floorTriangles).toBe(roofTriangles)
    for (const b of fixture.buildings) {
      const expected = fixture.areaM2.get(b.id)! * b.heightM
      expect(Math.abs(volume.get(b.id)! - expected) / expected, `volume of ${b.id}`).toBeLessThan(0.01)
    }
  })

  it('reports skipped buildings with a reason and keeps buildings with degenerate parts', () => {
    expect(result.skipped.map((s) => s.id)).toEqual(odd.skippedIds)
    for (const s of result.skipped) expect(s.reason).toMatch(/\w/)
    expect(result.tileOf.has(900006)).toBe(true)
    expect(result.tileOf.has(900007)).toBe(true)
  })

  it('writes byte-identical output for the same buildings in any order', async () => {
    const other = tempDir()
    const shuffled = [...input].reverse()
    for (let i = 0; i < shuffled.length; i += 7) {
      const j = (i * 31) % shuffled.length
      ;[shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!]
    }
    await generateTileset(shuffled, { outDir: other, maxFeaturesPerTile: MAX_FEATURES })
    const files = fs.readdirSync(dir).sort()
    expect(fs.readdirSync(other).sort()).toEqual(files)
    for (const f of files) {
      expect(fs.readFileSync(path.join(other, f)).equals(fs.readFileSync(path.join(dir, f))), f).toBe(true)
    }
  })

  it('rejects duplicate building ids', async () => {
    const b = fixture.buildings[0]!
    await expect(generateTileset([b, { ...b }], { outDir: tempDir() })).rejects.toBeInstanceOf(
      DuplicateBuildingIdError,
    )
  })

  it('replaces a previous run in the same directory without leaving stale or temporary files', async () => {
    const again = tempDir()
    const first = await generateTileset(input, { outDir: again, maxFeaturesPerTile: 200 })
    const second = await generateTileset(input, { outDir: again, maxFeaturesPerTile: 1000 })
    expect(first.tiles).toBeGreaterThan(second.tiles)
    const files = fs.readdirSync(again).sort()
    expect(files).toEqual([...second.contentUris, 'manifest.json', 'tileset.json'].sort())
  })

  it('writes an empty tileset for a fixed extent and fills it by regeneration', async () => {
    await expect(generateTileset([], { outDir: tempDir() })).rejects.toBeInstanceOf(EmptyTilesetError)
    const empty = tempDir()
    const rootExtentDeg = { westDeg: 121.4, southDeg: 31.1, eastDeg: 121.6, northDeg: 31.3 }
    const r = await generateTileset([], { outDir: empty, rootExtentDeg })
    expect(r.tiles).toBe(0)
    const root = readTileset(empty).root as TileJson
    expect(root.content).toBeUndefined()
    expect(root.boundingVolume.region[0]).toBeCloseTo(121.4 * DEG_TO_RAD, 12)

    const some = fixture.buildings.slice(0, 20)
    const regen = await regenerateTiles(some, { outDir: empty, tileKeys: ['0-0-0'] })
    expect(regen.rewritten).toEqual(['0-0-0'])
    const filled = readTileset(empty).root as TileJson
    expect(filled.content?.uri).toBe('0-0-0.glb')
    const report = await validateGlbFile(path.join(empty, '0-0-0.glb'))
    expect(report.issues.numErrors, formatIssues(report)).toBe(0)
  })

  it('keeps a single small tileset valid with the root as the only leaf', async () => {
    const small = tempDir()
    const r = await generateTileset(gridBuildings({ count: 50 }).buildings, { outDir: small })
    expect(r.tiles).toBe(1)
    const ts = readTileset(small)
    const root = ts.root as TileJson
    expect(root.content?.uri).toBe(r.contentUris[0])
    expect(ts.geometricError).toBeGreaterThan(0)
    const report = await validateGlbFile(path.join(small, r.contentUris[0]!))
    expect(report.issues.numErrors, formatIssues(report)).toBe(0)
  })
})
