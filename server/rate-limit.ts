import type http from 'node:http'
import type { Redis } from 'ioredis'
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible'
import type { Identity } from './auth/identity.ts'
import type { Config } from './config.ts'

/** A window of one minute: the setting reads as requests a minute. */
const WINDOW_S = 60

export interface RateLimiter {
  /** Spends one request of `key`'s budget: null when allowed, else the seconds to wait. */
  consume(key: string): Promise<number | null>
}

/**
 * Per-minute budgets shared by every API replica through Redis; without Redis, or while Redis is away, each
 * process counts in memory (the insurance limiter) so an outage neither blocks nor unlimits clients.
 */
export function createRateLimiter(perMinute: number, redis: Redis | null): RateLimiter {
  const memory = new RateLimiterMemory({ points: perMinute, duration: WINDOW_S })
  const limiter = redis
    ? new RateLimiterRedis({
        storeClient: redis,
        points: perMinute,
        duration: WINDOW_S,
        keyPrefix: 'citycheck:rate',
        rejectIfRedisNotReady: true,
        insuranceLimiter: memory,
      })
    : memory
  return {
    async consume(key) {
      try {
        await limiter.consume(key)
        return null
      } catch (refusal) {
        if (refusal instanceof RateLimiterRes) return Math.max(1, Math.ceil(refusal.msBeforeNext / 1000))
        throw refusal
      }
    },
  }
}

/**
 * Whose budget a request spends: a verified token's subject, else the client's address. The token is verified
 * first, so a forged token cannot open a fresh budget per made-up subject.
 */
export function rateLimitKey(
  req: http.IncomingMessage,
  identity: Identity | null,
  config: Pick<Config, 'trustProxy'>,
): string {
  if (identity) return `subject:${identity.subject}`
  return `ip:${clientAddress(req, config.trustProxy)}`
}

/** The socket's peer, or behind a trusted proxy the last hop it appended to `X-Forwarded-For`. */
export function clientAddress(req: http.IncomingMessage, trustProxy: boolean): string {
  const forwarded = req.headers['x-forwarded-for']
  if (trustProxy && typeof forwarded === 'string') {
    const last = forwarded.split(',').at(-1)?.trim()
    if (last) return last
  }
  return req.socket.remoteAddress ?? 'unknown'
}
