/**
 * Merges an exchange package into this install (ADR 0017): verified whole before the first write, then written
 * kind by kind in chunks, each chunk committed with the count of records done, so a killed import resumes.
 */
import { sql } from 'drizzle-orm'
import type { Database } from '../db/client.ts'
import { forbidden } from '../graphql/errors.ts'
import { installId } from './export.ts'
import { type Manifest, PackageRefused, readPackage } from './format.ts'
import { KIND_BY_NAME, validateRecords } from './kinds.ts'
import {
  execute,
  KeyMap,
  linkSelfReferences,
  type Outcome,
  type RowContext,
  type SqlExecutor,
  writableColumns,
  writeRecord,
} from './rows.ts'

export interface ImportOptions {
  /** Who imports: a token subject, or the operator at the command line. */
  importedBy: string
  role?: string | null
  /** Refuses a package with any row outside this region prefix (the sender's scope): FORBIDDEN. */
  regionPrefix?: string
  /** Records per committed chunk. @defaultValue 500 */
  chunkSize?: number
  /** Called after each committed chunk (a test stops the import here to play a kill). */
  onChunk?: (kind: string, done: number) => void
}

export interface ImportResult {
  importId: number
  packageSha256: string
  campaignId: number | null
  /** The same package was imported before: nothing was written. */
  alreadyImported: boolean
  /** An earlier attempt stopped halfway and this one went on from its last chunk. */
  resumed: boolean
  counts: Record<string, Record<Outcome, number>>
  rejected: RowContext['rejected']
}

interface ImportRow {
  id: number
  state: string
  progress: Record<string, number>
  campaign_id: number | null
}

export async function importPackage(
  database: Database,
  bytes: Buffer,
  options: ImportOptions,
): Promise<ImportResult> {
  const pkg = await readPackage(bytes)
  validateRecords(pkg.records)
  if (options.regionPrefix !== undefined) assertInside(pkg.records, pkg.manifest, options.regionPrefix)
  const source = pkg.manifest.producer.install
  if (source === (await installId(database))) {
    throw new PackageRefused(
      '这个交换包是本系统自己导出的，不能导入回本系统',
      'This package was exported by this install itself and cannot be imported into it',
    )
  }
  const { row: started, resumed } = await beginImport(database, pkg.sha256, pkg.manifest, options)
  const result: ImportResult = {
    importId: started.id,
    packageSha256: pkg.sha256,
    campaignId: started.campaign_id,
    alreadyImported: started.state === 'done',
    resumed,
    counts: {},
    rejected: [],
  }
  if (started.state === 'done') return result

  const chunkSize = options.chunkSize ?? 500
  const columns = await writableColumns(database.db)
  const keys = await KeyMap.load(database.db, source)
  for (const file of pkg.manifest.files) {
    const spec = KIND_BY_NAME.get(file.kind)
    const records = (pkg.records.get(file.kind) ?? []) as Record<string, unknown>[]
    if (!spec) continue
    const counts = { inserted: 0, updated: 0, matched: 0, rejected: 0 }
    result.counts[file.kind] = counts
    for (let done = started.progress[file.kind] ?? 0; done < records.length; ) {
      const chunk = records.slice(done, done + chunkSize)
      done += chunk.length
      await database.db.transaction(async (tx) => {
        const context: RowContext = { tx, keys, columns, rejected: result.rejected }
        for (const record of chunk) counts[await writeRecord(context, spec, record)] += 1
        await execute(
          tx,
          sql`update exchange_imports set progress = progress || ${JSON.stringify({ [file.kind]: done })}::jsonb
          where id = ${started.id}`,
        )
      })
      options.onChunk?.(file.kind, done)
    }
  }
  result.campaignId = await finishImport(database, pkg, keys, columns, result, options)
  return result
}

/** The import row of this package: new, or the one an earlier attempt left (resumed or already done). */
async function beginImport(
  database: Database,
  sha256: string,
  manifest: Manifest,
  options: ImportOptions,
): Promise<{ row: ImportRow; resumed: boolean }> {
  return database.db.transaction(async (tx) => {
    const [earlier] = await execute<ImportRow>(
      tx,
      sql`select id, state, progress, campaign_id from exchange_imports where package_sha256 = ${sha256} for update`,
    )
    if (earlier) return { row: earlier, resumed: earlier.state === 'importing' }
    const [newer] = await execute<{ created: string }>(
      tx,
      sql`select package_created_at::text as created from exchange_imports
        where source_install = ${manifest.producer.install} and source_campaign_id = ${String(manifest.campaign.id)}
          and state = 'done' and package_created_at > ${manifest.createdAt}::timestamptz limit 1`,
    )
    if (newer) {
      throw new PackageRefused(
        `已导入该体检任务更新的交换包（${newer.created}），这个较旧的包不再导入`,
        `A newer package of this campaign (${newer.created}) was imported already; this older one is not`,
      )
    }
    const [row] = await execute<ImportRow>(
      tx,
      sql`insert into exchange_imports (package_sha256, source_install, source_campaign_id, format_version,
          package_created_at, imported_by)
        values (${sha256}, ${manifest.producer.install}, ${String(manifest.campaign.id)}, ${manifest.formatVersion},
          ${manifest.createdAt}::timestamptz, ${options.importedBy})
        returning id, state, progress, campaign_id`,
    )
    if (!row) throw new Error('exchange_imports returned no row')
    return { row, resumed: false }
  })
}

/** Self references, the import marked done, and the audit event — in one transaction. */
async function finishImport(
  database: Database,
  pkg: Awaited<ReturnType<typeof readPackage>>,
  keys: KeyMap,
  columns: Map<string, Set<string>>,
  result: ImportResult,
  options: ImportOptions,
): Promise<number | null> {
  const local = keys.get('campaigns', pkg.manifest.campaign.id)
  const campaignId = local === undefined ? null : Number(local)
  await database.db.transaction(async (tx) => {
    const context: RowContext = { tx, keys, columns, rejected: result.rejected }
    for (const file of pkg.manifest.files) {
      const spec = KIND_BY_NAME.get(file.kind)
      if (spec) await linkSelfReferences(context, spec, (pkg.records.get(file.kind) ?? []) as never[])
    }
    await execute(
      tx,
      sql`update exchange_imports set state = 'done', finished_at = now(), campaign_id = ${campaignId},
        counts = ${JSON.stringify(totals(result))}::jsonb
      where id = ${result.importId}`,
    )
    await audit(tx, pkg.manifest, result, options)
  })
  return campaignId
}

function totals(result: ImportResult): Record<string, number> {
  return Object.fromEntries(
    Object.entries(result.counts).map(([kind, c]) => [kind, c.inserted + c.updated + c.matched]),
  )
}

async function audit(tx: SqlExecutor, manifest: Manifest, result: ImportResult, options: ImportOptions) {
  const after = {
    packageSha256: result.packageSha256,
    sourceInstall: manifest.producer.install,
    sourceCampaignId: manifest.campaign.id,
    resumed: result.resumed,
    counts: result.counts,
    rejected: result.rejected.length,
  }
  await execute(
    tx,
    sql`insert into audit_events (actor, role, region_code, entity, entity_id, action, after)
    values (${options.importedBy}, ${options.role ?? null}, ${manifest.campaign.regionCode}, 'exchange_package',
      ${String(result.importId)}, 'import', ${JSON.stringify(after)}::jsonb)`,
  )
}

/** Every row's region and the campaign's lie inside the prefix, or the package is refused whole. */
function assertInside(records: Map<string, unknown[]>, manifest: Manifest, prefix: string): void {
  const outside = (code: unknown) => typeof code === 'string' && !code.startsWith(prefix)
  if (outside(manifest.campaign.regionCode)) throw outsideScope(manifest.campaign.regionCode)
  for (const [kind, rows] of records) {
    if (kind === 'regions' || kind === 'indicator_systems' || kind === 'indicators') continue
    for (const row of rows) {
      const code = (row as { region_code?: unknown }).region_code
      if (outside(code)) throw outsideScope(String(code))
    }
  }
}

function outsideScope(code: string) {
  return forbidden(
    `交换包含有本令牌辖区以外的数据（${code}）`,
    `The package holds data outside the sender token's region (${code})`,
  )
}
