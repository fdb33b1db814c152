import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeEach, describe, expect, it } from 'vitest'
import { InvalidTileKeyError, TileKeyMismatchError } from '../../../jobs/tiles/errors.ts'
import { readManifest, TileIndex } from '../../../jobs/tiles/manifest.ts'
import { generateTileset, regenerateTiles } from '../../../jobs/tiles/tileset.ts'
import type { TileBuilding, TileKey } from '../../../jobs/tiles/types.ts'
import {
  decodeTile,
  footprintOf,
  formatIssues,
  gridBuildings,
  LAT0_DEG,
  LON0_DEG,
  readTileset,
  regionContains,
  removeTempDirs,
  type TileJson,
  tempDir,
  validateGlbFile,
  walkTiles,
} from './helpers.ts'

const MAX_FEATURES = 500
const PAST = new Date('2020-01-01T00:00:00Z')

interface FileState {
  mtimeMs: number
  sha: string
}

function snapshot(dir: string): Map<string, FileState> {
  const out = new Map<string, FileState>()
  for (const f of fs.readdirSync(dir).filter((f) => f.endsWith('.glb'))) {
    const file = path.join(dir, f)
    out.set(f, {
      mtimeMs: fs.statSync(file).mtimeMs,
      sha: createHash('sha256').update(fs.readFileSync(file)).digest('hex'),
    })
  }
  return out
}

/** Ages every GLB so any rewrite shows up as a new mtime. */
function ageGlbs(dir: string): void {
  for (const f of fs.readdirSync(dir).filter((f) => f.endsWith('.glb')))
    fs.utimesSync(path.join(dir, f), PAST, PAST)
}

/** Checks region containment of all vertices, nesting, validator and id uniqueness for a tileset directory. */
async function checkTileset(dir: string): Promise<Map<number, string>> {
  const tileset = readTileset(dir)
  const where = new Map<number, string>()
  for (const { tile, parent, worldTransform } of walkTiles(tileset.root as TileJson)) {
    if (parent) expect(regionContains(parent.boundingVolume.region, tile.boundingVolume.region)).toBe(true)
    if (!tile.content) continue
    const file = path.join(dir, tile.content.uri)
    const report = await validateGlbFile(file)
    expect(report.issues.numErrors, formatIssues(report)).toBe(0)
    const decoded = decodeTile(fs.readFileSync(file), worldTransform)
    const [w, s, e, n, minH, maxH] = tile.boundingVolume.region
    let outside = 0
    for (let i = 0; i < decoded.vertexCount; i++) {
      const [lon, lat, h] = [decoded.carto[3 * i]!, decoded.carto[3 * i + 1]!, decoded.carto[3 * i + 2]!]
      if (!(lon >= w && lon <= e && lat >= s && lat <= n && h >= minH && h <= maxH)) outside++
    }
    expect(outside, `vertices outside the region of ${tile.content.uri}`).toBe(0)
    for (const id of decoded.columns.id as Uint32Array) {
      if (where.has(id)) throw new Error(`building ${id} appears in ${where.get(id)} and ${tile.content.uri}`)
      where.set(id, tile.content.uri)
    }
  }
  return where
}

afterAll(removeTempDirs)

describe('regenerateTiles', () => {
  let dir: string
  let buildings: TileBuilding[]
  let index: TileIndex

  beforeEach(async () => {
    dir = tempDir()
    buildings = gridBuildings({ count: 3000 }).buildings
    await generateTileset(buildings, { outDir: dir, maxFeaturesPerTile: MAX_FEATURES })
    index = new TileIndex(await readManifest(dir))
    ageGlbs(dir)
  })

  const inTile = (all: TileBuilding[], key: TileKey) => all.filter((b) => index.keyOf(b.footprint) === key)

  it('rewrites only the tile of a changed building and grows its bounding volume', async () => {
    const before = snapshot(dir)
    const target = buildings[1234]!
    const key = index.keyOf(target.footprint)!
    const changed = buildings.map((b) => (b.id === target.id ? { ...b, heightM: 432.1, floors: 120 } : b))

    const result = await regenerateTiles(inTile(changed, key), { outDir: dir, tileKeys: [key] })
    expect(result.rewritten).toEqual([key])
    expect(result.removed).toEqual([])
    expect(result.tileOf.get(target.id)).toBe(`${key}.glb`)

    const after = snapshot(dir)
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort())
    for (const [file, state] of before) {
      if (file === `${key}.glb`) {
        expect(after.get(file)!.sha).not.toBe(state.sha)
        expect(after.get(file)!.mtimeMs).toBeGreaterThan(PAST.getTime())
      } else {
        expect(after.get(file), file).toEqual(state)
        expect(state.mtimeMs).toBe(PAST.getTime())
      }
    }

    const leaf = walkTiles(readTileset(dir).root).find((v) => v.tile.content?.uri === `${key}.glb`)!
    expect(leaf.tile.boundingVolume.region[5]).toBeGreaterThanOrEqual(432.1)
    expect(readTileset(dir).root.boundingVolume.region[5]).toBeGreaterThanOrEqual(432.1)

    const where = await checkTileset(dir)
    expect(where.size).toBe(buildings.length)
  })

  it('produces the same files as a full run when the tree shape is unchanged', async () => {
    const target = buildings[42]!
    const key = index.keyOf(target.footprint)!
    const changed = buildings.map((b) => (b.id === target.id ? { ...b, heightM: 77, use: 'public' } : b))
    await regenerateTiles(inTile(changed, key), { outDir: dir, tileKeys: [key] })
    const full = tempDir()
    await generateTileset(changed, {
      outDir: full,
      maxFeaturesPerTile: MAX_FEATURES,
      rootExtentDeg: index.manifest.rootExtentDeg,
    })
    for (const f of ['tileset.json', 'manifest.json', `${key}.glb`]) {
      expect(fs.readFileSync(path.join(dir, f)).equals(fs.readFileSync(path.join(full, f))), f).toBe(true)
    }
  })

  it('moves a building between tiles when both keys are regenerated', async () => {
    const mover = buildings[0]!
    const from = index.keyOf(mover.footprint)!
    const far = buildings[buildings.length - 1]!
    const to = index.keyOf(far.footprint)!
    expect(to).not.toBe(from)
    const farBox = far.footprint.type === 'Polygon' ? far.footprint.coordinates[0]![0]! : [0, 0]
    const moved = { ...mover, footprint: footprintOf('lShape', farBox[0]! + 1e-5, farBox[1]! + 1e-5, 10, 10) }
    expect(index.keyOf(moved.footprint)).toBe(to)
    const changed = buildings.map((b) => (b.id === mover.id ? moved : b))

    await expect(
      regenerateTiles(inTile(changed, to), { outDir: dir, tileKeys: [from] }),
    ).rejects.toBeInstanceOf(TileKeyMismatchError)

    const before = snapshot(dir)
    const affected = [...inTile(changed, from), ...inTile(changed, to)]
    const result = await regenerateTiles(affected, { outDir: dir, tileKeys: [from, to] })
    expect(result.rewritten).toEqual([from, to].sort())
    expect(result.tileOf.get(mover.id)).toBe(`${to}.glb`)
    const after = snapshot(dir)
    for (const [file, state] of before) {
      if (file !== `${from}.glb` && file !== `${to}.glb`) expect(after.get(file), file).toEqual(state)
    }
    const where = await checkTileset(dir)
    expect(where.get(mover.id)).toBe(`${to}.glb`)
    expect(where.size).toBe(buildings.length)
  })

  it('splits a tile that outgrows the limit and removes emptied tiles', async () => {
    const key = index.keyOf(buildings[0]!.footprint)!
    const extent = index.extentDeg(key)
    const existing = inTile(buildings, key)
    const added: TileBuilding[] = []
    for (let i = 0; i < MAX_FEATURES; i++) {
      const lonDeg = extent.westDeg + ((i % 25) + 0.2) * ((extent.eastDeg - extent.westDeg) / 26)
      const latDeg = extent.southDeg + (Math.floor(i / 25) + 0.2) * ((extent.northDeg - extent.southDeg) / 21)
      added.push({
        ...existing[0]!,
        id: 100_000 + i,
        footprint: footprintOf('courtyard', lonDeg, latDeg, 6, 6),
      })
    }
    const grown = [...existing, ...added]
    for (const b of added) expect(index.keyOf(b.footprint)).toBe(key)

    const result = await regenerateTiles(grown, { outDir: dir, tileKeys: [key] })
    expect(result.split).toEqual([key])
    expect(result.removed).toEqual([key])
    expect(result.rewritten.length).toBeGreaterThan(1)
    expect(fs.existsSync(path.join(dir, `${key}.glb`))).toBe(false)

    const newIndex = new TileIndex(await readManifest(dir))
    const where = await checkTileset(dir)
    expect(where.size).toBe(buildings.length + added.length)
    for (const b of grown) expect(where.get(b.id)).toBe(`${newIndex.keyOf(b.footprint)}.glb`)
    for (const k of result.rewritten)
      expect(newIndex.manifest.tiles[k]!.features).toBeLessThanOrEqual(MAX_FEATURES)

    // Emptying one of the new children removes its GLB and prunes it from tileset.json.
    const child = result.rewritten[0]!
    const emptied = await regenerateTiles([], { outDir: dir, tileKeys: [child] })
    expect(emptied.removed).toEqual([child])
    expect(fs.existsSync(path.join(dir, `${child}.glb`))).toBe(false)
    const uris = walkTiles(readTileset(dir).root).flatMap((v) => (v.tile.content ? [v.tile.content.uri] : []))
    expect(uris).not.toContain(`${child}.glb`)
    await checkTileset(dir)
  })

  it('creates a tile in a previously empty quadrant and rejects non-leaf keys', async () => {
    // A root extent twice as wide as the city leaves its eastern quadrants without buildings.
    const wide = tempDir()
    const root = index.manifest.rootExtentDeg
    const rootExtentDeg = { ...root, eastDeg: root.eastDeg + (root.eastDeg - root.westDeg) }
    await generateTileset(buildings, { outDir: wide, maxFeaturesPerTile: MAX_FEATURES, rootExtentDeg })
    const wideIndex = new TileIndex(await readManifest(wide))
    const lone: TileBuilding = {
      ...buildings[0]!,
      id: 999_999,
      footprint: footprintOf('rect', rootExtentDeg.eastDeg - 1e-4, root.northDeg - 1e-4, 10, 10),
    }
    const key = wideIndex.keyOf(lone.footprint)!
    expect(wideIndex.manifest.tiles[key]).toBeUndefined()
    expect(buildings.filter((b) => wideIndex.keyOf(b.footprint) === key)).toEqual([])
    ageGlbs(wide)
    const before = snapshot(wide)

    const result = await regenerateTiles([lone], { outDir: wide, tileKeys: [key] })
    expect(result.rewritten).toEqual([key])
    const after = snapshot(wide)
    expect(after.size).toBe(before.size + 1)
    for (const [file, state] of before) expect(after.get(file), file).toEqual(state)
    const where = await checkTileset(wide)
    expect(where.get(lone.id)).toBe(`${key}.glb`)

    await expect(regenerateTiles([], { outDir: wide, tileKeys: ['0-0-0'] })).rejects.toBeInstanceOf(
      InvalidTileKeyError,
    )
    await expect(regenerateTiles([], { outDir: wide, tileKeys: ['9-0-0'] })).rejects.toBeInstanceOf(
      InvalidTileKeyError,
    )
    await expect(regenerateTiles([], { outDir: wide, tileKeys: ['nonsense'] })).rejects.toBeInstanceOf(
      InvalidTileKeyError,
    )
  })

  it('places anchors on the tile key boundaries consistently with the extent', () => {
    const extent = index.extentDeg('0-0-0')
    expect(index.keyOfPoint(extent.westDeg, extent.southDeg)).toMatch(/-0-0$/)
    expect(index.keyOfPoint(extent.eastDeg, extent.northDeg)).not.toBeNull()
    expect(index.keyOfPoint(extent.eastDeg + 1e-6, extent.northDeg)).toBeNull()
    expect(index.keyOfPoint(LON0_DEG, LAT0_DEG)).not.toBeNull()
  })
})
