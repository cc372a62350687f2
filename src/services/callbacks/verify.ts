/**
 * Authenticating provider callbacks (shared spec providers.md) before they touch data. Each
 * check takes the secret of the account's integration; an integration without that secret
 * refuses every callback, because an unauthenticated callback must change nothing.
 */
import { createHmac } from 'node:crypto'
import { safeEqual } from '../../crypto.js'

/** Sendblue sends the signing secret itself in `sb-signing-secret` (not an HMAC). */
export function verifySendblue(headers: Headers, signingSecret: string | undefined): boolean {
  const presented = headers.get('sb-signing-secret')
  return Boolean(signingSecret && presented !== null && safeEqual(presented, signingSecret))
}

/** Vapi sends the server secret configured on the assistant in `x-vapi-secret`. */
export function verifyVapi(headers: Headers, serverSecret: string | undefined): boolean {
  const presented = headers.get('x-vapi-secret')
  return Boolean(serverSecret && presented !== null && safeEqual(presented, serverSecret))
}

/**
 * Twilio's `X-Twilio-Signature`: base64(HMAC-SHA1(auth token, URL + every POST parameter name
 * and value, sorted by name)). `url` is the exact URL Twilio was given, i.e. built on PUBLIC_URL.
 */
export function twilioSignature(authToken: string, url: string, params: URLSearchParams): string {
  const pairs = [...params.entries()].sort(([a, av], [b, bv]) => (a === b ? compare(av, bv) : compare(a, b)))
  const data = url + pairs.map(([name, value]) => name + value).join('')
  return createHmac('sha1', authToken).update(data, 'utf8').digest('base64')
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)

export function verifyTwilio(headers: Headers, authToken: string | undefined, url: string, params: URLSearchParams): boolean {
  const presented = headers.get('x-twilio-signature')
  return Boolean(authToken && presented !== null && safeEqual(presented, twilioSignature(authToken, url, params)))
}
