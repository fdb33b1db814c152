import { randomUUID } from 'node:crypto'
import { SignJWT } from 'jose'
import { unauthenticated } from '../graphql/errors.ts'
import { ROLES, type Role } from './identity.ts'

export const HS256 = 'HS256'
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

/** Signs an HS256 bearer token for an identity, with a `jti` by which it can be revoked. */
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
    .setProtectedHeader({ alg: HS256, typ: 'JWT' })
    .setSubject(claims.sub)
    .setJti(randomUUID())
    .setIssuedAt()
    .setExpirationTime(typeof expiresIn === 'number' ? Math.floor(Date.now() / 1000) + expiresIn : expiresIn)
    .sign(new TextEncoder().encode(secret))
}

/** Refuses claims no identity can be made of; every defect is UNAUTHENTICATED (HTTP 401). */
export function checkClaims(claims: TokenClaims): void {
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
