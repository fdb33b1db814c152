import {
  createRemoteJWKSet,
  decodeProtectedHeader,
  type JWTPayload,
  type JWTVerifyGetKey,
  errors as joseErrors,
  jwtVerify,
} from 'jose'
import type { Config, OidcConfig } from '../config.ts'
import type { Database } from '../db/client.ts'
import { unauthenticated } from '../graphql/errors.ts'
import type { Identity } from './identity.ts'
import { RevocationList } from './revocations.ts'
import { checkClaims, HS256, type TokenClaims } from './token.ts'

/** Algorithms accepted from an identity provider's JWKS; HS256 stays for the tokens of `npm run token`. */
const ASYMMETRIC = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384']
const VERIFIED_CACHE_SIZE = 1000

/** Turns a bearer token into an identity, or fails with UNAUTHENTICATED (ADR 0011). */
export interface TokenVerifier {
  verify(token: string): Promise<Identity>
  close(): Promise<void>
}

interface Verified {
  identity: Identity
  jti: string | undefined
  issuedAtMs: number | undefined
  expiresAtMs: number
}

/**
 * HS256 tokens signed with JWT_SECRET, and — with OIDC_JWKS_URL set — RS/PS/ES tokens of the identity provider,
 * checked against its issuer and audience. Every token must expire; a revoked one is refused on every request
 * (the list is in memory when a database is given).
 */
export async function createTokenVerifier(
  config: Pick<Config, 'jwtSecret' | 'oidc'>,
  database: Database | null,
): Promise<TokenVerifier> {
  const secret = new TextEncoder().encode(config.jwtSecret)
  const oidc = config.oidc ? { ...config.oidc, keys: createRemoteJWKSet(new URL(config.oidc.jwksUrl)) } : null
  const revocations = database ? await RevocationList.open(database) : null
  // Signature checks are the one per-request cost of identity: a verified token is kept until it expires.
  const cache = new Map<string, Verified>()

  async function verifyFresh(token: string): Promise<Verified> {
    const alg = algorithmOf(token)
    if (alg === HS256) {
      const { payload } = await checked(() =>
        jwtVerify(token, secret, { algorithms: [HS256], requiredClaims: ['exp'] }),
      )
      return verified(payload, claimsOf(payload, DEFAULT_CLAIMS))
    }
    if (oidc && ASYMMETRIC.includes(alg)) {
      const { payload } = await checked(() => verifyWithProvider(token, oidc, oidc.keys))
      return verified(payload, claimsOf(payload, oidc.claims))
    }
    throw unauthenticated(
      `不接受签名算法为 ${alg} 的登录凭证`,
      `Bearer tokens signed with ${alg} are not accepted${oidc ? '' : ' (no identity provider is configured)'}`,
      401,
    )
  }

  return {
    async verify(token) {
      let hit = cache.get(token)
      if (!hit || hit.expiresAtMs <= Date.now()) {
        hit = await verifyFresh(token)
        if (cache.size >= VERIFIED_CACHE_SIZE) cache.clear()
        cache.set(token, hit)
      }
      if (
        revocations?.isRevoked({ jti: hit.jti, subject: hit.identity.subject, issuedAtMs: hit.issuedAtMs })
      ) {
        throw unauthenticated(
          '登录凭证已被吊销，请重新获取',
          'The bearer token has been revoked: request a new one',
          401,
        )
      }
      return hit.identity
    },
    close: async () => {
      await revocations?.close()
    },
  }
}

function algorithmOf(token: string): string {
  try {
    return String(decodeProtectedHeader(token).alg)
  } catch {
    throw invalidToken()
  }
}

function verifyWithProvider(token: string, oidc: OidcConfig, keys: JWTVerifyGetKey) {
  return jwtVerify(token, keys, {
    algorithms: ASYMMETRIC,
    issuer: oidc.issuer,
    ...(oidc.audience ? { audience: oidc.audience } : {}),
    requiredClaims: ['exp'],
  })
}

/** Maps jose's failures to what the client should do: get a new token, or try again later. */
async function checked<T>(verify: () => Promise<T>): Promise<T> {
  try {
    return await verify()
  } catch (error) {
    if (error instanceof joseErrors.JWTExpired) {
      throw unauthenticated(
        '登录凭证已过期，请重新获取',
        'The bearer token has expired: request a new one',
        401,
      )
    }
    if (
      error instanceof joseErrors.JWKSTimeout ||
      (error instanceof TypeError && /fetch/i.test(error.message))
    ) {
      throw unauthenticated(
        '暂时无法验证登录凭证：身份认证服务不可达，请稍后重试',
        'Cannot verify the bearer token now: the identity provider is unreachable, try again shortly',
        503,
      )
    }
    if (error instanceof joseErrors.JWTClaimValidationFailed) {
      throw unauthenticated(
        `登录凭证的声明 ${error.claim} 不符合要求`,
        `The bearer token's ${error.claim} claim is missing or not accepted`,
        401,
      )
    }
    throw invalidToken()
  }
}

function invalidToken() {
  return unauthenticated(
    '登录凭证无效（签名或格式错误）',
    'The bearer token is invalid (bad signature or format)',
    401,
  )
}

const DEFAULT_CLAIMS: OidcConfig['claims'] = { role: 'role', region: 'region', department: 'department' }

function claimsOf(payload: JWTPayload, names: OidcConfig['claims']): TokenClaims {
  return {
    sub: payload.sub as string,
    role: payload[names.role] as TokenClaims['role'],
    region: payload[names.region] as string | undefined,
    department: payload[names.department] as string | undefined,
  }
}

function verified(payload: JWTPayload, claims: TokenClaims): Verified {
  checkClaims(claims)
  return {
    identity: {
      subject: claims.sub,
      role: claims.role,
      regionCode: claims.region ?? null,
      department: claims.department ?? null,
    },
    jti: typeof payload.jti === 'string' ? payload.jti : undefined,
    issuedAtMs: typeof payload.iat === 'number' ? payload.iat * 1000 : undefined,
    expiresAtMs: (payload.exp as number) * 1000,
  }
}
