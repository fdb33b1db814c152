import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { InvalidTilesOptionError, ManifestError } from '../../../jobs/tiles/errors.ts'
import { readBufferView } from '../../../jobs/tiles/glb.ts'
import { readManifest, TileIndex } from '../../../jobs/tiles/manifest.ts'
import { massingSourceOf } from '../../../jobs/tiles/massing.ts'
import { BUILDING_USES } from '../../../jobs/tiles/metadata.ts'
import { formatTileKey, parentCoord, parseTileKey } from '../../../jobs/tiles/quadtree.ts'
import {
  generateTileset,
  massingUpdateArea,
  regenerateMassings,
  regenerateTiles,
} from '../../../jobs/tiles/tileset.ts'
import type { TileBuilding } from '../../../jobs/tiles/types.ts'
import {
  type DecodedTile,
  decodeTile,
  formatIssues,
  gridBuildings,
  readTileset,
  regionContains,
  removeTempDirs,
  type TileJson,
  tempDir,
  validateGlbFile,
  walkTiles,
} from './helpers.ts'

const MAX_FEATURES = 150
const UNSIGNED_INT = 5125
const DEPTH = 2

afterAll(removeTempDirs)

interface Loaded {
  tile: TileJson
  parent: TileJson | null
  uri: string
  decoded: DecodedTile
}

function load(dir: string): { tileset: { root: TileJson; geometricError: number }; tiles: Loaded[] } {
  const tileset = readTileset(dir)
  const tiles = walkTiles(tileset.root)
    .filter((v) => v.tile.content)
    .map((v) => ({
      tile: v.tile,
      parent: v.parent,
      uri: v.tile.content!.uri,
      decoded: decodeTile(fs.readFileSync(path.join(dir, v.tile.content!.uri)), v.worldTransform),
    }))
  return { tileset, tiles }
}

/** Each feature's `members` (a variable-length array property), or null when the tile's table has none. */
function decodeMembers(decoded: DecodedTile): number[][] | null {
  const glb = decoded.glb
  const table = glb.json.extensions.EXT_structural_metadata.propertyTables[0]
  const prop = table.properties.members as { values: number; arrayOffsets: number } | undefined
  if (!prop) return null
  const values = readBufferView(glb, prop.values, UNSIGNED_INT)
  const offsets = readBufferView(glb, prop.arrayOffsets, UNSIGNED_INT)
  return Array.from({ length: table.count }, (_, f) =>
    Array.from(values.subarray(offsets[f]!, offsets[f + 1]!)),
  )
}

/** Ids of the buildings in the leaves below a tile. */
function leafIds(tile: TileJson, tiles: readonly Loaded[]): number[] {
  if (!tile.children) return Array.from(tiles.find((t) => t.tile === tile)!.decoded.columns.id as Uint32Array)
  return tile.children.flatMap((c) => leafIds(c, tiles))
}

describe('block massings (generateTileset with massingDepth)', () => {
  const dir = tempDir()
  const { buildings } = gridBuildings({ count: 2500, spacingM: 35 })
  const byId = new Map(buildings.map((b) => [b.id, b]))
  let loaded: ReturnType<typeof load>

  beforeAll(async () => {
    await generateTileset(buildings, { outDir: dir, maxFeaturesPerTile: MAX_FEATURES, massingDepth: DEPTH })
    loaded = load(dir)
  })

  it('gives every inner tile a massing and refines by REPLACE', () => {
    const { tileset, tiles } = loaded
    expect(tileset.root.refine).toBe('REPLACE')
    const inner = walkTiles(tileset.root).filter((v) => v.tile.children)
    expect(inner.length).toBeGreaterThan(1)
    for (const { tile } of inner) expect(tile.content, 'inner tile content').toBeDefined()
    // Leaves still hold each building exactly once.
    const ids = tiles
      .filter((t) => !t.tile.children)
      .flatMap((t) => Array.from(t.decoded.columns.id as Uint32Array))
    expect(ids.sort((a, b) => a - b)).toEqual(buildings.map((b) => b.id))
  })

  it('stands each box for the buildings anchored in its cell, with their attributes', () => {
    const { tiles } = loaded
    for (const t of tiles.filter((x) => x.tile.children)) {
      const c = t.decoded.columns
      const below = leafIds(t.tile, tiles).map((id) => byId.get(id)!)
      expect(c.id.length).toBeLessThanOrEqual(2 ** DEPTH * 2 ** DEPTH)
      expect(Array.from(c.id as Uint32Array).every((id) => id === 0)).toBe(true)
      expect(
        Array.from(c.buildings as Uint32Array).reduce((a, b) => a + b, 0),
        t.uri,
      ).toBe(below.length)
      expect(Array.from(c.openProblems as Uint16Array).reduce((a, b) => a + b, 0)).toBe(
        below.reduce((a, b) => a + b.openProblems, 0),
      )
      expect(Math.max(...Array.from(c.worstSeverity as Uint8Array))).toBe(
        Math.max(...below.map((b) => b.worstSeverity)),
      )
      // Every box lies within its buildings' heights: from the lowest base to no higher than the tallest roof.
      const tallest = Math.max(...below.map((b) => b.baseM + b.heightM))
      for (let f = 0; f < c.id.length; f++) {
        expect(c.heightM[f]).toBeGreaterThan(0)
        expect(c.heightM[f]).toBeLessThanOrEqual(tallest + 1e-3)
      }
    }
  })

  it('places every box where its buildings are, inside the tile regions, which nest', () => {
    const { tileset, tiles } = loaded
    for (const { tile, decoded, uri } of tiles) {
      const [w, s, e, n, minH, maxH] = tile.boundingVolume.region
      const c = decoded.carto
      for (let i = 0; i < decoded.vertexCount; i++) {
        const lon = c[3 * i]!
        const lat = c[3 * i + 1]!
        const h = c[3 * i + 2]!
        if (!(lon >= w && lon <= e && lat >= s && lat <= n && h >= minH && h <= maxH)) {
          throw new Error(
            `${uri}: vertex ${i} (${lon}, ${lat}, ${h}) outside region ${tile.boundingVolume.region}`,
          )
        }
      }
    }
    for (const { tile, parent } of walkTiles(tileset.root)) {
      if (!parent) continue
      expect(regionContains(parent.boundingVolume.region, tile.boundingVolume.region)).toBe(true)
      // A child is never coarser than its parent (3D Tiles refinement).
      expect(tile.geometricError).toBeLessThanOrEqual(parent.geometricError)
    }
    expect(tileset.geometricError).toBeGreaterThanOrEqual(tileset.root.geometricError)
  })

  it('lists in each box the ids of the buildings it stands for, and nothing on a leaf', () => {
    const { tiles } = loaded
    for (const t of tiles) {
      const members = decodeMembers(t.decoded)
      if (!t.tile.children) {
        expect(members, t.uri).toBeNull()
        continue
      }
      const c = t.decoded.columns
      expect(members, t.uri).toHaveLength(c.id.length)
      members!.forEach((ids, f) => {
        expect(ids).toHaveLength(c.buildings[f]!)
        expect(ids).toEqual([...ids].sort((a, b) => a - b))
      })
      const below = leafIds(t.tile, tiles).sort((a, b) => a - b)
      expect(
        members!.flat().sort((a, b) => a - b),
        t.uri,
      ).toEqual(below)
    }
  })

  it('writes massing GLBs that pass the Khronos glTF validator', async () => {
    for (const { uri } of loaded.tiles.filter((t) => t.tile.children)) {
      const report = await validateGlbFile(path.join(dir, uri))
      expect(report.issues.numErrors, `${uri}\n${formatIssues(report)}`).toBe(0)
    }
  })

  it('uses the use covering the most footprint area and the area-weighted mean roof', async () => {
    const small = tempDir()
    const [a, b, c] = buildings
    const sized = (x: TileBuilding, dLon: number, use: string, heightM: number): TileBuilding => ({
      ...x,
      use,
      heightM,
      footprint: {
        type: 'Polygon',
        coordinates: [
          [
            [121.49, 31.24],
            [121.49 + dLon, 31.24],
            [121.49 + dLon, 31.2401],
            [121.49, 31.2401],
            [121.49, 31.24],
          ],
        ],
      },
    })
    // One office block twice the area of two homes together, all in one massing cell.
    const three = [
      sized(a!, 0.0004, 'office', 40),
      sized(b!, 0.0001, 'residential', 10),
      sized(c!, 0.0001, 'residential', 10),
    ]
    // Root split (3 > 2 buildings); at massing depth 1 all three fall in its north-east quarter.
    await generateTileset(three, {
      outDir: small,
      maxFeaturesPerTile: 2,
      massingDepth: 1,
      rootExtentDeg: { westDeg: 121.48, southDeg: 31.23, eastDeg: 121.5, northDeg: 31.25 },
    })
    const root = load(small).tiles.find((t) => t.uri === '0-0-0.glb')!
    expect(root.decoded.columns.buildings.length).toBe(1)
    expect(root.decoded.columns.buildings[0]).toBe(3)
    expect(BUILDING_USES[root.decoded.columns.use[0]]).toBe('office')
    // (40 × 4 + 10 × 1 + 10 × 1) / 6
    expect(root.decoded.columns.heightM[0]).toBeCloseTo(30, 3)
  })
})

describe('regenerateMassings', () => {
  const { buildings } = gridBuildings({ count: 1500, spacingM: 35, seed: 7 })

  async function fullBuild(
    input: readonly TileBuilding[],
    rootExtentDeg?: TileIndex['manifest']['rootExtentDeg'],
  ) {
    const dir = tempDir()
    await generateTileset(input, {
      outDir: dir,
      maxFeaturesPerTile: MAX_FEATURES,
      massingDepth: DEPTH,
      ...(rootExtentDeg ? { rootExtentDeg } : {}),
    })
    return dir
  }

  const ancestorsOf = (key: string): string[] => {
    const out: string[] = []
    for (let c = parseTileKey(key); c.level > 0; ) {
      c = parentCoord(c)
      out.push(formatTileKey(c))
    }
    return out
  }

  it('after a leaf update, rewrites the massings above it to exactly what a full build writes', async () => {
    const dir = await fullBuild(buildings)
    const index = new TileIndex(await readManifest(dir))
    const target = buildings[321]!
    const key = index.keyOf(target.footprint)!
    const changed = buildings.map((b) =>
      b.id === target.id ? { ...b, heightM: 140, worstSeverity: 3, openProblems: 9 } : b,
    )
    const inLeaf = changed.filter((b) => index.keyOf(b.footprint) === key)
    await regenerateTiles(inLeaf, { outDir: dir, tileKeys: [key] })
    const sources = changed.map(massingSourceOf).filter((s) => s !== null)
    const result = await regenerateMassings(sources, { outDir: dir, tileKeys: ancestorsOf(key) })
    expect(result.rewritten).toEqual(ancestorsOf(key).sort())
    const full = await fullBuild(changed, index.manifest.rootExtentDeg)
    const files = fs.readdirSync(full).filter((f) => f.endsWith('.glb') || f.endsWith('.json'))
    for (const f of files) {
      expect(fs.readFileSync(path.join(dir, f)).equals(fs.readFileSync(path.join(full, f))), f).toBe(true)
    }
  })

  it('with dirty cells, recomputes only the boxes around them from the buildings nearby, to the same bytes', async () => {
    const dir = await fullBuild(buildings)
    const index = new TileIndex(await readManifest(dir))
    const target = buildings[777]!
    const key = index.keyOf(target.footprint)!
    const changed = buildings.map((b) =>
      b.id === target.id ? { ...b, heightM: 3, use: 'public', worstSeverity: 2, openProblems: 4 } : b,
    )
    await regenerateTiles(
      changed.filter((b) => index.keyOf(b.footprint) === key),
      { outDir: dir, tileKeys: [key] },
    )
    // Only the buildings anchored in the update area: a small part of the city.
    const area = index.extentDeg(massingUpdateArea(key, DEPTH))
    const nearby = changed
      .map(massingSourceOf)
      .filter((s) => s !== null)
      .filter(
        (s) =>
          s.lonDeg >= area.westDeg &&
          s.lonDeg <= area.eastDeg &&
          s.latDeg >= area.southDeg &&
          s.latDeg <= area.northDeg,
      )
    expect(nearby.length).toBeLessThan(changed.length / 4)
    await regenerateMassings(nearby, { outDir: dir, tileKeys: ancestorsOf(key), dirtyKeys: [key] })
    const full = await fullBuild(changed, index.manifest.rootExtentDeg)
    const files = (d: string) => [
      ...fs.readdirSync(d).filter((f) => f.endsWith('.glb') || f.endsWith('.json')),
      ...fs.readdirSync(path.join(d, 'massings')).map((f) => path.join('massings', f)),
    ]
    expect(files(dir).sort()).toEqual(files(full).sort())
    for (const f of files(full)) {
      expect(fs.readFileSync(path.join(dir, f)).equals(fs.readFileSync(path.join(full, f))), f).toBe(true)
    }
    // Without a summary, a partial update cannot be made: it says so rather than drop the other boxes.
    fs.rmSync(path.join(dir, 'massings', '0-0-0.bin'))
    await expect(
      regenerateMassings(nearby, { outDir: dir, tileKeys: ['0-0-0'], dirtyKeys: [key] }),
    ).rejects.toThrow(ManifestError)
  })

  it('gives a leaf split by an update its own massing', async () => {
    const dir = await fullBuild(buildings)
    const index = new TileIndex(await readManifest(dir))
    const leafKey = Object.keys(index.manifest.tiles).find((k) => !index.isSplit(k))!
    const extent = index.extentDeg(leafKey)
    const inLeaf = buildings.filter((b) => index.keyOf(b.footprint) === leafKey)
    // Enough new buildings in the leaf's cell to split it.
    const added: TileBuilding[] = Array.from({ length: MAX_FEATURES + 1 - inLeaf.length + 20 }, (_, i) => {
      const lon = extent.westDeg + ((i % 13) + 0.5) * ((extent.eastDeg - extent.westDeg) / 13)
      const lat =
        extent.southDeg + ((Math.floor(i / 13) % 13) + 0.5) * ((extent.northDeg - extent.southDeg) / 13)
      const d = 0.00003
      return {
        ...inLeaf[0]!,
        id: 100_000 + i,
        footprint: {
          type: 'Polygon',
          coordinates: [
            [
              [lon - d, lat - d],
              [lon + d, lat - d],
              [lon + d, lat + d],
              [lon - d, lat + d],
              [lon - d, lat - d],
            ],
          ],
        },
      }
    })
    const leaves = await regenerateTiles([...inLeaf, ...added], { outDir: dir, tileKeys: [leafKey] })
    expect(leaves.split).toContain(leafKey)
    const all = [...buildings, ...added].sort((a, b) => a.id - b.id)
    const sources = all.map(massingSourceOf).filter((s) => s !== null)
    await regenerateMassings(sources, {
      outDir: dir,
      tileKeys: [leafKey, ...ancestorsOf(leafKey)],
      dirtyKeys: [leafKey, ...leaves.rewritten],
    })
    const { tiles } = load(dir)
    const split = tiles.find((t) => t.uri === `${leafKey}.glb`)!
    expect(split.tile.children?.length).toBeGreaterThan(0)
    const counted = Array.from(split.decoded.columns.buildings as Uint32Array).reduce((a, b) => a + b, 0)
    expect(counted).toBe(inLeaf.length + added.length)
  })

  it('rejects a leaf key and a tileset written without massings', async () => {
    const dir = await fullBuild(buildings)
    const index = new TileIndex(await readManifest(dir))
    const leafKey = Object.keys(index.manifest.tiles).find((k) => !index.isSplit(k))!
    await expect(regenerateMassings([], { outDir: dir, tileKeys: [leafKey] })).rejects.toThrow(
      InvalidTilesOptionError,
    )
    const plain = tempDir()
    await generateTileset(buildings, { outDir: plain, maxFeaturesPerTile: MAX_FEATURES })
    expect(readTileset(plain).root.refine).toBe('ADD')
    await expect(regenerateMassings([], { outDir: plain, tileKeys: ['0-0-0'] })).rejects.toThrow(
      /without block massings/,
    )
  })
})
