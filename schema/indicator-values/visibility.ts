import { type SQL, sql } from 'drizzle-orm'
import { scopeCondition } from '../../server/auth/scope.ts'
import type { GraphQLContext } from '../../server/graphql/context.ts'

// Indicator values are the region staff's working data (drafts, returned reports): never public.
export const valueVisible = (context: GraphQLContext, alias: SQL = sql`v`): SQL =>
  scopeCondition(context.scope, sql`${alias}.region_code`, 'never')

/**
 * Campaigns (alias `k`) of the region with the given scope prefix, of the regions above it (a city's annual
 * check) and of those within it. The prefix is a parameter or a column of the statement alike.
 */
export const campaignAround = (prefix: SQL): SQL =>
  sql`(starts_with(k.region_code, ${prefix}) or exists (select 1 from regions o where o.code = k.region_code
    and starts_with(${prefix}, o.scope_prefix)))`
