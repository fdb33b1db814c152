import { execFileSync } from 'node:child_process'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { createTokenVerifier } from '../../server/auth/verifier.ts'
import { DEVELOPMENT_JWT_SECRET, PROJECT_ROOT } from '../../server/config.ts'

const tsx = path.join(PROJECT_ROOT, 'node_modules/.bin/tsx')
const run = (...args: string[]) =>
  execFileSync(tsx, ['scripts/token.ts', ...args], {
    cwd: PROJECT_ROOT,
    encoding: 'utf8',
    env: { ...process.env, JWT_SECRET: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  }).trim()

describe('npm run token', () => {
  it('prints a token the server accepts with the development key', async () => {
    const token = run('--role', 'district', '--region', '310101', '--department', '住建局')
    expect(
      await (await createTokenVerifier({ jwtSecret: DEVELOPMENT_JWT_SECRET, oidc: null }, null)).verify(
        token,
      ),
    ).toEqual({
      subject: 'district-310101',
      role: 'district',
      regionCode: '310101',
      department: '住建局',
    })
  })

  it('refuses a role it does not know', () => {
    expect(() => run('--role', 'mayor', '--region', '310101')).toThrow()
  })
})
