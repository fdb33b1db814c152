import { type SQL, sql } from 'drizzle-orm'

interface Executor {
  execute(query: SQL): Promise<unknown>
}

/** The district part of a 编号: the first six digits of the region code (a street's district, a district itself). */
export const codeDistrict = (regionCode: string) => regionCode.slice(0, 6).padEnd(6, '0')

/**
 * Hands out 编号 `ZY-<district>-NNNN` in the transaction that inserts the resources: each district's counter is
 * locked (in code order, so two writers never wait on each other crosswise) and starts after the highest number
 * in use. Numbers are never reused within a district while the resource exists.
 */
export async function codeAllocator(tx: Executor, regionCodes: Iterable<string>) {
  const districts = [...new Set([...regionCodes].map(codeDistrict))].sort()
  const next = new Map<string, number>()
  for (const district of districts) {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`stock_resource_code:${district}`}))`)
    const found = (await tx.execute(sql`select coalesce(max(substring(code from '[0-9]+$')::int), 0) as n
      from stock_resources where code like ${`ZY-${district}-%`}`)) as { rows: { n: number }[] }
    next.set(district, Number(found.rows[0]?.n ?? 0) + 1)
  }
  return (regionCode: string): string => {
    const district = codeDistrict(regionCode)
    const n = next.get(district)
    if (n === undefined) throw new Error(`no 编号 counter was locked for district ${district}`)
    next.set(district, n + 1)
    return `ZY-${district}-${String(n).padStart(4, '0')}`
  }
}
