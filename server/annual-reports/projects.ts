import { sql } from 'drizzle-orm'
import { scopeCondition } from '../auth/scope.ts'
import type { GraphQLContext } from '../graphql/context.ts'
import type { ProjectLine } from './types.ts'

/** At most this many projects are listed; the pipeline itself is the project library's to show in full. */
const MAX_PROJECTS = 200

/**
 * The renewal project pipeline (项目清单) of the region: this campaign's projects and those entered without one.
 * The API has no project list yet, so this is the one section read with its own statement, in the requester's
 * scope like every list; an empty pipeline leaves the section out.
 */
export async function readProjects(
  context: GraphQLContext,
  regionCode: string,
  campaignId: number,
): Promise<ProjectLine[]> {
  const [region] = await context.database.rows<{ prefix: string }>(
    sql`select scope_prefix as prefix from regions where code = ${regionCode}`,
  )
  if (!region) return []
  return context.database.rows<ProjectLine>(sql`
    select p.code, p.name, p.kind, p.phase, p.state, p.year, p.budget from projects p
    where p.region_code like ${`${region.prefix}%`} and ${scopeCondition(context.scope, sql`p.region_code`, 'never')}
      and (p.campaign_id = ${campaignId} or p.campaign_id is null)
    order by p.phase = 'annual' desc, p.year nulls last, p.id limit ${MAX_PROJECTS}`)
}
