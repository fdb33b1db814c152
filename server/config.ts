import path from 'node:path'

/** Runtime configuration, read once from the environment. */
export interface Config {
  /** PostgreSQL connection string; absent → the embedded PGlite database. */
  databaseUrl: string | undefined
  /** Redis connection string; absent → jobs run in-process. */
  redisUrl: string | undefined
  /** @defaultValue 4000 */
  port: number
  /** @defaultValue `127.0.0.1` */
  host: string
  /** Directory of the embedded database and generated tiles. @defaultValue `<project>/.data` */
  dataDir: string
  /** HMAC key for bearer tokens (HS256). @defaultValue the development key, with a warning */
  jwtSecret: string
  jwtSecretIsDevelopmentKey: boolean
}

export const PROJECT_ROOT = path.resolve(import.meta.dirname, '..')
export const DEVELOPMENT_JWT_SECRET = 'citycheck-development-key-do-not-use-in-production'

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = Number(env.PORT ?? 4000)
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`PORT must be a port number, got "${env.PORT}"`)
  }
  return {
    databaseUrl: env.DATABASE_URL || undefined,
    redisUrl: env.REDIS_URL || undefined,
    port,
    host: env.HOST || '127.0.0.1',
    dataDir: path.resolve(env.CITYCHECK_DATA_DIR || path.join(PROJECT_ROOT, '.data')),
    jwtSecret: env.JWT_SECRET || DEVELOPMENT_JWT_SECRET,
    jwtSecretIsDevelopmentKey: !env.JWT_SECRET,
  }
}
