import { type SQL, sql } from 'drizzle-orm'
import type { Database } from '../db/client.ts'
import { unauthenticated } from '../graphql/errors.ts'
import { type Identity, PUBLIC_SCOPE, readsPublicOnly, type Scope } from './identity.ts'

export interface RegionScope {
  prefix: string
  level: string
}

// Regions change only when the division codes are re-imported; a hit is kept for the life of the process.
const regionScopes = new WeakMap<Database, Map<string, RegionScope>>()

/** A region's scope prefix and level by code, cached for the life of the process; null when unknown. */
export async function lookupRegion(database: Database, code: string): Promise<RegionScope | null> {
  let cache = regionScopes.get(database)
  if (!cache) {
    cache = new Map()
    regionScopes.set(database, cache)
  }
  const hit = cache.get(code)
  if (hit) return hit
  const [row] = await database.rows<RegionScope>(
    sql`select scope_prefix as prefix, level from regions where code = ${code}`,
  )
  if (!row) return null
  if (!/^\d+$/.test(row.prefix)) throw new Error(`region ${code} has a malformed scope prefix`)
  cache.set(code, row)
  return row
}

/** The read scope of an identity (or of a request without one). */
export async function scopeFor(identity: Identity | null, database: Database): Promise<Scope> {
  if (!identity || readsPublicOnly(identity.role) || !identity.regionCode) return PUBLIC_SCOPE
  const region = await lookupRegion(database, identity.regionCode)
  if (!region) {
    throw unauthenticated(
      `登录凭证中的行政区划 ${identity.regionCode} 不存在`,
      `The bearer token's region ${identity.regionCode} is not a known region`,
      401,
    )
  }
  return {
    kind: 'region',
    regionCode: identity.regionCode,
    prefix: region.prefix,
    level: region.level,
    department: identity.department,
  }
}

/**
 * How rows of a table without a scope of their own are treated for public readers: `flag` reads the table's
 * `is_public`, `always` treats every row as public (map features such as blocks and compounds), `never` hides
 * the table from public readers (population cells, renewal-area plans).
 */
export type PublicRule = { flag: SQL } | 'always' | 'never'

/**
 * The SQL condition that keeps a row in scope. The prefix is inlined (it is digits only, checked above) so
 * the planner can use the `text_pattern_ops` index on `region_code`.
 */
export function scopeCondition(scope: Scope, regionCode: SQL, publicRule: PublicRule): SQL {
  if (scope.kind === 'region') return sql`${regionCode} like ${sql.raw(`'${scope.prefix}%'`)}`
  if (publicRule === 'always') return sql`true`
  if (publicRule === 'never') return sql`false`
  return sql`${publicRule.flag}`
}

/**
 * Regions are read more widely than the rows inside them: a scoped identity sees its own region, everything
 * below it and the chain of regions above it (to name its parents), but no sibling; public readers see the
 * regions marked public.
 */
export function regionScopeCondition(scope: Scope, alias: SQL): SQL {
  if (scope.kind === 'public') return sql`${alias}.is_public`
  const prefix = sql.raw(`'${scope.prefix}'`)
  return sql`(${alias}.code like ${sql.raw(`'${scope.prefix}%'`)} or starts_with(${prefix}, ${alias}.scope_prefix))`
}
