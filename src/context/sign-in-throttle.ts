/**
 * Bounds on guessing credentials, per client address and per network, never across everyone: a
 * distributed guess slows only the addresses that make it, and a user signing in from elsewhere
 * is unaffected (docs/operations.md, "Sign-in throttling").
 *
 * - Portal sign-in (an access code, a user's email and password, or ADMIN_TOKEN): each attempt
 *   takes a point from its address's bucket and its network's (and, for a user, the email's)
 *   before the credential is looked at, atomically (in Redis with
 *   REDIS_URL, so across processes), and a success gives them back. Parallel attempts can
 *   therefore never evaluate more credentials than the bucket holds.
 * - A bearer that is not an API key (a guess at ADMIN_TOKEN): compared first, since admin calls
 *   come in parallel bursts that must not spend points; a wrong one takes a point atomically and
 *   is answered 401 only while its address has points left, 429 after, and a right one is
 *   refused while its address is blocked. So no more than the bucket's worth of wrong tokens is
 *   ever answered as wrong.
 */
import { isIP } from 'node:net'
import type { RateLimiterAbstract } from 'rate-limiter-flexible'
import type { Config } from '../env.js'
import { AppError } from '../errors.js'
import { metrics, rateLimitRefusals } from '../http/metrics.js'
import { createLimiter, isOverLimit } from './limiters.js'

export const WINDOW_SECONDS = 15 * 60
/** Sign-in attempts per client address per window. */
export const PER_ADDRESS_ATTEMPTS = 10
/** Sign-in attempts per network (IPv4 /24, IPv6 /48) per window: bounds hopping between neighbouring addresses. */
export const PER_NETWORK_ATTEMPTS = 100
/** Password attempts per user (by email) per window, from anywhere: bounds a guess spread over many networks. */
export const PER_USER_ATTEMPTS = 10

interface Buckets {
  address: RateLimiterAbstract
  network: RateLimiterAbstract
  user: RateLimiterAbstract
  bearer: RateLimiterAbstract
}

// One set per configuration: apps built with different settings (tests) must not share counters.
const bucketsByConfig = new WeakMap<Config, Buckets>()

function bucketsFor(config: Config): Buckets {
  let buckets = bucketsByConfig.get(config)
  if (!buckets) {
    const limiter = (keyPrefix: string, points: number) => createLimiter(config, { keyPrefix, points, durationSeconds: WINDOW_SECONDS })
    buckets = {
      address: limiter('signin-address', PER_ADDRESS_ATTEMPTS),
      network: limiter('signin-network', PER_NETWORK_ATTEMPTS),
      user: limiter('signin-user', PER_USER_ATTEMPTS),
      bearer: limiter('bearer-failure-address', PER_ADDRESS_ATTEMPTS),
    }
    bucketsByConfig.set(config, buckets)
  }
  return buckets
}

/**
 * The address a bucket is kept for: one IPv6 host usually holds a whole /64, so that is one
 * address; IPv4-mapped IPv6 is IPv4.
 */
export function addressKey(clientIp: string): string {
  const ip = clientIp.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '')
  return isIP(ip) === 6 ? `${ipv6Groups(ip).slice(0, 4).join(':')}::/64` : ip
}

/** The network around an address: IPv4 /24, IPv6 /48. */
export function networkKey(clientIp: string): string {
  const ip = clientIp.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '')
  if (isIP(ip) === 4) return `${ip.split('.').slice(0, 3).join('.')}.0/24`
  if (isIP(ip) === 6) return `${ipv6Groups(ip).slice(0, 3).join(':')}::/48`
  return ip
}

function ipv6Groups(ip: string): string[] {
  const [head, tail = ''] = ip.split('::')
  const left = head ? head.split(':') : []
  const right = ip.includes('::') && tail ? tail.split(':') : []
  const middle = Array(Math.max(0, 8 - left.length - right.length)).fill('0')
  return [...left, ...middle, ...right].map((group) => group.toLowerCase().replace(/^0+(?=.)/, ''))
}

const throttled = (msBeforeNext: number) => {
  if (metrics.on) rateLimitRefusals.inc({ limit: 'sign_in' })
  const seconds = Math.max(1, Math.ceil(msBeforeNext / 1000))
  return new AppError('RATE_LIMITED', `Too many failed sign-in attempts. Try again in ${seconds} seconds.`, {
    headers: { 'Retry-After': String(seconds) },
  })
}

/**
 * Runs one sign-in attempt under the address's and the network's buckets: `attempt` resolves to
 * what was signed in to, or null for a wrong credential (answered 401 `wrongMessage`). `user`
 * (a normalised email) adds that user's bucket.
 */
export async function throttledSignIn<T>(
  config: Config,
  clientIp: string,
  attempt: () => Promise<T | null>,
  wrongMessage: string,
  user?: string,
): Promise<T> {
  const buckets = bucketsFor(config)
  const charged: [RateLimiterAbstract, string][] = [
    [buckets.address, addressKey(clientIp)],
    [buckets.network, networkKey(clientIp)],
    ...(user ? [[buckets.user, user] as [RateLimiterAbstract, string]] : []),
  ]
  const spent = await Promise.allSettled(charged.map(([bucket, key]) => bucket.consume(key)))
  const over = spent.flatMap((result) => (result.status === 'rejected' && isOverLimit(result.reason) ? [result.reason] : []))
  const failed = spent.find((result) => result.status === 'rejected' && !isOverLimit(result.reason))
  if (failed) throw (failed as PromiseRejectedResult).reason
  if (over.length > 0) throw throttled(Math.max(...over.map((r) => r.msBeforeNext)))

  const signedIn = await attempt()
  if (signedIn === null) throw new AppError('UNAUTHENTICATED', wrongMessage)
  // A success is not a guess: its points go back, so signing in and out never locks anyone out.
  await Promise.all(charged.map(([bucket, key]) => bucket.reward(key)))
  return signedIn
}

/** A bearer compared against ADMIN_TOKEN: `matches` is the constant-time comparison's outcome. */
export async function throttledBearer(config: Config, clientIp: string, matches: boolean, wrongMessage: string): Promise<void> {
  const { bearer } = bucketsFor(config)
  const key = addressKey(clientIp)
  if (matches) {
    const state = await bearer.get(key)
    if (state && state.remainingPoints <= 0) throw throttled(state.msBeforeNext)
    return
  }
  try {
    await bearer.consume(key)
  } catch (rejection) {
    if (isOverLimit(rejection)) throw throttled(rejection.msBeforeNext)
    throw rejection
  }
  throw new AppError('UNAUTHENTICATED', wrongMessage)
}
