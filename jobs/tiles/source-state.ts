/** What a tileset was built from, saved beside it, so a cheap look tells whether the database has moved on. */
import { readFile, rename, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { sql } from 'drizzle-orm'
import type { Database } from '../../server/db/client.ts'
import { regionFilter } from './city-rows.ts'

export interface SourceState {
  regionCode: string | null
  /** The public tileset: `buildings` counts the public buildings only, and problems are not looked at. */
  publicOnly?: boolean
  buildings: number
  /**
   * `max(updated_at)::text` of the buildings (every one of the region, public or not: a building that stops being
   * public must leave the public tileset) and of the problems attached to buildings (null for the public tileset).
   */
  buildingsUpdatedAt: string | null
  problemsUpdatedAt: string | null
}

const SOURCE_FILE = 'source.json'

/** The state of the buildings (of a region, or all) and of their problems now: a count and two maxima. */
export async function sourceState(
  database: Database,
  regionCode: string | undefined,
  publicOnly = false,
): Promise<SourceState> {
  const counted = publicOnly ? sql`count(*) filter (where b.is_public)` : sql`count(*)`
  const [b] = await database.rows<{ n: number; at: string | null }>(sql`
    select ${counted}::int as n, max(b.updated_at)::text as at from buildings b where ${regionFilter(regionCode)}`)
  const [p] = publicOnly
    ? [{ at: null }]
    : await database.rows<{ at: string | null }>(
        sql`select max(updated_at)::text as at from problems where building_id is not null`,
      )
  return {
    regionCode: regionCode ?? null,
    ...(publicOnly ? { publicOnly } : {}),
    buildings: Number(b?.n ?? 0),
    buildingsUpdatedAt: b?.at ?? null,
    problemsUpdatedAt: p?.at ?? null,
  }
}

export function sameSourceState(a: SourceState, b: SourceState): boolean {
  return (
    a.regionCode === b.regionCode &&
    (a.publicOnly ?? false) === (b.publicOnly ?? false) &&
    a.buildings === b.buildings &&
    a.buildingsUpdatedAt === b.buildingsUpdatedAt &&
    a.problemsUpdatedAt === b.problemsUpdatedAt
  )
}

export async function writeSourceState(outDir: string, state: SourceState): Promise<void> {
  const file = path.join(outDir, SOURCE_FILE)
  await writeFile(`${file}.tmp`, JSON.stringify(state))
  await rename(`${file}.tmp`, file)
}

/** The saved state, or null when there is none (never built, or a build under way or cut off). */
export async function readSourceState(outDir: string): Promise<SourceState | null> {
  try {
    return JSON.parse(await readFile(path.join(outDir, SOURCE_FILE), 'utf8')) as SourceState
  } catch {
    return null
  }
}

/** Forgets the saved state before a full build, so that a build cut off halfway is built afresh next time. */
export async function removeSourceState(outDir: string): Promise<void> {
  await rm(path.join(outDir, SOURCE_FILE), { force: true })
}
