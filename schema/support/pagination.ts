import { type SQL, sql } from 'drizzle-orm'
import type { GraphQLContext } from '../../server/graphql/context.ts'
import { badUserInput } from '../../server/graphql/errors.ts'

/** Page size when neither `first` nor `last` is given. */
export const DEFAULT_PAGE_SIZE = 50
/** Largest page a client may ask for. */
export const MAX_PAGE_SIZE = 500

export interface PageArgs {
  first?: number | null
  last?: number | null
  after?: string | null
  before?: string | null
}

/** One sort key; the last key of every ordering is the primary key, so pages never repeat or skip rows. */
export interface OrderKey {
  expr: SQL
  desc?: boolean
}

export interface Ordering {
  /** Written into cursors so a cursor of one ordering is refused by another. */
  name: string
  keys: OrderKey[]
}

/** A connection edge; its cursor is encoded when read, so a client asking for `nodes` never pays for it. */
class Edge<Row> {
  constructor(
    readonly node: Row,
    private readonly ordering: string,
    private readonly keyCount: number,
  ) {}

  get cursor(): string {
    const row = this.node as Record<string, unknown>
    const values: unknown[] = []
    for (let i = 0; i < this.keyCount; i++) values.push(row[`_k${i}`])
    return encodeCursor(this.ordering, values)
  }
}

export interface ListQuery {
  /** `from` clause with aliases, e.g. sql`buildings b`. */
  from: SQL
  /** Joins for the page only (to-one relations read with the rows); the count does without them. */
  joins?: SQL
  columns: SQL
  where: SQL[]
  ordering: Ordering
}

export interface Page<Row> {
  edges: { cursor: string; node: Row }[]
  pageInfo: {
    hasNextPage: boolean
    hasPreviousPage: boolean
    startCursor: string | null
    endCursor: string | null
  }
  /** Counted only when asked for: one more statement. */
  totalCount: () => Promise<number>
}

function encodeCursor(name: string, values: unknown[]): string {
  return Buffer.from(JSON.stringify([name, ...values])).toString('base64url')
}

function decodeCursor(cursor: string, ordering: Ordering): unknown[] {
  let parsed: unknown
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
  } catch {
    parsed = null
  }
  const valid =
    Array.isArray(parsed) &&
    parsed[0] === ordering.name &&
    parsed.length === ordering.keys.length + 1 &&
    parsed.slice(1).every((v) => v === null || typeof v === 'number' || typeof v === 'string')
  if (!valid) {
    throw badUserInput(
      '分页游标无效，或与当前排序方式不符',
      'Invalid cursor, or a cursor from a different ordering',
      { cursor },
    )
  }
  return (parsed as unknown[]).slice(1)
}

/** Rows strictly after (or before) a key tuple, in the ordering's direction. */
function keysetCondition(keys: OrderKey[], values: unknown[], backwards: boolean): SQL {
  const after = (key: OrderKey) => (Boolean(key.desc) !== backwards ? sql.raw('<') : sql.raw('>'))
  const sameDirection = keys.every((k) => Boolean(k.desc) === Boolean(keys[0]?.desc))
  if (sameDirection) {
    // A row comparison lets PostgreSQL use a composite or primary-key index.
    const lhs = sql.join(
      keys.map((k) => k.expr),
      sql`, `,
    )
    const rhs = sql.join(
      values.map((v) => sql`${v}`),
      sql`, `,
    )
    return sql`(${lhs}) ${after(keys[0] as OrderKey)} (${rhs})`
  }
  const build = (i: number): SQL => {
    const key = keys[i] as OrderKey
    const value = values[i]
    if (i === keys.length - 1) return sql`${key.expr} ${after(key)} ${value}`
    return sql`(${key.expr} ${after(key)} ${value} or (${key.expr} = ${value} and ${build(i + 1)}))`
  }
  return build(0)
}

function pageSize(args: PageArgs): { size: number; backwards: boolean } {
  if (args.first != null && args.last != null) {
    throw badUserInput('first 与 last 不能同时使用', 'Use either first or last, not both')
  }
  const requested = args.first ?? args.last ?? DEFAULT_PAGE_SIZE
  if (!Number.isInteger(requested) || requested < 0 || requested > MAX_PAGE_SIZE) {
    throw badUserInput(
      `每页条数应为 0 到 ${MAX_PAGE_SIZE} 之间的整数`,
      `first/last must be an integer from 0 to ${MAX_PAGE_SIZE}`,
    )
  }
  const backwards = args.last != null || (args.first == null && args.before != null && args.after == null)
  return { size: requested, backwards }
}

export const and = (conditions: SQL[]): SQL =>
  conditions.length === 0 ? sql`true` : sql.join(conditions, sql` and `)

/**
 * A Relay connection page by keyset: one statement for the page (plus one row to know whether more follow).
 * Each ordering key is selected as `_k0`, `_k1`… so the cursor carries the exact values compared next time.
 */
export async function keysetPage<Row extends object>(
  context: GraphQLContext,
  query: ListQuery,
  args: PageArgs,
  /** Hands the page's rows to the type's loader, so references back to them cost no statement. */
  prime?: (rows: Row[]) => void,
): Promise<Page<Row>> {
  const { size, backwards } = pageSize(args)
  const { keys, name } = query.ordering
  const where = [...query.where]
  if (args.after) where.push(keysetCondition(keys, decodeCursor(args.after, query.ordering), false))
  if (args.before) where.push(keysetCondition(keys, decodeCursor(args.before, query.ordering), true))
  const orderBy = sql.join(
    keys.map((k) => sql`${k.expr} ${sql.raw(Boolean(k.desc) !== backwards ? 'desc' : 'asc')}`),
    sql`, `,
  )
  const keyColumns = sql.join(
    keys.map((k, i) => sql`${k.expr} as ${sql.raw(`_k${i}`)}`),
    sql`, `,
  )
  let totalCount: Promise<number> | undefined
  const countRows = () => {
    totalCount ??= context.database
      .rows<{ n: number }>(sql`select count(*)::int as n from ${query.from} where ${and(query.where)}`)
      .then((rows) => rows[0]?.n ?? 0)
    return totalCount
  }
  const rows =
    size === 0
      ? []
      : await context.database.rows<Row & Record<string, unknown>>(
          sql`select ${query.columns}, ${keyColumns} from ${query.from} ${query.joins ?? sql``}
              where ${and(where)} order by ${orderBy} limit ${size + 1}`,
        )
  const more = rows.length > size
  const pageRows = more ? rows.slice(0, size) : rows
  if (backwards) pageRows.reverse()
  prime?.(pageRows as Row[])
  const edges = pageRows.map((row) => new Edge(row as Row, name, keys.length))
  return {
    edges,
    pageInfo: {
      hasNextPage: backwards ? Boolean(args.before) : more,
      hasPreviousPage: backwards ? more : Boolean(args.after),
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges[edges.length - 1]?.cursor ?? null,
    },
    totalCount: countRows,
  }
}
