/** Writing one record of a package into its table, matched the way its kind says (ADR 0017). */
import { type SQL, sql } from 'drizzle-orm'
import { type KindSpec, UNIT_KINDS } from './kinds.ts'

/** Anything that runs SQL: a transaction of the import. */
export interface SqlExecutor {
  execute(query: SQL): Promise<unknown>
}

/** Source id → id here, per kind, for one source install; grows as rows are written. */
export class KeyMap {
  private readonly byKind = new Map<string, Map<string, string>>()
  constructor(readonly sourceInstall: string) {}

  static async load(tx: SqlExecutor, sourceInstall: string): Promise<KeyMap> {
    const map = new KeyMap(sourceInstall)
    const rows = await execute<{ kind: string; source_key: string; local_id: string }>(
      tx,
      sql`select kind, source_key, local_id from exchange_keys where source_install = ${sourceInstall}`,
    )
    for (const row of rows) map.remember(row.kind, row.source_key, row.local_id)
    return map
  }

  get(kind: string, sourceKey: unknown): string | undefined {
    return sourceKey == null ? undefined : this.byKind.get(kind)?.get(String(sourceKey))
  }

  remember(kind: string, sourceKey: string, localId: string): void {
    const keys = this.byKind.get(kind) ?? new Map<string, string>()
    this.byKind.set(kind, keys)
    keys.set(sourceKey, localId)
  }

  /** Records the mapping in the same transaction as the row it names. */
  async save(tx: SqlExecutor, kind: string, sourceKey: string, localId: string): Promise<void> {
    await execute(
      tx,
      sql`insert into exchange_keys (source_install, kind, source_key, local_id)
        values (${this.sourceInstall}, ${kind}, ${sourceKey}, ${localId})
        on conflict (source_install, kind, source_key) do update set local_id = excluded.local_id, updated_at = now()`,
    )
    this.remember(kind, sourceKey, localId)
  }
}

export async function execute<T = Record<string, unknown>>(tx: SqlExecutor, query: SQL): Promise<T[]> {
  return ((await tx.execute(query)) as unknown as { rows: T[] }).rows
}

/** Writable columns of each table (generated ones and the serial id left out), read once per import. */
export async function writableColumns(tx: SqlExecutor): Promise<Map<string, Set<string>>> {
  const rows = await execute<{ table_name: string; column_name: string }>(
    tx,
    sql`select table_name, column_name from information_schema.columns
      where table_schema = current_schema() and is_generated = 'NEVER' and column_name <> 'id'`,
  )
  const columns = new Map<string, Set<string>>()
  for (const row of rows) {
    const set = columns.get(row.table_name) ?? new Set<string>()
    columns.set(row.table_name, set)
    set.add(row.column_name)
  }
  return columns
}

export type Outcome = 'inserted' | 'updated' | 'matched' | 'rejected'

export interface RowContext {
  tx: SqlExecutor
  keys: KeyMap
  columns: Map<string, Set<string>>
  rejected: { kind: string; sourceKey: string; reason: string }[]
}

/** The record as a row of this install: ids of other kinds rewritten, what does not travel emptied. */
function localRow(
  spec: KindSpec,
  record: Record<string, unknown>,
  keys: KeyMap,
): Record<string, unknown> | string {
  const row: Record<string, unknown> = { ...record }
  delete row.id
  for (const [column, kind] of Object.entries(spec.refs)) {
    if (row[column] == null) continue
    const local = keys.get(kind, row[column])
    if (local === undefined && kind !== spec.kind && spec.match !== 'mapped') {
      return `${column} ${String(row[column])} was not in the package`
    }
    row[column] = local === undefined ? null : Number(local)
  }
  for (const column of spec.cleared ?? []) row[column] = null
  const unitKind = typeof row.unit_type === 'string' ? UNIT_KINDS[row.unit_type] : undefined
  if (unitKind && row.unit_key != null) {
    const local = keys.get(unitKind, row.unit_key)
    if (local === undefined)
      return `unit ${String(row.unit_type)} ${String(row.unit_key)} was not in the package`
    row.unit_key = local
  }
  // A problem's dedupe key is unique here too: the source's keys live in the source's namespace.
  if (spec.table === 'problems' && typeof row.dedupe_key === 'string') {
    row.dedupe_key = `${keys.sourceInstall}:${row.dedupe_key}`
  }
  return row
}

function columnList(columns: Set<string> | undefined, row: Record<string, unknown>): SQL {
  const names = [...(columns ?? [])].filter((c) => c in row).sort()
  if (names.length === 0) throw new Error('a record with no column of its table')
  return sql.join(
    names.map((c) => sql.identifier(c)),
    sql`, `,
  )
}

/** Writes one record; returns what happened to it. */
export async function writeRecord(
  context: RowContext,
  spec: KindSpec,
  record: Record<string, unknown>,
): Promise<Outcome> {
  const sourceKey = String(record.id ?? record.code ?? '')
  const row = localRow(spec, record, context.keys)
  if (typeof row === 'string') {
    context.rejected.push({ kind: spec.kind, sourceKey, reason: row })
    return 'rejected'
  }
  const table = sql.identifier(spec.table)
  const cols = columnList(context.columns.get(spec.table), row)
  const source = sql`jsonb_populate_record(null::${table}, ${JSON.stringify(row)}::jsonb)`
  switch (spec.match) {
    case 'edition':
    case 'indicator':
      return matchByCode(context, spec, record, row, sourceKey)
    case 'region': {
      const [r] = await execute<{ inserted: boolean }>(
        context.tx,
        sql`insert into regions (${cols}) select ${cols} from ${source}
          on conflict (code) do update set boundary = coalesce(regions.boundary, excluded.boundary)
          returning (xmax = 0) as inserted`,
      )
      return r?.inserted ? 'inserted' : 'matched'
    }
    case 'value': {
      const [r] = await execute<{ inserted: boolean }>(
        context.tx,
        sql`insert into indicator_values (${cols}) select ${cols} from ${source}
          on conflict (campaign_id, indicator_id, unit_type, unit_key)
          do update set (${cols}) = (select ${cols} from ${source})
          returning (xmax = 0) as inserted`,
      )
      return r?.inserted ? 'inserted' : 'updated'
    }
    case 'link': {
      const inserted = await execute(
        context.tx,
        sql`insert into ${table} (${cols}) select ${cols} from ${source} on conflict do nothing returning 1`,
      )
      return inserted.length > 0 ? 'inserted' : 'matched'
    }
    case 'mapped':
      return upsertMapped(context, spec, sourceKey, cols, source)
  }
}

async function upsertMapped(
  context: RowContext,
  spec: KindSpec,
  sourceKey: string,
  cols: SQL,
  source: SQL,
): Promise<Outcome> {
  const table = sql.identifier(spec.table)
  const local = context.keys.get(spec.kind, sourceKey)
  if (local !== undefined) {
    const updated = await execute(
      context.tx,
      sql`update ${table} set (${cols}) = (select ${cols} from ${source}) where id = ${Number(local)} returning 1`,
    )
    if (updated.length > 0) return 'updated'
  }
  const [inserted] = await execute<{ id: number }>(
    context.tx,
    sql`insert into ${table} (${cols}) select ${cols} from ${source} returning id`,
  )
  if (!inserted) throw new Error(`no id returned inserting into ${spec.table}`)
  await context.keys.save(context.tx, spec.kind, sourceKey, String(inserted.id))
  return 'inserted'
}

/**
 * An edition (or an indicator of it) already here is the same catalogue: used as it is, never changed, since
 * it may be published or locked. One that is missing is added.
 */
async function matchByCode(
  context: RowContext,
  spec: KindSpec,
  record: Record<string, unknown>,
  row: Record<string, unknown>,
  sourceKey: string,
): Promise<Outcome> {
  const found =
    spec.match === 'edition'
      ? await execute<{ id: number }>(
          context.tx,
          sql`select id from indicator_systems where code = ${String(record.code)} and year = ${Number(record.year)}
            order by id limit 1`,
        )
      : await execute<{ id: number }>(
          context.tx,
          sql`select id from indicators where system_id = ${Number(row.system_id)} and code = ${String(record.code)}
            order by id limit 1`,
        )
  if (found[0]) {
    await context.keys.save(context.tx, spec.kind, sourceKey, String(found[0].id))
    return 'matched'
  }
  const cols = columnList(context.columns.get(spec.table), row)
  const source = sql`jsonb_populate_record(null::${sql.identifier(spec.table)}, ${JSON.stringify(row)}::jsonb)`
  return upsertMapped(context, spec, sourceKey, cols, source)
}

/** Ids pointing at rows of their own kind (a merged problem) are set once every row of the kind is here. */
export async function linkSelfReferences(
  context: RowContext,
  spec: KindSpec,
  records: readonly Record<string, unknown>[],
): Promise<void> {
  const selfColumns = Object.entries(spec.refs).filter(([, kind]) => kind === spec.kind)
  for (const [column] of selfColumns) {
    for (const record of records) {
      const local = context.keys.get(spec.kind, record.id)
      const target = context.keys.get(spec.kind, record[column])
      if (local === undefined || target === undefined) continue
      await execute(
        context.tx,
        sql`update ${sql.identifier(spec.table)} set ${sql.identifier(column)} = ${Number(target)}
          where id = ${Number(local)}`,
      )
    }
  }
}
