import fs from 'node:fs'
import path from 'node:path'
import { buildSchema, parse, validate } from 'graphql'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { BUILDING_USES, METADATA_SCHEMA } from '../../jobs/tiles/metadata.ts'
import { PROJECT_ROOT } from '../../server/config.ts'
import * as api from '../../viewer/core/api.ts'
import { cellClass, cellOverlay } from '../../viewer/core/cells.ts'
import {
  extentContains,
  extentOfGeometry,
  extentOfRegion,
  padExtent,
  unionExtent,
} from '../../viewer/core/extent.ts'
import { FACILITY_CATEGORIES, facilityCategory, representativePoint } from '../../viewer/core/facilities.ts'
import { GRADE_COLOURS } from '../../viewer/core/grades.ts'
import { isMessageKey, LANGS, translator } from '../../viewer/core/i18n.ts'
import { PROBLEM_CHANGED_SUBSCRIPTION, RUN_UPDATED_SUBSCRIPTION } from '../../viewer/core/live.ts'
import { cameraPresets } from '../../viewer/core/presets.ts'
import { renewalOutlines } from '../../viewer/core/renewal.ts'
import {
  colourById,
  colourConditions,
  colourOfMembers,
  gradeTheme,
  legendOf,
  THEME_IDS,
  THEMES,
} from '../../viewer/core/themes.ts'
import { chooseTileset, PUBLIC_TILESET } from '../../viewer/core/tilesets.ts'

const VIEWER = path.join(PROJECT_ROOT, 'viewer')

function sources(dir: string): { file: string; text: string }[] {
  return fs
    .readdirSync(path.join(VIEWER, dir))
    .filter((f) => f.endsWith('.ts'))
    .map((f) => ({ file: `${dir}/${f}`, text: fs.readFileSync(path.join(VIEWER, dir, f), 'utf8') }))
}

describe('viewer core', () => {
  it('styles only by properties the tiles carry, with a legend entry per class', () => {
    const properties = Object.keys(METADATA_SCHEMA.classes.building.properties)
    for (const id of THEME_IDS) {
      const theme = THEMES[id]
      const conditions = colourConditions(theme)
      expect(conditions.at(-1)).toEqual(['true', `color('${theme.fallbackColour}')`])
      // A by-id theme (grades) adds what its grey means.
      expect(legendOf(theme)).toHaveLength(theme.classes.length + (theme.byBuilding ? 2 : 0))
      for (const [condition, colour] of conditions) {
        expect(colour).toMatch(/^color\('#[0-9a-f]{6}'\)$/)
        for (const [, name] of condition.matchAll(/\$\{(\w+)\}/g)) expect(properties).toContain(name)
      }
    }
    const uses = THEMES.use.classes.map((c) => /'(\w+)'/.exec(c.condition)?.[1])
    expect(uses).toEqual([...BUILDING_USES])
  })

  it('has every interface string in both languages', () => {
    const labels = [
      ...THEME_IDS.flatMap((id) => [THEMES[id].label, ...THEMES[id].classes.map((c) => c.label)]),
      ...Object.values(FACILITY_CATEGORIES).map((c) => c.label),
    ]
    for (const lang of LANGS) {
      const t = translator(lang)
      for (const label of labels) {
        expect(isMessageKey(label)).toBe(true)
        expect(t(label).length).toBeGreaterThan(0)
      }
    }
    expect(translator('zh-CN')('city')).toBe('全市')
    expect(translator('en')('city')).toBe('Whole city')
  })

  it('groups facility types and finds a point for any geometry', () => {
    expect(facilityCategory('kindergarten')).toBe('education')
    expect(facilityCategory('subway_entrance')).toBe('transport')
    expect(representativePoint({ type: 'Point', coordinates: [121.5, 31.2] })).toEqual([121.5, 31.2])
    expect(
      representativePoint({
        type: 'Polygon',
        coordinates: [
          [
            [121, 31],
            [122, 31],
            [122, 32],
            [121, 31],
          ],
        ],
      }),
    ).toEqual([121.5, 31.5])
    expect(representativePoint({ type: 'MultiPolygon', coordinates: [] })).toBeNull()
  })

  it('sends GraphQL documents that are valid against schema.graphql (so codegen can type them)', () => {
    const schema = buildSchema(fs.readFileSync(path.join(PROJECT_ROOT, 'schema.graphql'), 'utf8'))
    const documents: [string, unknown][] = [
      ...Object.entries(api).filter(([name]) => name.endsWith('_QUERY')),
      ['PROBLEM_CHANGED_SUBSCRIPTION', PROBLEM_CHANGED_SUBSCRIPTION],
      ['RUN_UPDATED_SUBSCRIPTION', RUN_UPDATED_SUBSCRIPTION],
    ]
    expect(documents.length).toBeGreaterThanOrEqual(11)
    for (const [name, document] of documents) {
      expect(
        // Typed documents (codegen's TypedDocumentString) are String objects: their text is the document.
        validate(schema, parse(String(document))).map((e) => e.message),
        name,
      ).toEqual([])
    }
  })

  it('converts regions and ids', () => {
    const e = extentOfRegion([Math.PI / 2, 0, Math.PI, Math.PI / 4, 0, 10])
    expect(e).toEqual({ westDeg: 90, southDeg: 0, eastDeg: 180, northDeg: 45 })
    expect(padExtent(e, 0.1)).toEqual({ westDeg: 81, southDeg: -4.5, eastDeg: 189, northDeg: 49.5 })
    expect(Buffer.from(api.buildingGlobalId(110), 'base64').toString()).toBe('Building:110')
  })

  it('keeps the layers apart: core knows no Cesium or DOM UI, map no UI, UI no Cesium', () => {
    for (const { file, text } of sources('core')) {
      expect(text, file).not.toMatch(/from 'cesium'|from '\.\.\/(map|ui)\//)
      expect(text, file).not.toMatch(/\bdocument\./)
    }
    for (const { file, text } of sources('map')) expect(text, file).not.toMatch(/from '\.\.\/ui\//)
    for (const { file, text } of sources('ui')) expect(text, file).not.toMatch(/from 'cesium'|cesiumMap/)
    const files = ['core', 'map', 'ui'].flatMap(sources)
    for (const { file, text } of files) expect(text.split('\n').length, file).toBeLessThan(400)
  })

  describe('indicator-grade theme', () => {
    it('colours graded buildings by grade, the rest grey, with counts in a legend worst first', () => {
      const theme = gradeTheme([
        { buildingId: 1, grade: 'poor', unitType: 'building' },
        { buildingId: 2, grade: 'good', unitType: 'compound' },
        { buildingId: 3, grade: 'good', unitType: 'region' },
      ])
      expect(colourById(theme, 1)).toBe(GRADE_COLOURS.poor)
      expect(colourById(theme, 2)).toBe(GRADE_COLOURS.good)
      expect(colourById(theme, 99)).toBe(theme.fallbackColour)
      expect(colourById(THEMES.use, 1)).toBeNull()
      expect(legendOf(theme)).toEqual([
        { label: 'grade.poor', colour: GRADE_COLOURS.poor, count: 1 },
        { label: 'grade.fair', colour: GRADE_COLOURS.fair, count: 0 },
        { label: 'grade.good', colour: GRADE_COLOURS.good, count: 2 },
        { label: 'grade.excellent', colour: GRADE_COLOURS.excellent, count: 0 },
        { label: 'noData', colour: theme.fallbackColour },
        { label: 'legend.blockWorst' },
      ])
      // Tile conditions never match: the colour comes only from the id lookup.
      expect(
        colourConditions(theme)
          .slice(0, -1)
          .every(([condition]) => condition === 'false'),
      ).toBe(true)
      expect(new Set(Object.values(GRADE_COLOURS)).size).toBe(4)
      expect(Object.values(GRADE_COLOURS)).not.toContain(theme.fallbackColour)
      expect(translator('zh-CN')('grade.poor')).toBe('较差')
      expect(translator('en')('theme.grade')).toBe('Indicator grade')
    })

    it('colours a block massing by the worst grade among its buildings, grey when none is graded', () => {
      const theme = gradeTheme([
        { buildingId: 1, grade: 'excellent', unitType: 'building' },
        { buildingId: 2, grade: 'fair', unitType: 'block' },
        { buildingId: 3, grade: 'good', unitType: 'block' },
        { buildingId: 4, grade: 'poor', unitType: 'region' },
      ])
      expect(colourOfMembers(theme, [1, 3, 2, 99])).toBe(GRADE_COLOURS.fair)
      expect(colourOfMembers(theme, [1, 3])).toBe(GRADE_COLOURS.good)
      expect(colourOfMembers(theme, [3, 4, 1])).toBe(GRADE_COLOURS.poor)
      expect(colourOfMembers(theme, [98, 99])).toBe(theme.fallbackColour)
      expect(colourOfMembers(theme, [])).toBe(theme.fallbackColour)
      expect(colourOfMembers(THEMES.severity, [1, 2])).toBeNull()
      expect(translator('zh-CN')('legend.blockWorst')).toContain('最差')
    })
  })

  describe('camera presets', () => {
    const square = (w: number, s: number, size: number) => ({
      type: 'MultiPolygon',
      coordinates: [
        [
          [
            [w, s],
            [w + size, s],
            [w + size, s + size],
            [w, s + size],
            [w, s],
          ],
        ],
      ],
    })

    it('frames districts on their boundaries, falls back to buildings, and leaves out districts with neither', () => {
      const buildings = new Map([
        ['310101', { westDeg: 121.48, southDeg: 31.22, eastDeg: 121.5, northDeg: 31.24 }],
        ['310106', { westDeg: 121.44, southDeg: 31.22, eastDeg: 121.46, northDeg: 31.24 }],
      ])
      const tiles = { westDeg: 121.4, southDeg: 31.2, eastDeg: 121.6, northDeg: 31.3 }
      const presets = cameraPresets(
        [
          { code: '310109', name: '虹口区', nameEn: null, boundary: square(121.47, 31.25, 0.03) },
          { code: '310101', name: '黄浦区', nameEn: null, boundary: square(121.46, 31.2, 0.04) },
          { code: '310106', name: '静安区', nameEn: 'Jing’an', boundary: null },
          { code: '310104', name: '徐汇区', nameEn: null, boundary: null },
        ],
        buildings,
        tiles,
      )
      expect(presets.map((p) => [p.key, p.source])).toEqual([
        ['city', 'buildings'],
        ['310101', 'boundary'],
        ['310106', 'buildings'],
        ['310109', 'boundary'],
      ])
      expect(presets[1]?.extent).toEqual({ westDeg: 121.46, southDeg: 31.2, eastDeg: 121.5, northDeg: 31.24 })
      expect(presets[1]?.name).toEqual({ 'zh-CN': '黄浦区', en: 'Huangpu' })
      expect(presets[2]?.name?.en).toBe('Jing’an')
      // Buildings get a margin; the city frames every district.
      expect(presets[2]?.extent.westDeg).toBeCloseTo(121.438, 6)
      const city = presets[0]!.extent
      for (const p of presets.slice(1)) {
        expect(extentContains(city, p.extent.westDeg, p.extent.southDeg)).toBe(true)
        expect(extentContains(city, p.extent.eastDeg, p.extent.northDeg)).toBe(true)
      }
      expect(city).toEqual(unionExtent(presets.slice(1).map((p) => p.extent)))
      // Nothing known of any district: the city is the tiles' extent.
      expect(cameraPresets([], new Map(), tiles)).toEqual([{ key: 'city', extent: tiles, source: 'tiles' }])
      expect(extentOfGeometry(null)).toBeNull()
      expect(extentOfGeometry({ type: 'MultiPolygon', coordinates: [] })).toBeNull()
    })
  })

  describe('uncovered-population and renewal-area overlays', () => {
    it('sizes and colours cells by served residents and sums them', () => {
      const cell = (id: number, served: number, coordinates: unknown = [121.49 + id / 1000, 31.23]) => ({
        databaseId: id,
        centroid: { type: 'Point', coordinates },
        children: served,
        working: 500,
        elderly: 80,
        served,
      })
      const overlay = cellOverlay([cell(1, 12), cell(2, 150), cell(3, 60), cell(4, 5, null)])
      expect(overlay.markers.map((m) => m.served)).toEqual([150, 60, 12])
      expect(overlay.served).toBe(222)
      const sizes = overlay.markers.map((m) => m.pixelSize)
      expect(sizes).toEqual([...sizes].sort((a, b) => b - a))
      expect(new Set(overlay.markers.map((m) => m.colour)).size).toBe(3)
      expect(cellClass(100).label).toBe('cells.100')
      expect(cellClass(99.9).label).toBe('cells.50')
      expect(cellClass(0).label).toBe('cells.0')
    })

    it('outlines every ring of a renewal area and puts its name inside the largest part', () => {
      const ring = (w: number, s: number, size: number): [number, number][] => [
        [w, s],
        [w + size, s],
        [w + size, s + size],
        [w, s + size],
        [w, s],
      ]
      const [outline, ...rest] = renewalOutlines([
        {
          name: '侯家路旧里更新片区',
          kind: 'old_lilong',
          geom: {
            type: 'MultiPolygon',
            coordinates: [[ring(0, 0, 1)], [ring(10, 10, 4), ring(11, 11, 1)]],
          },
        },
        { name: 'empty', kind: null, geom: { type: 'MultiPolygon', coordinates: [] } },
      ])
      expect(rest).toEqual([])
      expect(outline?.name).toBe('侯家路旧里更新片区')
      expect(outline?.rings).toHaveLength(3)
      expect(outline?.labelDeg).toEqual([12, 12])
    })
  })
})

describe('the tileset the viewer loads', () => {
  afterEach(() => {
    vi.unstubAllGlobals()
  })

  it('is the public one without a token or for a public reader, else the region of the token, with the token', async () => {
    expect(await chooseTileset(null)).toEqual(PUBLIC_TILESET)
    const asked: { authorization?: string; query: string }[] = []
    let viewer: unknown = { publicOnly: false, region: { code: '310101' } }
    vi.stubGlobal('fetch', async (_url: string, init: { headers: Record<string, string>; body: string }) => {
      asked.push({ authorization: init.headers.authorization, query: JSON.parse(init.body).query })
      return new Response(JSON.stringify({ data: { viewer } }), { status: 200 })
    })
    expect(await chooseTileset('abc')).toEqual({
      url: '/tiles/region/310101/tileset.json',
      headers: { authorization: 'Bearer abc' },
      withProblems: true,
      regionCode: '310101',
    })
    expect(asked[0]?.authorization).toBe('Bearer abc')
    expect(
      validate(
        buildSchema(fs.readFileSync(path.join(PROJECT_ROOT, 'schema.graphql'), 'utf8')),
        parse(asked[0]!.query),
      ),
    ).toEqual([])
    viewer = { publicOnly: true, region: null }
    expect(await chooseTileset('public-token')).toEqual(PUBLIC_TILESET)
  })
})
