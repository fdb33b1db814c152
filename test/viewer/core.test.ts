import fs from 'node:fs'
import path from 'node:path'
import { buildSchema, parse, validate } from 'graphql'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { BUILDING_USES, METADATA_SCHEMA } from '../../jobs/tiles/metadata.ts'
import { PROJECT_ROOT } from '../../server/config.ts'
import * as api from '../../viewer/core/api.ts'
import { extentOfRegion, padExtent } from '../../viewer/core/extent.ts'
import { FACILITY_CATEGORIES, facilityCategory, representativePoint } from '../../viewer/core/facilities.ts'
import { isMessageKey, LANGS, translator } from '../../viewer/core/i18n.ts'
import { PROBLEM_CHANGED_SUBSCRIPTION, type ProblemChange, watchLive } from '../../viewer/core/live.ts'
import { colourConditions, legendOf, THEME_IDS, THEMES } from '../../viewer/core/themes.ts'

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
      expect(legendOf(theme)).toHaveLength(theme.classes.length)
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
    const documents = [
      ...Object.entries(api).filter(([name]) => name.endsWith('_QUERY')),
      ['PROBLEM_CHANGED_SUBSCRIPTION', PROBLEM_CHANGED_SUBSCRIPTION],
    ]
    expect(documents.length).toBeGreaterThanOrEqual(5)
    for (const [name, document] of documents) {
      expect(
        validate(schema, parse(document as string)).map((e) => e.message),
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

  describe('live tileset updates', () => {
    afterEach(() => {
      vi.useRealTimers()
      vi.unstubAllGlobals()
    })

    it('checks the tileset once per burst of subscription events, with the token, and polls slowly', async () => {
      vi.useFakeTimers()
      let etag = 1
      const fetches: (string | undefined)[] = []
      vi.stubGlobal('fetch', async (_url: string, init: { headers: Record<string, string> }) => {
        fetches.push(init.headers['if-none-match'])
        return new Response('{}', { status: 200, headers: { etag: `"${etag}"` } })
      })
      let sink: { next(value: { data: { problemChanged: ProblemChange } }): void } | null = null
      let connectionParams: unknown = null
      const connect = ((options: { connectionParams: unknown }) => {
        connectionParams = options.connectionParams
        return {
          subscribe: (_payload: unknown, s: typeof sink) => {
            sink = s
            return () => {}
          },
          dispose: async () => {},
        }
      }) as unknown as Parameters<typeof watchLive>[0]['connect']
      let changes = 0
      const events: ProblemChange[] = []
      const watch = watchLive({
        tilesetUrl: '/tiles/city/tileset.json',
        wsUrl: 'ws://localhost/graphql',
        token: 'abc',
        pollS: 60,
        connect,
        onChange: async () => {
          changes++
        },
        onEvent: (e) => events.push(e),
      })
      await vi.advanceTimersByTimeAsync(0)
      expect(connectionParams).toEqual({ authorization: 'Bearer abc' })
      expect(fetches).toEqual([undefined])

      etag = 2
      const change = { databaseId: 7, state: 'closed', buildingId: 3, severity: 3 }
      for (let i = 0; i < 3; i++) {
        sink!.next({ data: { problemChanged: change } })
        await vi.advanceTimersByTimeAsync(100)
      }
      expect(fetches).toHaveLength(1)
      await vi.advanceTimersByTimeAsync(300)
      expect(events).toHaveLength(3)
      expect(fetches).toEqual([undefined, '"1"'])
      expect(changes).toBe(1)

      // The fallback poll, a minute later.
      etag = 3
      await vi.advanceTimersByTimeAsync(59_000)
      expect(fetches).toHaveLength(2)
      await vi.advanceTimersByTimeAsync(1_000)
      expect(fetches).toEqual([undefined, '"1"', '"2"'])
      expect(changes).toBe(2)
      watch.stop()
    })
  })
})
