/**
 * Which tileset the viewer loads (docs/adr/0006). Without a token, the public one: public buildings, no problem
 * attributes. With a token, its region's, where the problem themes have data; every request for it carries the
 * token. The region is the token's as the API reads it (`viewer { region }`), so a token of an identity provider
 * with other claim names works the same.
 */

export const PUBLIC_TILESET_URL = '/tiles/city/tileset.json'

export interface TilesetChoice {
  url: string
  /** Headers for tileset.json, every tile and the live checks. */
  headers: Record<string, string>
  /** The tiles carry open-problem counts and severities. */
  withProblems: boolean
  /** The token's region (null: the public tileset), whose base map and districts the viewer shows. */
  regionCode?: string | null
}

export const PUBLIC_TILESET: TilesetChoice = {
  url: PUBLIC_TILESET_URL,
  headers: {},
  withProblems: false,
  regionCode: null,
}

/** The region tileset of the token's region, or the public tileset (no token, or a token without a region). */
export async function chooseTileset(token: string | null, graphqlUrl = '/graphql'): Promise<TilesetChoice> {
  if (!token) return PUBLIC_TILESET
  const authorization = `Bearer ${token}`
  const response = await fetch(graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', authorization },
    body: JSON.stringify({ query: '{ viewer { publicOnly region { code } } }' }),
  })
  const body = (await response.json()) as {
    data?: { viewer: { publicOnly: boolean; region: { code: string } | null } }
    errors?: { message: string }[]
  }
  if (!response.ok || body.errors?.length || !body.data) {
    throw new Error(body.errors?.map((e) => e.message).join('; ') || `GraphQL HTTP ${response.status}`)
  }
  const { publicOnly, region } = body.data.viewer
  if (publicOnly || !region) return PUBLIC_TILESET
  return {
    url: `/tiles/region/${encodeURIComponent(region.code)}/tileset.json`,
    headers: { authorization },
    withProblems: true,
    regionCode: region.code,
  }
}
