import { spawnSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { PROJECT_ROOT } from '../../server/config.ts'

describe('npm start on a public interface', () => {
  it('makes `HOST=0.0.0.0 npm start` without JWT_SECRET refuse to start and say why', () => {
    const result = spawnSync('npm', ['start', '--silent'], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, HOST: '0.0.0.0', JWT_SECRET: '', PORT: '0', DATABASE_URL: '' },
      encoding: 'utf8',
      timeout: 60_000,
    })
    expect(result.status).not.toBe(0)
    expect(result.stderr).toContain('Refusing to start: JWT_SECRET is not set')
    expect(result.stderr).toContain('拒绝启动')
  })
})
