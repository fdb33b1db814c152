import { sql } from 'drizzle-orm'
import JSZip from 'jszip'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createProcessors } from '../../jobs/processors.ts'
import { startProjectsRun } from '../../jobs/projects/job.ts'
import { InProcessRunner } from '../../jobs/runs/in-process.ts'
import { type Database, migrateDatabase } from '../../server/db/client.ts'
import { exportCampaign } from '../../server/exchange/export.ts'
import { PackageRefused, readPackage, sealPackage, sha256 } from '../../server/exchange/format.ts'
import { importPackage } from '../../server/exchange/import.ts'
import { seedDatabase } from '../../server/seed/demo.ts'
import { startDemoCheck } from '../../server/seed/demo-check.ts'
import { openEmptyTestDatabase, openTestDatabase } from '../helpers/database.ts'
import { type Api, postGraphql, startApi, tokenFor } from './helpers/api.ts'

let source: Database
let target: Database
let sourceApi: Api
let targetApi: Api
let bytes: Buffer

const COUNTS = `query Counts($region: String!) {
  problems(regionCode: $region) { totalCount }
  campaigns(first: 10) { nodes { name year exchangeSummary { indicatorValues problems tasks transitions } } }
}`

/** What a province user reads of the city's check through the API. */
async function countsOf(api: Api) {
  const token = await tokenFor('province', '310000')
  const response = await postGraphql(api.url, COUNTS, { region: '310100' }, token)
  expect(response.errors).toBeUndefined()
  return response.data
}

async function tableCounts(database: Database): Promise<Record<string, number>> {
  const [row] = await database.rows<Record<string, number>>(sql`select
    (select count(*)::int from campaigns) as campaigns, (select count(*)::int from indicator_values) as values,
    (select count(*)::int from problems) as problems, (select count(*)::int from tasks) as tasks,
    (select count(*)::int from problem_transitions) as transitions, (select count(*)::int from blocks) as blocks,
    (select count(*)::int from compounds) as compounds, (select count(*)::int from exchange_keys) as keys,
    (select count(*)::int from regions where boundary is not null) as boundaries,
    (select count(*)::int from stock_resources) as resources, (select count(*)::int from projects) as projects,
    (select count(*)::int from project_resources) as "projectResources"`)
  return row ?? {}
}

beforeAll(async () => {
  source = await openTestDatabase()
  const runner = new InProcessRunner(source, createProcessors(), { onError: () => {} })
  try {
    const check = await startDemoCheck(source, runner)
    await runner.idle()
    // Projects proposed on the demo's resources travel with the check (their generation run stays behind).
    if (!check) throw new Error('the demo check was not created')
    await startProjectsRun(source, runner, { campaignId: check.campaignId, regionCode: '310000' })
    await runner.idle()
  } finally {
    await runner.close()
  }
  // The receiving install: migrated and seeded like a server started with CITYCHECK_DEMO=off.
  target = await openEmptyTestDatabase()
  await migrateDatabase(target)
  await seedDatabase(target, { demo: false })
  bytes = (await exportCampaign(source, { campaign: 'latest', exportedBy: 'test' })).bytes
  sourceApi = await startApi({ database: source })
  targetApi = await startApi({ database: target })
})

afterAll(async () => {
  await sourceApi?.close()
  await targetApi?.close()
  await source?.close()
  await target?.close()
})

describe('the exchange package', () => {
  it('carries a manifest with the producer, a schema and a checksum per record kind', async () => {
    const pkg = await readPackage(bytes)
    expect(pkg.manifest.format).toBe('citycheck-exchange')
    expect(pkg.manifest.campaign.regionCode).toBe('310100')
    expect(pkg.manifest.producer.install).toMatch(/^[0-9a-f-]{36}$/)
    const kinds = pkg.manifest.files.map((f) => f.kind)
    expect(kinds).toEqual(expect.arrayContaining(['campaigns', 'indicator_values', 'problems', 'blocks']))
    for (const kind of kinds) expect(pkg.manifest.schemas[kind]).toBe(`schemas/${kind}.schema.json`)
    expect(pkg.records.get('indicator_values')?.length).toBeGreaterThan(0)
  })

  it('refuses a package with one byte changed, naming the checksum, and writes nothing', async () => {
    const before = await tableCounts(target)
    const changed = Buffer.from(bytes)
    const at = Math.floor(changed.length / 2)
    changed[at] = (changed[at] ?? 0) ^ 0x01
    const refusal = await importPackage(target, changed, { importedBy: 'test' }).catch((e: unknown) => e)
    expect(refusal).toBeInstanceOf(PackageRefused)
    expect((refusal as PackageRefused).zh).toContain('校验失败')
    expect((refusal as PackageRefused).en).toContain('Checksum mismatch')
    expect(await tableCounts(target)).toEqual(before)
    const [imports] = await target.rows<{ n: number }>(sql`select count(*)::int as n from exchange_imports`)
    expect(imports?.n).toBe(0)
  })

  it('refuses a sealed package of an unknown format version, or with a record that misses its schema', async () => {
    const before = await tableCounts(target)
    const newer = await JSZip.loadAsync(bytes)
    const manifest = JSON.parse(await (newer.file('manifest.json')?.async('string') ?? '{}'))
    newer.file('manifest.json', JSON.stringify({ ...manifest, formatVersion: '2.0' }))
    const version = await importPackage(target, await sealPackage(newer), { importedBy: 'test' }).catch(
      (e) => e,
    )
    expect((version as PackageRefused).en).toContain('Unsupported package format version 2.0')

    // A value without its unit key, the manifest's checksum and the seal made to match: the schema catches it.
    const edited = await JSZip.loadAsync(bytes)
    const path = 'records/indicator_values.jsonl'
    const lines = (await edited.file(path)?.async('string'))?.split('\n') ?? []
    const { unit_key: _dropped, ...rest } = JSON.parse(lines[0] ?? '{}')
    const text = [JSON.stringify(rest), ...lines.slice(1)].join('\n')
    edited.file(path, text)
    const files = manifest.files.map((f: { path: string }) =>
      f.path === path ? { ...f, sha256: sha256(text) } : f,
    )
    edited.file('manifest.json', JSON.stringify({ ...manifest, files }))
    const schema = await importPackage(target, await sealPackage(edited), { importedBy: 'test' }).catch(
      (e) => e,
    )
    expect((schema as PackageRefused).en).toMatch(
      /indicator_values\.jsonl #1 does not meet its schema: .*unit_key/,
    )
    expect(await tableCounts(target)).toEqual(before)
  })

  it('imported into an empty install shows the same problem and indicator-value counts through GraphQL', async () => {
    const result = await importPackage(target, bytes, { importedBy: 'test' })
    expect(result.rejected).toEqual([])
    expect(result.alreadyImported).toBe(false)
    const sent = await countsOf(sourceApi)
    const received = await countsOf(targetApi)
    expect(sent.problems.totalCount).toBeGreaterThan(0)
    expect(received.problems.totalCount).toBe(sent.problems.totalCount)
    const summary = (data: typeof sent) => data.campaigns.nodes.find((c: { year: number }) => c.year === 2025)
    expect(summary(sent).exchangeSummary.indicatorValues).toBeGreaterThan(0)
    expect(summary(received)).toEqual(summary(sent))
    const [sentRows, receivedRows] = [await tableCounts(source), await tableCounts(target)]
    expect(sentRows.projects).toBeGreaterThan(0)
    for (const table of ['projects', 'projectResources'])
      expect(receivedRows[table], table).toBe(sentRows[table])
  })

  it("is not a district's to read: the summary is refused, the campaigns around it are not", async () => {
    const token = await tokenFor('district', '310101')
    const response = await postGraphql(sourceApi.url, COUNTS, { region: '310101' }, token)
    expect(response.errors?.map((e: { extensions: { code: string } }) => e.extensions.code)).toContain(
      'FORBIDDEN',
    )
    expect(response.data.campaigns.nodes.length).toBeGreaterThan(0)
    expect(response.data.campaigns.nodes[0].exchangeSummary).toBeNull()
  })

  it('imported a second time changes no count', async () => {
    const before = await tableCounts(target)
    const again = await importPackage(target, bytes, { importedBy: 'test' })
    expect(again.alreadyImported).toBe(true)
    expect(await tableCounts(target)).toEqual(before)
  })

  it('a later package of the same campaign updates the rows it imported instead of adding rows', async () => {
    const before = await tableCounts(target)
    await source.rows(sql`update problems set severity = 3, title = title || '（更新）'
      where id = (select min(id) from problems)`)
    const later = (await exportCampaign(source, { campaign: 'latest', exportedBy: 'test' })).bytes
    const result = await importPackage(target, later, { importedBy: 'test' })
    expect(result.alreadyImported).toBe(false)
    expect(result.counts.problems?.inserted).toBe(0)
    expect(result.counts.problems?.updated).toBeGreaterThan(0)
    expect(await tableCounts(target)).toEqual(before)
    const [updated] = await target.rows<{ n: number }>(
      sql`select count(*)::int as n from problems where title like '%（更新）'`,
    )
    expect(updated?.n).toBe(1)
  })
})

describe('an import killed halfway', () => {
  it('goes on from its last committed chunk when given the same package again, adding no row twice', async () => {
    const before = await tableCounts(target)
    // A package the target has not seen (a later export), so the import starts from nothing.
    const pkg = (await exportCampaign(source, { campaign: 'latest', exportedBy: 'test' })).bytes
    const kill = new Error('killed')
    const stopped = await importPackage(target, pkg, {
      importedBy: 'test',
      chunkSize: 50,
      onChunk: (kind, done) => {
        if (kind === 'indicator_values' && done >= 100) throw kill
      },
    }).catch((e: unknown) => e)
    expect(stopped).toBe(kill)
    const [partial] = await target.rows<{ state: string; done: number }>(sql`select state,
      (progress->>'indicator_values')::int as done from exchange_imports order by id desc limit 1`)
    expect(partial).toEqual({ state: 'importing', done: 100 })
    const resumed = await importPackage(target, pkg, { importedBy: 'test', chunkSize: 50 })
    expect(resumed.resumed).toBe(true)
    const total = (await readPackage(pkg)).records.get('indicator_values')?.length ?? 0
    const values = resumed.counts.indicator_values
    expect((values?.inserted ?? 0) + (values?.updated ?? 0)).toBe(total - 100)
    expect(await tableCounts(target)).toEqual(before)
    const [done] = await target.rows<{ state: string }>(
      sql`select state from exchange_imports order by id desc limit 1`,
    )
    expect(done?.state).toBe('done')
  })
})
