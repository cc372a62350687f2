/**
 * Every credential this server hands out or keeps, in one module.
 *
 * API key format:  obq_<mode>_<body><check>
 *   mode   "live" or "test"
 *   body   43 characters: 32 random bytes, base64url (URL-safe, no padding)
 *   check  7 characters: CRC-32 of "obq_<mode>_<body>" in base36, zero-padded, so a scanner can
 *          recognise a leaked key (and reject typos) without asking the server.
 * Only the SHA-256 of the whole key is stored, with a display prefix (`obq_live_` + 6 body
 * characters). Parsing returns a result instead of throwing. Access codes and session tokens are
 * random too; likewise only their SHA-256 is stored.
 *
 * Secrets the server must read back (provider credentials, webhook signing secrets) are encrypted
 * at rest with AES-256-GCM under a key derived from SECRET_KEY, stored as
 * `v1.<iv>.<tag>.<ciphertext>` (base64url) so the format can change later.
 */
import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto'
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

// ───────── encryption at rest ─────────

const keyCache = new Map<string, Buffer>()

function keyFor(secretKey: string): Buffer {
  let key = keyCache.get(secretKey)
  if (!key) {
    key = Buffer.from(hkdfSync('sha256', secretKey, 'crm-at-rest', 'aes-256-gcm v1', 32))
    keyCache.set(secretKey, key)
  }
  return key
}

export function encryptSecret(plaintext: string, secretKey: string): string {
  const iv = randomBytes(12)
  const cipher = createCipheriv('aes-256-gcm', keyFor(secretKey), iv)
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()])
  return ['v1', iv, cipher.getAuthTag(), ciphertext].map((part) => (typeof part === 'string' ? part : part.toString('base64url'))).join('.')
}

export function decryptSecret(stored: string, secretKey: string): string {
  const [version, iv, tag, ciphertext] = stored.split('.')
  if (version !== 'v1' || !iv || !tag || ciphertext === undefined) throw new Error('Unrecognised secret format')
  const decipher = createDecipheriv('aes-256-gcm', keyFor(secretKey), Buffer.from(iv, 'base64url'))
  decipher.setAuthTag(Buffer.from(tag, 'base64url'))
  return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8')
}

/** Only the last 4 characters survive: "••••••••3f9a". */
export const maskSecret = (value: string) => `••••••••${value.length > 4 ? value.slice(-4) : ''}`
