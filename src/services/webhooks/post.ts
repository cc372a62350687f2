/**
 * One webhook POST through node:http(s), so the connection can be pinned to an address that
 * passed the private-address check (see url-safety.ts). Keep-alive agents reuse connections to
 * busy receivers. Only the first 1000 characters of the answer are kept; the rest is discarded
 * unread, so a receiver cannot make us buffer a large answer.
 */
import http from 'node:http'
import https from 'node:https'
import { isIP } from 'node:net'
import { guardedLookup, isPrivateAddress, PRIVATE_ADDRESS_MESSAGE } from './url-safety.js'

export const EXCERPT_CHARS = 1000

export interface PostResult {
  statusCode: number | null
  excerpt: string | null
  error: string | null
  durationMs: number
}

const agents = { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) }

export async function postWebhook(
  target: string,
  body: string,
  headers: Record<string, string>,
  options: { allowPrivate: boolean; timeoutMs: number },
): Promise<PostResult> {
  const started = performance.now()
  const done = (result: Omit<PostResult, 'durationMs'>): PostResult => ({ ...result, durationMs: Math.round(performance.now() - started) })
  const url = new URL(target)
  const host = url.hostname.replace(/^\[|\]$/g, '')
  if (!options.allowPrivate) {
    if (url.protocol !== 'https:') return done({ statusCode: null, excerpt: null, error: 'Webhook URL must use https://' })
    if (isIP(host) && isPrivateAddress(host)) return done({ statusCode: null, excerpt: null, error: PRIVATE_ADDRESS_MESSAGE })
  }
  const transport = url.protocol === 'https:' ? https : http
  return new Promise((resolve) => {
    const request = transport.request(
      url,
      {
        method: 'POST',
        agent: url.protocol === 'https:' ? agents.https : agents.http,
        headers: {
          'Content-Type': 'application/json',
          'Content-Length': Buffer.byteLength(body),
          'User-Agent': 'crm-webhooks/1',
          ...headers,
        },
        signal: AbortSignal.timeout(options.timeoutMs),
        ...(options.allowPrivate ? {} : { lookup: guardedLookup }),
      },
      (response) => {
        let excerpt = ''
        response.setEncoding('utf8')
        response.on('data', (chunk: string) => {
          if (excerpt.length < EXCERPT_CHARS) excerpt += chunk.slice(0, EXCERPT_CHARS - excerpt.length)
        })
        response.on('end', () => resolve(done({ statusCode: response.statusCode ?? null, excerpt, error: null })))
        response.on('error', (error) => resolve(done({ statusCode: response.statusCode ?? null, excerpt, error: describe(error) })))
        // A timeout mid-answer ends with 'close' and no 'end'; the first resolve wins.
        response.on('close', () =>
          resolve(done({ statusCode: response.statusCode ?? null, excerpt, error: response.complete ? null : 'Timed out' })),
        )
      },
    )
    request.on('error', (error) => resolve(done({ statusCode: null, excerpt: null, error: describe(error) })))
    request.end(body)
  })
}

function describe(error: Error): string {
  if (error.name === 'AbortError' || error.name === 'TimeoutError') return 'Timed out'
  return error.message.slice(0, 500)
}
