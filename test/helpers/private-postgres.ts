import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'

/**
 * A PostgreSQL server of the test's own, from the installed binaries (those scripts/services.sh uses), so a fault
 * test may stop and restart it without disturbing the shared server of the rest of the suite.
 */
export interface PrivatePostgres {
  /** Connection string of the database `fault` (empty; PostGIS comes with the first migration). */
  url: string
  stop(): void
  start(): void
  remove(): void
}

const PG_BIN =
  process.env.CITYCHECK_PG_BIN ??
  (fs.existsSync('/usr/lib/postgresql/15/bin/initdb') ? '/usr/lib/postgresql/15/bin' : '')

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo
      server.close(() => resolve(port))
    })
  })
}

/** initdb and postgres refuse to run as root: as root they run as the `postgres` system user. */
function asPostgres(command: string, args: string[]): void {
  const isRoot = process.getuid?.() === 0
  const [file, argv] = isRoot ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args]
  execFileSync(file, argv, { cwd: '/', stdio: ['ignore', 'ignore', 'pipe'] })
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  if (!PG_BIN)
    throw new Error('PostgreSQL binaries not found: run the suite with `npm test` (it installs them)')
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'citycheck-fault-pg-'))
  const data = path.join(dir, 'data')
  if (process.getuid?.() === 0) execFileSync('chown', ['postgres:postgres', dir])
  const port = await freePort()
  asPostgres(path.join(PG_BIN, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '--encoding=UTF8'])
  const ctl = (action: 'start' | 'stop') => {
    const options = `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories= -c fsync=off`
    const args =
      action === 'start'
        ? ['start', '-w', '-t', '60', '-l', path.join(dir, 'server.log'), '-o', options]
        : ['stop', '-w', '-m', 'fast']
    asPostgres(path.join(PG_BIN, 'pg_ctl'), ['-D', data, '-s', ...args])
  }
  ctl('start')
  asPostgres(path.join(PG_BIN, 'createdb'), [
    '-h',
    '127.0.0.1',
    '-p',
    String(port),
    '-U',
    'postgres',
    'fault',
  ])
  return {
    url: `postgres://postgres@127.0.0.1:${port}/fault`,
    stop: () => ctl('stop'),
    start: () => ctl('start'),
    remove: () => {
      try {
        ctl('stop')
      } catch {
        // already stopped
      }
      fs.rmSync(dir, { recursive: true, force: true })
    },
  }
}
