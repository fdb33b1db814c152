import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { PROJECT_ROOT } from '../../server/config.ts'

const DEPCRUISE = path.join(PROJECT_ROOT, 'node_modules/.bin/depcruise')
const CONFIG = path.join(PROJECT_ROOT, '.dependency-cruiser.cjs')

let tree: string | null = null
afterEach(() => {
  if (tree) fs.rmSync(tree, { recursive: true, force: true })
  tree = null
})

/** A throw-away checkout holding only `files`, laid out like the project. */
function makeTree(files: Record<string, string>): string {
  tree = fs.mkdtempSync(path.join(os.tmpdir(), 'citycheck-house-'))
  const all = {
    'tsconfig.json': JSON.stringify({ compilerOptions: { allowImportingTsExtensions: true } }),
    ...files,
  }
  for (const [file, text] of Object.entries(all)) {
    fs.mkdirSync(path.dirname(path.join(tree, file)), { recursive: true })
    fs.writeFileSync(path.join(tree, file), text)
  }
  return tree
}

function cruise(dir: string): { status: number | null; output: string } {
  const roots = ['server', 'schema', 'jobs'].filter((root) => fs.existsSync(path.join(dir, root)))
  const result = spawnSync(DEPCRUISE, [...roots, '--config', CONFIG], {
    cwd: dir,
    encoding: 'utf8',
  })
  return { status: result.status, output: result.stdout + result.stderr }
}

describe('the dependency rules of npm run lint', () => {
  it('pass a tree whose arrows run one way', () => {
    const dir = makeTree({
      'server/db/client.ts': 'export const open = () => 1\n',
      'jobs/runs/types.ts':
        "import type { open } from '../../server/db/client.ts'\nexport type Open = typeof open\n",
      'jobs/api.ts': "export type { Open } from './runs/types.ts'\n",
      'schema/runs.ts': "import type { Open } from '../jobs/api.ts'\nexport type Runs = Open\n",
    })
    const { status, output } = cruise(dir)
    expect(output).toContain('no dependency violations')
    expect(status).toBe(0)
  })

  it('fail on an import cycle made of type-only imports', () => {
    const dir = makeTree({
      'jobs/runs/a.ts': "import type { B } from './b.ts'\nexport interface A { b: B }\n",
      'jobs/runs/b.ts': "import type { A } from './a.ts'\nexport interface B { a: A }\n",
    })
    const { status, output } = cruise(dir)
    expect(output).toContain('no-cycle')
    expect(status).not.toBe(0)
  })

  it('fail when jobs/ imports server/ outside db, domain and config', () => {
    const dir = makeTree({
      'server/graphql/context.ts': 'export interface Context { user: string }\n',
      'jobs/coverage/job.ts':
        "import type { Context } from '../../server/graphql/context.ts'\nexport type C = Context\n",
    })
    const { status, output } = cruise(dir)
    expect(output).toContain('jobs-use-server-base-only')
    expect(status).not.toBe(0)
  })

  it('fail when the API reaches into jobs/ past the facade', () => {
    const dir = makeTree({
      'jobs/coverage/job.ts': 'export const startCoverageRun = () => 1\n',
      'schema/coverage.ts':
        "import { startCoverageRun } from '../jobs/coverage/job.ts'\nexport const s = startCoverageRun\n",
    })
    const { status, output } = cruise(dir)
    expect(output).toContain('jobs-through-the-facade')
    expect(status).not.toBe(0)
  })
})

describe('the file size check of npm run lint', () => {
  function checkSizes(dir: string) {
    spawnSync('git', ['init', '-q'], { cwd: dir })
    return spawnSync(
      process.execPath,
      ['--import', 'tsx', path.join(PROJECT_ROOT, 'scripts/lint-sizes.ts'), dir],
      {
        cwd: PROJECT_ROOT,
        encoding: 'utf8',
      },
    )
  }

  it('fails on a source file over 500 lines and names it, but not on migrations or generated code', () => {
    const long = 'export const x = 1\n'.repeat(501)
    const dir = makeTree({
      'server/long.ts': long,
      'server/fine.ts': 'export const x = 1\n'.repeat(500),
      'migrations/0001.ts': long,
      'viewer/generated/graphql.ts': long,
    })
    const result = checkSizes(dir)
    expect(result.stderr).toContain('server/long.ts: 501 lines')
    expect(result.stderr).not.toMatch(/fine\.ts|migrations|generated/)
    expect(result.status).toBe(1)
  })

  it('passes a tree of short files', () => {
    const result = checkSizes(makeTree({ 'server/fine.ts': 'export const x = 1\n' }))
    expect(result.stderr).toBe('')
    expect(result.status).toBe(0)
  })
})
