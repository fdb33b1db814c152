import net from 'node:net'
import { pino } from 'pino'
import { signToken } from '../../server/auth/token.ts'
import { type Config, loadConfig } from '../../server/config.ts'
import type { Logger } from '../../server/observability/logger.ts'

export const SERVER_JWT_SECRET = 'citycheck-operations-tests-secret'

/** A loopback configuration on port 0 with the given settings. */
export function serverConfig(overrides: Partial<Config> = {}): Config {
  return { ...loadConfig({}), port: 0, host: '127.0.0.1', jwtSecret: SERVER_JWT_SECRET, ...overrides }
}

/** A logger whose JSON lines the test reads back. */
export function capturingLogger(): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = []
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) })
  return { logger, lines }
}

/** A token of a subject no other test uses, so a budget it spends is its own. */
export function tokenOf(subject: string): Promise<string> {
  return signToken({ sub: subject, role: 'public' }, SERVER_JWT_SECRET, { expiresIn: 3600 })
}

/** A loopback port nothing listens on: taken from the system, then released. */
export async function closedPort(): Promise<number> {
  const server = net.createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as net.AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

/** POSTs `{ region(code: "310101") { name } }` as the named operation. */
export function askRegion(
  url: string,
  options: { token?: string; requestId?: string } = {},
): Promise<Response> {
  return fetch(`${url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json',
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...(options.requestId ? { 'x-request-id': options.requestId } : {}),
    },
    body: JSON.stringify({ query: 'query RegionName { region(code: "310101") { name } }' }),
  })
}
