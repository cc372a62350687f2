/**
 * Passwords: scrypt from Node's crypto (memory-hard, no dependency; decision 0021). Stored as
 * `scrypt$N$r$p$salt$hash` (base64url), so the cost can rise later without breaking old hashes.
 */
import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto'

// 2^15 × 8 × 128 bytes = 32 MiB per hash: OWASP's scrypt minimum is 2^17 with r=8 (128 MiB), which
// would let a handful of parallel sign-ins exhaust a small server; 2^15 keeps one hash near 100 ms here.
const COST = { N: 2 ** 15, r: 8, p: 1 }
const KEY_LENGTH = 32
const MAX_MEMORY = 64 * 1024 * 1024

export const MIN_PASSWORD_LENGTH = 10
export const MAX_PASSWORD_LENGTH = 200

/** The most common leaked passwords of 10+ characters: refused outright. */
const COMMON = new Set([
  '1234567890',
  '0123456789',
  '0987654321',
  '1111111111',
  '123456789a',
  'qwertyuiop',
  'password12',
  'password123',
  'password1234',
  'passw0rd123',
  'iloveyou12',
  'qwerty1234',
  '1q2w3e4r5t',
  '1qaz2wsx3edc',
  'qwertyuiop123',
  'abcdefghij',
  'abc1234567',
  'aaaaaaaaaa',
  'letmein123',
  'welcome123',
  'football123',
  'baseball123',
  'sunshine123',
  'princess123',
  'changeme123',
  'administrator',
  'trustno1234',
  'monkey12345',
  'dragon12345',
  'superman123',
])

/** Why a password is refused, or null when it is acceptable. */
export function passwordProblem(password: string, context: { email: string; name: string }): string | null {
  if (password.length < MIN_PASSWORD_LENGTH) return `password must be at least ${MIN_PASSWORD_LENGTH} characters`
  if (password.length > MAX_PASSWORD_LENGTH) return `password must be at most ${MAX_PASSWORD_LENGTH} characters`
  const lower = password.toLowerCase()
  if (COMMON.has(lower)) return 'password is one of the most common passwords: choose another'
  if (new Set(lower).size < 4) return 'password repeats too few characters: choose another'
  const own = [context.email.toLowerCase(), context.email.split('@')[0].toLowerCase(), context.name.toLowerCase()]
  if (own.some((part) => part.length >= 4 && lower.includes(part))) return 'password must not contain your email or name'
  return null
}

const derive = (password: string, salt: Buffer, cost: ScryptOptions) =>
  new Promise<Buffer>((resolve, reject) =>
    scrypt(password.normalize('NFKC'), salt, KEY_LENGTH, { ...cost, maxmem: MAX_MEMORY }, (error, key) =>
      error ? reject(error) : resolve(key),
    ),
  )

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16)
  const key = await derive(password, salt, COST)
  return ['scrypt', COST.N, COST.r, COST.p, salt.toString('base64url'), key.toString('base64url')].join('$')
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, N, r, p, salt, hash] = stored.split('$')
  if (scheme !== 'scrypt' || !hash) return false
  const expected = Buffer.from(hash, 'base64url')
  const key = await derive(password, Buffer.from(salt, 'base64url'), { N: Number(N), r: Number(r), p: Number(p) })
  return key.length === expected.length && timingSafeEqual(key, expected)
}

/** A stored hash nobody's password matches: a sign-in for an unknown email costs the same time. */
export const DUMMY_HASH = hashPassword(randomBytes(16).toString('hex'))
