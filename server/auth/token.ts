import { errors as joseErrors, jwtVerify, SignJWT } from 'jose'
import { unauthenticated } from '../graphql/errors.ts'
import { type Identity, ROLES, type Role } from './identity.ts'

const ALGORITHM = 'HS256'
const REGION_CODE = /^\d{6}(\d{3})?(\d{3})?$/

export interface TokenClaims {
  sub: string
  role: Role
  /** Region code; required for every role but `public`. */
  region?: string | undefined
  department?: string | undefined
}

export interface SignOptions {
  /** Lifetime as a jose duration (`30d`, `8h`) or seconds. @defaultValue `'30d'` */
  expiresIn?: string | number
}

const keys = new Map<string, Uint8Array>()
function keyFor(secret: string): Uint8Array {
  let key = keys.get(secret)
  if (!key) {
    key = new TextEncoder().encode(secret)
    keys.set(secret, key)
  }
  return key
}

/** Signs an HS256 bearer token for an identity. */
export async function signToken(
  claims: TokenClaims,
  secret: string,
  options: SignOptions = {},
): Promise<string> {
  checkClaims(claims)
  const payload: Record<string, unknown> = { role: claims.role }
  if (claims.region) payload.region = claims.region
  if (claims.department) payload.department = claims.department
  const expiresIn = options.expiresIn ?? '30d'
  return new SignJWT(payload)
    .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
    .setSubject(claims.sub)
    .setIssuedAt()
    .setExpirationTime(typeof expiresIn === 'number' ? Math.floor(Date.now() / 1000) + expiresIn : expiresIn)
    .sign(keyFor(secret))
}

// Verified tokens are kept until they expire: signature checks are the one per-request cost of identity.
// Kept per key, so a process serving under two keys (tests) never takes one key's token for the other's.
const verified = new Map<string, Map<string, { identity: Identity; expiresAtMs: number }>>()
const VERIFIED_CACHE_SIZE = 1000

/** Verifies a bearer token and returns its identity; any defect is UNAUTHENTICATED (HTTP 401). */
export async function verifyToken(token: string, secret: string): Promise<Identity> {
  let cache = verified.get(secret)
  if (!cache) {
    cache = new Map()
    verified.set(secret, cache)
  }
  const hit = cache.get(token)
  if (hit && hit.expiresAtMs > Date.now()) return hit.identity
  let payload: Record<string, unknown>
  try {
    payload = (await jwtVerify(token, keyFor(secret), { algorithms: [ALGORITHM] })).payload
  } catch (error) {
    if (error instanceof joseErrors.JWTExpired) {
      throw unauthenticated(
        '登录凭证已过期，请重新获取',
        'The bearer token has expired: request a new one',
        401,
      )
    }
    throw unauthenticated(
      '登录凭证无效（签名或格式错误）',
      'The bearer token is invalid (bad signature or format)',
      401,
    )
  }
  const claims = {
    sub: payload.sub,
    role: payload.role,
    region: payload.region,
    department: payload.department,
  } as TokenClaims
  checkClaims(claims)
  const identity: Identity = {
    subject: claims.sub,
    role: claims.role,
    regionCode: claims.region ?? null,
    department: claims.department ?? null,
  }
  const exp = typeof payload.exp === 'number' ? payload.exp * 1000 : Date.now() + 3_600_000
  if (cache.size >= VERIFIED_CACHE_SIZE) cache.clear()
  cache.set(token, { identity, expiresAtMs: exp })
  return identity
}

function checkClaims(claims: TokenClaims): void {
  if (typeof claims.sub !== 'string' || claims.sub === '') {
    throw unauthenticated('登录凭证缺少 sub（用户标识）', 'The bearer token has no `sub` (subject)', 401)
  }
  if (!ROLES.includes(claims.role)) {
    throw unauthenticated(
      `登录凭证的角色无效，应为 ${ROLES.join(' / ')}`,
      `The bearer token's role must be one of ${ROLES.join(', ')}`,
      401,
    )
  }
  if (
    claims.region !== undefined &&
    (typeof claims.region !== 'string' || !REGION_CODE.test(claims.region))
  ) {
    throw unauthenticated(
      '登录凭证的行政区划代码无效（6、9 或 12 位数字）',
      "The bearer token's region must be a 6, 9 or 12 digit division code",
      401,
    )
  }
  if (claims.role !== 'public' && !claims.region) {
    throw unauthenticated(
      `角色 ${claims.role} 的登录凭证必须包含行政区划代码 region`,
      `A ${claims.role} token must carry a region code`,
      401,
    )
  }
  if (claims.department !== undefined && typeof claims.department !== 'string') {
    throw unauthenticated(
      '登录凭证的部门 department 必须是文本',
      "The bearer token's department must be a string",
      401,
    )
  }
}
