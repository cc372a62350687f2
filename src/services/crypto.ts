/**
 * Encryption at rest for secrets the server must read back (provider credentials, webhook
 * signing secrets): AES-256-GCM with a key derived from SECRET_KEY. Stored as
 * `v1.<iv>.<tag>.<ciphertext>` (base64url), so the format can change later.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto'

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
