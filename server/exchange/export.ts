/** Writes one campaign of this install as an exchange package (ADR 0017). */
import crypto from 'node:crypto'
import { type SQL, sql } from 'drizzle-orm'
import type { Database } from '../db/client.ts'
import { notFound } from '../graphql/errors.ts'
import { packageDigest, type RecordFile, writePackage } from './format.ts'
import { KINDS, schemaOf } from './kinds.ts'

const SOFTWARE = 'CityCheck 0.1.0'

interface CampaignRow {
  id: number
  year: number
  kind: string
  name: string
  region_code: string
  system_id: number
  prefix: string
  edition_code: string
  edition_year: number
}

/** This install's UUID, created the first time anything asks. */
export async function installId(database: Database): Promise<string> {
  await database.rows(sql`insert into exchange_install (install_id) values (${crypto.randomUUID()})
    on conflict (singleton) do nothing`)
  const [row] = await database.rows<{ install_id: string }>(sql`select install_id from exchange_install`)
  if (!row) throw new Error('exchange_install holds no row after inserting one')
  return row.install_id
}

/** `latest` is the campaign of the most recent year (the newest of that year); anything else is an id. */
export async function findCampaign(database: Database, campaign: number | 'latest'): Promise<CampaignRow> {
  const which = campaign === 'latest' ? sql`true order by k.year desc, k.id desc` : sql`k.id = ${campaign}`
  const [row] = await database.rows<CampaignRow>(sql`select k.id, k.year, k.kind, k.name, k.region_code,
      k.system_id, r.scope_prefix as prefix, s.code as edition_code, s.year as edition_year
    from campaigns k join regions r on r.code = k.region_code join indicator_systems s on s.id = k.system_id
    where ${which} limit 1`)
  if (!row) {
    throw notFound(
      campaign === 'latest' ? '还没有任何体检任务' : `体检任务 ${campaign} 不存在`,
      campaign === 'latest' ? 'There is no campaign yet' : `Campaign ${campaign} does not exist`,
    )
  }
  return row
}

/** Which rows of each kind belong to the campaign's package. */
function selections(c: CampaignRow): Record<string, SQL> {
  const inScope = sql`region_code like ${`${c.prefix}%`}`
  const problemIds = sql`(select id from problems where campaign_id = ${c.id}
    or (campaign_id is null and year_found = ${c.year} and ${inScope}))`
  const unitIds = (types: string[], extra: SQL = sql`null::int`) => sql`(
    select unit_key::int from indicator_values where campaign_id = ${c.id}
      and unit_type in (${sql.join(
        types.map((t) => sql`${t}`),
        sql`, `,
      )}) and unit_key ~ '^[0-9]+$'
    union select unit_key::int from problems where id in ${problemIds}
      and unit_type in (${sql.join(
        types.map((t) => sql`${t}`),
        sql`, `,
      )}) and unit_key ~ '^[0-9]+$'
    union select x from (select ${extra} as x) e where x is not null)`
  const compoundIds = unitIds(['compound', 'self_built_cluster'])
  const projectIds = sql`(select id from projects where ${inScope})`
  return {
    indicator_systems: sql`id = ${c.system_id}`,
    indicators: sql`system_id = ${c.system_id}`,
    regions: sql`code = ${c.region_code} or code in (select region_code from indicator_values where campaign_id = ${c.id})
      or code in (select region_code from problems where id in ${problemIds})`,
    blocks: sql`id in ${unitIds(['block'])} or id in (select block_id from compounds where id in ${compoundIds})`,
    compounds: sql`id in ${compoundIds}`,
    buildings: sql`id in ${unitIds(['building'])} or id in (select building_id from problems where id in ${problemIds})`,
    renewal_areas: sql`id in ${unitIds(['renewal_area'], sql`(select renewal_area_id from campaigns where id = ${c.id})`)}`,
    campaigns: sql`id = ${c.id}`,
    indicator_values: sql`campaign_id = ${c.id}`,
    problems: sql`id in ${problemIds}`,
    problem_transitions: sql`problem_id in ${problemIds}`,
    tasks: sql`problem_id in ${problemIds}`,
    re_inspections: sql`problem_id in ${problemIds}`,
    opinions: sql`problem_id in ${problemIds} or (${inScope} and extract(year from created_at) = ${c.year})`,
    stock_resources: inScope,
    projects: inScope,
    project_problems: sql`project_id in ${projectIds} and problem_id in ${problemIds}`,
    project_resources: sql`project_id in ${projectIds}`,
  }
}

/** The tables of the kinds that exist in this database (a kind's table may come with a later migration). */
async function existingTables(database: Database): Promise<Set<string>> {
  const rows = await database.rows<{
    name: string
  }>(sql`select table_name as name from information_schema.tables
    where table_schema = current_schema()`)
  return new Set(rows.map((r) => r.name))
}

export interface ExportOptions {
  campaign: number | 'latest'
  exportedBy: string
}

export interface ExportResult {
  bytes: Buffer
  sha256: string
  campaignId: number
  counts: Record<string, number>
}

/** Reads the campaign's rows of every kind in one repeatable-read snapshot and writes the package. */
export async function exportCampaign(database: Database, options: ExportOptions): Promise<ExportResult> {
  const campaign = await findCampaign(database, options.campaign)
  const install = await installId(database)
  const tables = await existingTables(database)
  const where = selections(campaign)
  const files: RecordFile[] = []
  await database.db.transaction(
    async (tx) => {
      for (const spec of KINDS) {
        const condition = where[spec.kind]
        if (!tables.has(spec.table) || !condition) continue
        const order = spec.match === 'link' ? sql`1` : spec.match === 'region' ? sql`t.code` : sql`t.id`
        const result = (await tx.execute(sql`select to_jsonb(t) as r from ${sql.identifier(spec.table)} t
          where ${condition} order by ${order}`)) as unknown as { rows: { r: unknown }[] }
        files.push({ kind: spec.kind, records: result.rows.map((row) => row.r) })
      }
    },
    { isolationLevel: 'repeatable read', accessMode: 'read only' },
  )
  const schemas = Object.fromEntries(
    KINDS.filter((k) => files.some((f) => f.kind === k.kind)).map((k) => [k.kind, schemaOf(k)]),
  )
  const bytes = await writePackage(
    {
      createdAt: new Date().toISOString(),
      producer: { install, software: SOFTWARE, exportedBy: options.exportedBy },
      campaign: {
        id: campaign.id,
        year: campaign.year,
        kind: campaign.kind,
        name: campaign.name,
        regionCode: campaign.region_code,
      },
      edition: { code: campaign.edition_code, year: campaign.edition_year },
    },
    files,
    schemas,
  )
  const counts = Object.fromEntries(files.map((f) => [f.kind, f.records.length]))
  return { bytes, sha256: packageDigest(bytes), campaignId: campaign.id, counts }
}

/** How many records of each kind the campaign's package would carry now. */
export async function packageSummary(
  database: Database,
  campaignId: number,
): Promise<Record<string, number>> {
  const campaign = await findCampaign(database, campaignId)
  const tables = await existingTables(database)
  const where = selections(campaign)
  const counts: Record<string, number> = {}
  for (const spec of KINDS) {
    const condition = where[spec.kind]
    if (!tables.has(spec.table) || !condition) continue
    const [row] = await database.rows<{ n: number }>(
      sql`select count(*)::int as n from ${sql.identifier(spec.table)} t where ${condition}`,
    )
    counts[spec.kind] = row?.n ?? 0
  }
  return counts
}
