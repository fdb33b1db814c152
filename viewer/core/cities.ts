/**
 * Which cities a page offers and which it opens on (docs/adr/0024: tiles are cut per city). A city token opens on
 * its city, a district's on its district; a province token offers each of its cities with buildings, opening on the
 * first; without a token (or a public one), every city with public buildings, opening on the server's default city
 * (the demo's 310100). Each city's tileset is loaded when it is shown.
 */
import type { Lang } from './i18n.ts'

export interface CityChoice {
  /** The city's code (a district's for a district token). */
  code: string
  name: Record<Lang, string>
  /** Its tileset: the public one without a token, the region's with one. */
  tilesetUrl: string
}

export interface ViewScope {
  /** The cities offered, in code order; a chooser is shown when there are several. */
  cities: CityChoice[]
  /** The city opened on. */
  opening: string
  /** Headers of every tileset and tile request (the token's Authorization). */
  headers: Record<string, string>
  /** The tiles carry open-problem counts and severities (a region's tileset). */
  withProblems: boolean
  /** The token's region and its level, null without a token. */
  token: { code: string; level: string } | null
}

interface Region {
  code: string
  name: string
  nameEn: string | null
  level: string
}

const WHO_QUERY = '{ viewer { publicOnly region { code name nameEn level } } }'
const PROVINCE_CITIES_QUERY = `query ($code: String!) {
  region(code: $code) { children(level: city) { code name nameEn level } }
  aggregate(groupBy: { childrenOf: $code }) { groups { key buildings { count } } }
}`

/** Posts a GraphQL query; throws with the API's messages on any error. */
async function query<T>(graphqlUrl: string, text: string, variables: object, authorization: string | null) {
  const response = await fetch(graphqlUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json',
      ...(authorization ? { authorization } : {}),
    },
    body: JSON.stringify({ query: text, variables }),
  })
  const body = (await response.json()) as { data?: T; errors?: { message: string }[] }
  if (!response.ok || body.errors?.length || !body.data) {
    throw new Error(body.errors?.map((e) => e.message).join('; ') || `GraphQL HTTP ${response.status}`)
  }
  return body.data
}

const choiceOf = (r: Region, tilesetUrl: string): CityChoice => ({
  code: r.code,
  name: { 'zh-CN': r.name, en: r.nameEn ?? r.name },
  tilesetUrl,
})

/** The cities of the token's region (see the module comment), or the public ones. */
export async function viewScope(token: string | null, graphqlUrl = '/graphql'): Promise<ViewScope> {
  if (!token) return publicScope()
  const authorization = `Bearer ${token}`
  const who = await query<{ viewer: { publicOnly: boolean; region: Region | null } }>(
    graphqlUrl,
    WHO_QUERY,
    {},
    authorization,
  )
  const region = who.viewer.region
  if (who.viewer.publicOnly || !region) return publicScope()
  const regionTileset = (code: string) => `/tiles/region/${encodeURIComponent(code)}/tileset.json`
  let cities = [choiceOf(region, regionTileset(region.code))]
  if (region.level === 'province') {
    const data = await query<{
      region: { children: Region[] } | null
      aggregate: { groups: { key: string; buildings: { count: number } }[] } | null
    }>(graphqlUrl, PROVINCE_CITIES_QUERY, { code: region.code }, authorization)
    // Only the cities with buildings: the others have no tiles to show.
    const built = new Set(
      (data.aggregate?.groups ?? []).filter((g) => g.buildings.count > 0).map((g) => g.key),
    )
    cities = (data.region?.children ?? [])
      .filter((c) => built.has(c.code))
      .map((c) => choiceOf(c, regionTileset(c.code)))
  }
  if (cities.length === 0) throw new Error(`no city of region ${region.code} holds buildings`)
  return {
    cities,
    opening: cities[0]!.code,
    headers: { authorization },
    withProblems: true,
    token: { code: region.code, level: region.level },
  }
}

interface CityIndex {
  defaultCity: string | null
  cities: { code: string; name: string; nameEn: string | null; tileset: string }[]
}

/** Every city with a public tileset, as `/tiles/city/index.json` lists them, opening on the default city. */
async function publicScope(): Promise<ViewScope> {
  const response = await fetch('/tiles/city/index.json')
  if (!response.ok) throw new Error(`/tiles/city/index.json: HTTP ${response.status}`)
  const index = (await response.json()) as CityIndex
  const cities = index.cities.map((c) => choiceOf({ ...c, level: 'city' }, c.tileset))
  const opening = cities.find((c) => c.code === index.defaultCity)?.code ?? cities[0]?.code
  if (!opening) throw new Error('no buildings imported yet / 尚未导入建筑')
  return { cities, opening, headers: {}, withProblems: false, token: null }
}

/** The city of `code` among the scope's: the one whose code it is, or that holds it by code prefix. */
export function cityOf(scope: ViewScope, code: string): CityChoice | undefined {
  return (
    scope.cities.find((c) => c.code === code) ??
    scope.cities.find((c) => code.startsWith(c.code.replace(/(00)+$/, '')))
  )
}
