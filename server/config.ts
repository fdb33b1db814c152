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
  /** CITYCHECK_INTROSPECTION=off hides the schema from introspection (and field suggestions). @defaultValue on */
  introspection: boolean
  /** CITYCHECK_EXPLORER=off stops serving the GraphiQL page at /graphql. @defaultValue on */
  explorer: boolean
  /** The identity provider whose tokens are accepted beside HS256 ones; null without OIDC_JWKS_URL. */
  oidc: OidcConfig | null
  /** LOG_LEVEL: pino level of the JSON logs (trace, debug, info, warn, error, fatal, silent). @defaultValue info */
  logLevel: LogLevel
  /**
   * CITYCHECK_RATE_LIMIT: GraphQL requests a minute per token subject (per client IP without a token); `off` for
   * none. @defaultValue 1200
   */
  rateLimitPerMinute: number | null
  /** CITYCHECK_TRUST_PROXY=on takes the client IP from the last `X-Forwarded-For` hop. @defaultValue off */
  trustProxy: boolean
  /** METRICS_TOKEN: bearer token `/metrics` asks for; without it `/metrics` answers loopback clients only. */
  metricsToken: string | undefined
  /** CITYCHECK_DEADLINE_SWEEP_MINUTES: minutes between deadline sweeps (overdue, escalation). @defaultValue 15 */
  deadlineSweepMinutes: number
  /** CITYCHECK_ESCALATION_GRACE_DAYS: working days overdue before escalation one level up. @defaultValue 3 */
  escalationGraceWorkingDays: number
  /**
   * 上报 (ADR 0017): CITYCHECK_UPSTREAM_URL, the install packages are sent to (the province's), and
   * CITYCHECK_UPSTREAM_TOKEN, a token that install issued for this one's region. Null unless both are set.
   */
  upstream: UpstreamConfig | null
}

/** Where this install sends its exchange packages, and the token the upstream issued for it. */
export interface UpstreamConfig {
  url: string
  token: string
}

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const
export type LogLevel = (typeof LOG_LEVELS)[number]

/** High enough for a busy screen and the test suites; benchmarks switch it off (bench/api.ts). */
export const DEFAULT_RATE_LIMIT_PER_MINUTE = 1200

/** An OpenID Connect provider (a provincial unified identity platform): its keys, issuer and claim names. */
export interface OidcConfig {
  /** OIDC_JWKS_URL: where the provider publishes its signing keys. */
  jwksUrl: string
  /** OIDC_ISSUER: the `iss` its tokens must carry. */
  issuer: string
  /** OIDC_AUDIENCE: the `aud` its tokens must carry, when set. */
  audience: string | undefined
  /** Which claims carry the role, region code and department. @defaultValue role, region, department */
  claims: { role: string; region: string; department: string }
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
    oidc: loadOidc(env),
    introspection: switchOn(env, 'CITYCHECK_INTROSPECTION'),
    explorer: switchOn(env, 'CITYCHECK_EXPLORER'),
    logLevel: loadLogLevel(env),
    rateLimitPerMinute: loadRateLimit(env),
    trustProxy: switchOn(env, 'CITYCHECK_TRUST_PROXY', 'off'),
    metricsToken: env.METRICS_TOKEN || undefined,
    deadlineSweepMinutes: positiveNumber(env, 'CITYCHECK_DEADLINE_SWEEP_MINUTES', 15),
    escalationGraceWorkingDays: wholeNumber(env, 'CITYCHECK_ESCALATION_GRACE_DAYS', 3),
    upstream: loadUpstream(env),
  }
}

function loadUpstream(env: NodeJS.ProcessEnv): UpstreamConfig | null {
  const url = env.CITYCHECK_UPSTREAM_URL
  const token = env.CITYCHECK_UPSTREAM_TOKEN
  if (!url && !token) return null
  if (!url || !token) {
    throw new Error('CITYCHECK_UPSTREAM_URL and CITYCHECK_UPSTREAM_TOKEN are set together or not at all')
  }
  try {
    new URL(url)
  } catch {
    throw new Error(`CITYCHECK_UPSTREAM_URL must be a URL, got "${url}"`)
  }
  return { url, token }
}

function positiveNumber(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const value = env[name] ? Number(env[name]) : fallback
  if (!Number.isFinite(value) || value <= 0)
    throw new Error(`${name} must be a positive number, got "${env[name]}"`)
  return value
}

function wholeNumber(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const value = env[name] ? Number(env[name]) : fallback
  if (!Number.isInteger(value) || value < 0)
    throw new Error(`${name} must be a whole number, got "${env[name]}"`)
  return value
}

function loadLogLevel(env: NodeJS.ProcessEnv): LogLevel {
  const level = (env.LOG_LEVEL || 'info').toLowerCase()
  if ((LOG_LEVELS as readonly string[]).includes(level)) return level as LogLevel
  throw new Error(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${env.LOG_LEVEL}"`)
}

function loadRateLimit(env: NodeJS.ProcessEnv): number | null {
  const value = env.CITYCHECK_RATE_LIMIT || String(DEFAULT_RATE_LIMIT_PER_MINUTE)
  if (['off', 'false', '0'].includes(value.toLowerCase())) return null
  const perMinute = Number(value)
  if (!Number.isInteger(perMinute) || perMinute < 1) {
    throw new Error(
      `CITYCHECK_RATE_LIMIT must be requests a minute (a positive integer) or off, got "${value}"`,
    )
  }
  return perMinute
}

function switchOn(env: NodeJS.ProcessEnv, name: string, fallback: 'on' | 'off' = 'on'): boolean {
  const value = (env[name] ?? fallback).toLowerCase()
  if (['on', 'true', '1'].includes(value)) return true
  if (['off', 'false', '0'].includes(value)) return false
  throw new Error(`${name} must be on or off, got "${env[name]}"`)
}

function loadOidc(env: NodeJS.ProcessEnv): OidcConfig | null {
  if (!env.OIDC_JWKS_URL) return null
  if (!env.OIDC_ISSUER)
    throw new Error('OIDC_JWKS_URL is set but OIDC_ISSUER is not: name the issuer its tokens carry')
  try {
    new URL(env.OIDC_JWKS_URL)
  } catch {
    throw new Error(`OIDC_JWKS_URL must be a URL, got "${env.OIDC_JWKS_URL}"`)
  }
  return {
    jwksUrl: env.OIDC_JWKS_URL,
    issuer: env.OIDC_ISSUER,
    audience: env.OIDC_AUDIENCE || undefined,
    claims: {
      role: env.OIDC_ROLE_CLAIM || 'role',
      region: env.OIDC_REGION_CLAIM || 'region',
      department: env.OIDC_DEPARTMENT_CLAIM || 'department',
    },
  }
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost'])

/** True when the server listens on the loopback interface only (127.0.0.0/8, ::1, localhost). */
export function listensOnLoopbackOnly(host: string): boolean {
  return LOOPBACK_HOSTS.has(host) || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)
}

/**
 * Refuses a configuration that would let anyone mint tokens: the development key is in the public source, so it
 * may sign only for a server nobody else can reach.
 */
export function assertDeployable(config: Pick<Config, 'host' | 'jwtSecretIsDevelopmentKey'>): void {
  if (config.jwtSecretIsDevelopmentKey && !listensOnLoopbackOnly(config.host)) {
    throw new Error(
      `拒绝启动：未设置 JWT_SECRET，而服务监听在 ${config.host}（非本机回环地址），任何人都可以用公开的开发密钥签发令牌。` +
        `请设置 JWT_SECRET（或仅监听 127.0.0.1）。\n` +
        `Refusing to start: JWT_SECRET is not set and the server would listen on ${config.host}, beyond loopback; ` +
        'anyone could sign tokens with the development key, which is public. Set JWT_SECRET (or listen on 127.0.0.1 only).',
    )
  }
}
