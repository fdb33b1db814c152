/**
 * Problem photos (issue 13, item 4): before and after photos by whoever works the problem, inspection photos by
 * the verifiers, stored like the fillings' evidence (by their bytes, content-addressed), scoped like the ledger.
 */
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  globalId,
  insertLoopProblem,
  type LoopFixture,
  PNG,
  personToken,
  startLoopFixture,
} from './helpers/problem-loop.ts'

let fixture: LoopFixture
let problemId: number
let taskId: number
const tokens: Record<string, string> = {}

beforeAll(async () => {
  fixture = await startLoopFixture()
  problemId = await insertLoopProblem(fixture.database, { state: 'in_progress', department: '住建委' })
  const [task] = await fixture.database.rows<{ id: number }>(sql`insert into tasks
      (problem_id, title, region_code, responsible_unit, department)
    values (${problemId}, '拆除空调外机支架', '310101002', '310101002', '城管局') returning id`)
  taskId = task!.id
  tokens.street = await personToken('street-worker', 'street', '310101002')
  tokens.zjw = await personToken('zjw-officer', 'department', '310101', '住建委')
  tokens.cgj = await personToken('cgj-officer', 'department', '310101', '城管局')
  tokens.pudong = await personToken('pudong-officer', 'district', '310115')
  tokens.district = await personToken('huangpu-officer', 'district', '310101')
  tokens.city = await personToken('city-inspector', 'city', '310100')
  tokens.expert = await personToken('expert', 'expert', '310101')
})
afterAll(async () => {
  await fixture?.close()
})

const download = (id: number, token: string | null) =>
  fetch(`${fixture.url}/api/problem-photos/${id}`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  })

describe('problem photos', () => {
  it('stores a before photo under its sha256, audits it, lists it and gives it back as an attachment', async () => {
    const up = await fixture.upload(problemId, 'before', tokens.street!, { name: '../整改前\u202Egnp.exe' })
    expect(up.status).toBe(201)
    const sha256 = createHash('sha256').update(PNG).digest('hex')
    expect(up.body).toMatchObject({
      problemId,
      kind: 'before',
      sha256,
      mediaType: 'image/png',
      fileName: '整改前gnp.exe.png',
      url: `/api/problem-photos/${up.body.id}`,
    })
    const stored = path.join(fixture.dataDir, 'evidence', sha256.slice(0, 2), sha256)
    expect(fs.readFileSync(stored).equals(PNG)).toBe(true)

    const response = await download(up.body.id, tokens.district!)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('image/png')
    expect(response.headers.get('content-disposition')).toContain('attachment;')
    expect(Buffer.from(await response.arrayBuffer()).equals(PNG)).toBe(true)

    const [audit] = await fixture.database.rows<{ action: string; actor: string; after: { kind: string } }>(
      sql`select action, actor, after from audit_events where entity = 'problem'
        and entity_id = ${String(problemId)} and action = 'photo'`,
    )
    expect(audit).toMatchObject({ action: 'photo', actor: 'street-worker', after: { kind: 'before' } })

    const listed = await fixture.gql(
      `query ($id: ID!) { node(id: $id) { ... on Problem { photos { kind fileName uploadedBy url } } } }`,
      { id: globalId('Problem', problemId) },
      tokens.district,
    )
    expect(listed.errors).toBeUndefined()
    expect(listed.data.node.photos).toEqual([
      { kind: 'before', fileName: '整改前gnp.exe.png', uploadedBy: 'street-worker', url: up.body.url },
    ])
    const anonymous = await fixture.gql(
      `query ($id: ID!) { node(id: $id) { ... on Problem { photos { kind } } } }`,
      { id: globalId('Problem', problemId) },
    )
    expect(anonymous.data.node).toBeNull()
  })

  it('lets a department add photos to its own work only: the problem’s, or a task routed to it', async () => {
    expect((await fixture.upload(problemId, 'after', tokens.zjw!)).status).toBe(201)
    expect((await fixture.upload(problemId, 'after', tokens.cgj!)).status).toBe(403)
    const onTask = await fixture.upload(problemId, 'after', tokens.cgj!, { taskId })
    expect(onTask.status).toBe(201)
    expect(onTask.body.taskId).toBe(taskId)
    expect((await fixture.upload(problemId, 'after', tokens.zjw!, { taskId })).status).toBe(403)
    expect((await fixture.upload(problemId, 'after', tokens.zjw!, { taskId: taskId + 999 })).status).toBe(404)
  })

  it('keeps inspection photos to the verifiers and everything to the scope', async () => {
    const refused = await fixture.upload(problemId, 'inspection', tokens.district!)
    expect(refused.status).toBe(403)
    expect(refused.body.localized.en).toContain('only province, city may')
    expect((await fixture.upload(problemId, 'inspection', tokens.city!)).status).toBe(201)
    expect((await fixture.upload(problemId, 'before', tokens.expert!)).status).toBe(403)
    expect((await fixture.upload(problemId, 'before', tokens.pudong!)).status).toBe(404)
    expect((await fixture.upload(problemId + 999, 'before', tokens.district!)).status).toBe(404)
    expect((await fixture.upload(problemId, 'before', null)).status).toBe(401)
    expect((await fixture.upload(problemId, 'sideways', tokens.district!)).status).toBe(400)

    const [photo] = await fixture.database.rows<{ id: number }>(
      sql`select id from problem_photos where problem_id = ${problemId} order by id limit 1`,
    )
    expect((await download(photo!.id, tokens.pudong!)).status).toBe(404)
    expect((await download(photo!.id, null)).status).toBe(401)
    expect((await download(photo!.id + 999, tokens.district!)).status).toBe(404)
  })

  it('takes JPEG and PNG only, by their bytes, up to 20 MB', async () => {
    const pdf = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n')
    for (const bytes of [pdf, Buffer.from('<svg onload="alert(1)"/>'), Buffer.from('MZ\0\0\0')]) {
      const answer = await fixture.upload(problemId, 'before', tokens.district!, { bytes, name: 'a.png' })
      expect(answer.status).toBe(415)
    }
    const huge = Buffer.concat([PNG, Buffer.alloc(20 * 1024 * 1024)])
    expect((await fixture.upload(problemId, 'before', tokens.district!, { bytes: huge })).status).toBe(413)
    expect(
      (await fixture.upload(problemId, 'before', tokens.district!, { bytes: Buffer.alloc(0) })).status,
    ).toBe(400)
  })

  it('takes no photo for a closed problem', async () => {
    const closed = await insertLoopProblem(fixture.database, { state: 'closed' })
    expect((await fixture.upload(closed, 'after', tokens.district!)).status).toBe(409)
  })
})
