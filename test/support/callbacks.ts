/**
 * Provider callbacks as the providers send them: Sendblue's JSON with `sb-signing-secret`,
 * Twilio's signed forms, Vapi's server-URL events with `x-vapi-secret`. `signTwilio` computes
 * X-Twilio-Signature independently of the server's code (HMAC-SHA1 over URL + sorted params).
 */
import { createHmac } from 'node:crypto'
import { Writable } from 'node:stream'
import { pino } from 'pino'
import { type App, createApp } from '../../src/app.js'
import { testConfig } from './app.js'

export const PUBLIC_URL = 'http://crm.test'

export function signTwilio(authToken: string, url: string, params: Record<string, string>): string {
  const data =
    url +
    Object.keys(params)
      .sort()
      .map((name) => name + params[name])
      .join('')
  return createHmac('sha1', authToken).update(data).digest('base64')
}

/** An app whose log lines are kept in `lines` (to check what callbacks log, and that secrets are not). */
export function loggedApp(overrides: Record<string, string> = {}): { app: App; lines: string[] } {
  const lines: string[] = []
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean))
      done()
    },
  })
  return { app: createApp(testConfig(overrides), pino({ level: 'debug' }, stream)), lines }
}

export interface CallbackSender {
  sendblue(accountId: string, payload: unknown, secret?: string | null): Promise<Response>
  twilio(accountId: string, kind: 'status' | 'inbound', params: Record<string, string>, authToken: string | null): Promise<Response>
  vapi(accountId: string, message: unknown, secret?: string | null): Promise<Response>
}

export function callbackSender(app: App): CallbackSender {
  const post = (path: string, body: string, headers: Record<string, string>) =>
    app.fetch(new Request(`${PUBLIC_URL}${path}`, { method: 'POST', body, headers }))
  return {
    sendblue: (accountId, payload, secret) =>
      post(`/callbacks/sendblue/${accountId}`, JSON.stringify(payload), {
        'content-type': 'application/json',
        ...(secret ? { 'sb-signing-secret': secret } : {}),
      }),
    twilio: (accountId, kind, params, authToken) => {
      const path = `/callbacks/twilio/${accountId}/${kind}`
      const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' }
      if (authToken) headers['x-twilio-signature'] = signTwilio(authToken, `${PUBLIC_URL}${path}`, params)
      return post(path, new URLSearchParams(params).toString(), headers)
    },
    vapi: (accountId, message, secret) =>
      post(`/callbacks/vapi/${accountId}`, JSON.stringify({ message }), {
        'content-type': 'application/json',
        ...(secret ? { 'x-vapi-secret': secret } : {}),
      }),
  }
}
