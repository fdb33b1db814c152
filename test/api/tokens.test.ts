import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { createClient } from 'graphql-ws'
import { exportJWK, generateKeyPair, SignJWT } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { revokeTokens } from '../../server/auth/revocations.ts'
import { signToken } from '../../server/auth/token.ts'
import { assertDeployable, loadConfig } from '../../server/config.ts'
import type { Database } from '../../server/db/client.ts'
import { type RunningServer, startHttpServer } from '../../server/http.ts'
import { openTestDatabase } from '../helpers/database.ts'

const SECRET = 'citycheck-token-tests-secret'
const ISSUER = 'https://idp.province.example/realms/citycheck'
const AUDIENCE = 'citycheck-api'
const VIEWER = '{ viewer { subject role department region { code } } }'

let database: Database
let server: RunningServer
let jwks: http.Server
let providerKey: CryptoKey
let strangerKey: CryptoKey

beforeAll(async () => {
  database = await openTestDatabase()
  const provider = await generateKeyPair('RS256')
  providerKey = provider.privateKey
  strangerKey = (await generateKeyPair('RS256')).privateKey
  const jwk = { ...(await exportJWK(provider.publicKey)), kid: 'province-1', alg: 'RS256', use: 'sig' }
  // The identity provider's key set, served locally as a provincial platform would publish it.
  jwks = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ keys: [jwk] }))
  })
  await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve))
  const jwksUrl = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/certs`
  const config = {
    ...loadConfig({ OIDC_JWKS_URL: jwksUrl, OIDC_ISSUER: ISSUER, OIDC_AUDIENCE: AUDIENCE }),
    port: 0,
    jwtSecret: SECRET,
  }
  server = await startHttpServer({ config, database })
})
afterAll(async () => {
  await server?.close()
  await new Promise<void>((resolve) => (jwks ? jwks.close(() => resolve()) : resolve()))
  await database?.close()
})

function providerToken(
  key: CryptoKey,
  claims: Record<string, unknown>,
  options: { exp?: string | number | null; iss?: string; aud?: string } = {},
) {
  const jwt = new SignJWT({ role: 'city', region: '310000', ...claims })
    .setProtectedHeader({ alg: 'RS256', kid: 'province-1' })
    .setSubject('zhang.san@province')
    .setIssuer(options.iss ?? ISSUER)
    .setAudience(options.aud ?? AUDIENCE)
    .setIssuedAt()
  if (options.exp !== null) jwt.setExpirationTime(options.exp ?? '10m')
  return jwt.sign(key)
}

async function viewerWith(token: string) {
  const response = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: VIEWER }),
  })
  const body = (await response.json()) as {
    data?: { viewer: unknown }
    errors?: { message: string; extensions: { code: string } }[]
  }
  return { status: response.status, body }
}

/** Asks until the server refuses the token: revocations reach every process by notification, not at once. */
async function refusedEventually(token: string) {
  for (let attempt = 0; attempt < 200; attempt++) {
    const answer = await viewerWith(token)
    if (answer.status === 401) return answer
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error('the revoked token was still accepted after 200 requests')
}

describe('tokens from an identity provider (OIDC, RS256 through a JWKS URL)', () => {
  it('accepts a token signed by the provider, with its role and region', async () => {
    const answer = await viewerWith(await providerToken(providerKey, { department: '住建局' }))
    expect(answer.status).toBe(200)
    expect(answer.body.data?.viewer).toEqual({
      subject: 'zhang.san@province',
      role: 'city',
      department: '住建局',
      region: { code: '310000' },
    })
  })

  it.each([
    ['a key the provider never published', () => providerToken(strangerKey, {})],
    ['another issuer', () => providerToken(providerKey, {}, { iss: 'https://evil.example' })],
    ['another audience', () => providerToken(providerKey, {}, { aud: 'someone-else' })],
    ['no expiry', () => providerToken(providerKey, {}, { exp: null })],
    [
      'an expiry in the past',
      () => providerToken(providerKey, {}, { exp: Math.floor(Date.now() / 1000) - 60 }),
    ],
    ['a role CityCheck does not know', () => providerToken(providerKey, { role: 'mayor' })],
  ])('refuses a token with %s as UNAUTHENTICATED', async (_case, make) => {
    const answer = await viewerWith(await make())
    expect(answer.status).toBe(401)
    expect(answer.body.errors?.[0]?.extensions.code).toBe('UNAUTHENTICATED')
    expect(answer.body.errors?.[0]?.message).toMatch(/ \/ /)
  })

  it('still accepts the HS256 tokens of npm run token beside the provider', async () => {
    const token = await signToken({ sub: 'district-310101', role: 'district', region: '310101' }, SECRET)
    expect((await viewerWith(token)).body.data?.viewer).toMatchObject({
      role: 'district',
      region: { code: '310101' },
    })
  })

  it('refuses an HS256 token without an expiry', async () => {
    const token = await new SignJWT({ role: 'province', region: '310000' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('forever')
      .sign(new TextEncoder().encode(SECRET))
    const answer = await viewerWith(token)
    expect(answer.status).toBe(401)
    expect(answer.body.errors?.[0]?.message).toContain('exp')
  })
})

describe('revoked tokens', () => {
  it('refuses a token revoked by its jti on the next requests, and leaves other tokens working', async () => {
    const token = await signToken({ sub: 'li.si', role: 'district', region: '310101' }, SECRET)
    const other = await signToken({ sub: 'li.si', role: 'district', region: '310101' }, SECRET)
    expect((await viewerWith(token)).status).toBe(200)
    const jti = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).jti as string
    await revokeTokens(database, { jti, reason: '设备丢失', revokedBy: 'test' })
    const answer = await refusedEventually(token)
    expect(answer.body.errors?.[0]?.extensions.code).toBe('UNAUTHENTICATED')
    expect(answer.body.errors?.[0]?.message).toContain('revoked')
    expect((await viewerWith(other)).status).toBe(200)
  })

  it('refuses every token a subject held when the subject is revoked, provider tokens included', async () => {
    const hs = await signToken({ sub: 'zhang.san@province', role: 'city', region: '310000' }, SECRET)
    const oidc = await providerToken(providerKey, {})
    expect((await viewerWith(oidc)).status).toBe(200)
    await revokeTokens(database, { subject: 'zhang.san@province', reason: '离职', revokedBy: 'test' })
    await refusedEventually(oidc)
    expect((await viewerWith(hs)).status).toBe(401)
  })

  it('refuses a revoked token on a subscription', async () => {
    const token = await signToken({ sub: 'wang.wu', role: 'district', region: '310101' }, SECRET)
    await revokeTokens(database, { subject: 'wang.wu', revokedBy: 'test' })
    await refusedEventually(token)
    const client = createClient({
      url: `${server.url.replace('http', 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${token}` },
      retryAttempts: 0,
    })
    const outcome = await new Promise<string>((resolve) => {
      client.subscribe(
        { query: 'subscription { problemChanged { databaseId } }' },
        {
          next: () => resolve('event'),
          error: (error) => resolve(describeError(error)),
          complete: () => resolve('complete'),
        },
      )
    })
    await client.dispose()
    expect(outcome).toContain('revoked')
  })
})

/** graphql-ws hands over GraphQL errors as an array, a refused connection as a close event with a reason. */
function describeError(error: unknown): string {
  if (Array.isArray(error)) return JSON.stringify(error)
  const event = error as { code?: number; reason?: string; message?: string }
  return `${event.code ?? ''} ${event.reason ?? event.message ?? String(error)}`
}

describe('the development key', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.0.0.53', true],
    ['localhost', true],
    ['::1', true],
    ['0.0.0.0', false],
    ['::', false],
    ['192.0.2.10', false],
  ])('on %s may sign: %s', (host, allowed) => {
    const check = () => assertDeployable({ host, jwtSecretIsDevelopmentKey: true })
    if (allowed) expect(check).not.toThrow()
    else expect(check).toThrow(/JWT_SECRET/)
    expect(() => assertDeployable({ host, jwtSecretIsDevelopmentKey: false })).not.toThrow()
  })
})

describe('a malformed token', () => {
  it('is refused as UNAUTHENTICATED with a reason, not as an internal error', async () => {
    const answer = await viewerWith('not-a-token')
    expect(answer.status).toBe(401)
    expect(answer.body.errors?.[0]?.extensions.code).toBe('UNAUTHENTICATED')
    expect(answer.body.errors?.[0]?.message).toContain('invalid')
  })
})
