/**
 * Webhook signatures. Each endpoint has one secret, `whsec_<base64 of 32 random bytes>` (the
 * Standard Webhooks format), shown once. Every request carries two signatures over the same
 * raw body:
 *
 *   X-Webhook-Signature  lowercase hex HMAC-SHA256 of the raw body, keyed with the secret
 *                        string exactly as shown (all of it, `whsec_` prefix included, UTF-8);
 *   webhook-signature    Standard Webhooks: `v1,<base64 HMAC-SHA256 of "<webhook-id>.<webhook-timestamp>.<body>">`,
 *                        keyed with the base64-decoded part after `whsec_`, so the
 *                        `standardwebhooks` libraries verify it and reject replays.
 */
import { createHmac, randomBytes } from 'node:crypto'

export const generateWebhookSecret = () => `whsec_${randomBytes(32).toString('base64')}`

export function signatureHeaders(secret: string, id: string, body: string, timestampSeconds: number): Record<string, string> {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64')
  const standard = createHmac('sha256', key).update(`${id}.${timestampSeconds}.${body}`).digest('base64')
  return {
    'X-Webhook-Signature': createHmac('sha256', secret).update(body).digest('hex'),
    'webhook-id': id,
    'webhook-timestamp': String(timestampSeconds),
    'webhook-signature': `v1,${standard}`,
  }
}
