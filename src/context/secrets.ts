/**
 * Credentials this server hands out, and how they are stored.
 *
 * API key format:  obq_<mode>_<body><check>
 *   mode   "live" or "test"
 *   body   43 characters: 32 random bytes, base64url (URL-safe, no padding)
 *   check  7 characters: CRC-32 of "obq_<mode>_<body>" in base36, zero-padded, so a scanner can
 *          recognise a leaked key (and reject typos) without asking the server.
 * Only the SHA-256 of the whole key is stored, with a display prefix (`obq_live_` + 6 body
 * characters). Parsing returns a result instead of throwing.
 *
 * Access codes and session tokens are random too; likewise only their SHA-256 is stored.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import { crc32 } from 'node:zlib'

export type KeyMode = 'LIVE' | 'TEST'

const KEY_PATTERN = /^obq_(live|test)_([A-Za-z0-9_-]{43})([0-9a-z]{7})$/

const checksum = (text: string) => crc32(text).toString(36).padStart(7, '0')

export const sha256 = (value: string) => createHash('sha256').update(value).digest('hex')

/** Compares two strings in time independent of where they differ. */
export function safeEqual(a: string, b: string): boolean {
  const left = createHash('sha256').update(a).digest()
  const right = createHash('sha256').update(b).digest()
  return timingSafeEqual(left, right)
}

export function generateApiKey(mode: KeyMode) {
  const head = `obq_${mode === 'LIVE' ? 'live' : 'test'}_${randomBytes(32).toString('base64url')}`
  const secret = head + checksum(head)
  return { secret, hash: sha256(secret), prefix: secret.slice(0, head.indexOf('_', 4) + 7) }
}

export type ParsedApiKey = { ok: true; mode: KeyMode; hash: string } | { ok: false; reason: string }

export function parseApiKey(candidate: string): ParsedApiKey {
  const match = KEY_PATTERN.exec(candidate)
  if (!match) return { ok: false, reason: 'API keys look like obq_live_… or obq_test_…' }
  const [, mode, body, check] = match
  if (checksum(`obq_${mode}_${body}`) !== check) return { ok: false, reason: 'Invalid API key' }
  return { ok: true, mode: mode === 'live' ? 'LIVE' : 'TEST', hash: sha256(candidate) }
}

const CODE_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789' // no look-alikes (i, l, o, 0, 1)

/** A 12-character portal access code (~59 bits): shown once, stored as its SHA-256. */
export function generateAccessCode(length = 12): string {
  const bytes = randomBytes(length)
  return Array.from(bytes, (b) => CODE_ALPHABET[b % CODE_ALPHABET.length]).join('')
}

/** Opaque random token for session cookies and webhook secrets. */
export const randomToken = (bytes = 32) => randomBytes(bytes).toString('base64url')
