/**
 * Provider callbacks (shared spec providers.md, "Callback endpoints on this server"). These are
 * not REST API routes but provider webhooks in the providers' own formats (JSON for Sendblue and
 * Vapi, form-encoded for Twilio), so they bypass the GraphQL route tables:
 *
 *   POST /callbacks/sendblue/{accountId}         status callbacks and inbound messages
 *   POST /callbacks/twilio/{accountId}/status    message status callbacks
 *   POST /callbacks/twilio/{accountId}/inbound   inbound SMS
 *   POST /callbacks/vapi/{accountId}             server-URL events
 *
 * Order: read the body (bounded), authenticate with the account's integration secret, and only
 * then parse and apply. Unauthenticated → 403 and nothing changes; an unknown message id → 2xx
 * and a log line, so the provider stops retrying. Secrets are never logged.
 */
import type { Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import type { Logger } from 'pino'
import { z } from 'zod'
import type { Config } from '../env.js'
import type { IntegrationProvider } from '../generated/prisma/enums.js'
import { bodyText } from '../http/body.js'
import type { AppEnv } from '../http/state.js'
import { recordInbound } from '../services/callbacks/inbound.js'
import { applyStatus, sendblueState, twilioState } from '../services/callbacks/status.js'
import { verifySendblue, verifyTwilio, verifyVapi } from '../services/callbacks/verify.js'
import { EndOfCallReport, recordCallReport } from '../services/callbacks/voice.js'
import { loadSettings } from '../services/integrations.js'

const ACCOUNT_ID = /^[A-Za-z0-9-]{1,64}$/
/** Vapi's end-of-call reports carry the whole conversation; the rest are small. */
const BODY_LIMIT = { sendblue: 256 * 1024, twilio: 64 * 1024, vapi: 5 * 1024 * 1024 }
const TWIML_OK = () =>
  new Response('<?xml version="1.0" encoding="UTF-8"?><Response></Response>', { headers: { 'content-type': 'text/xml' } })

type Provider = 'sendblue' | 'vapi' | 'twilio'
interface Callback {
  provider: Provider
  accountId: string
  kind: 'status' | 'inbound' | undefined
}

/** The callback routes: POST only; any other method is a 405, and an unknown path a 404 (the app's). */
export function mountCallbacks(app: Hono<AppEnv>, config: Config, logger: Logger): void {
  const routes: [string, Omit<Callback, 'accountId'>][] = [
    ['/callbacks/sendblue/:accountId', { provider: 'sendblue', kind: undefined }],
    ['/callbacks/vapi/:accountId', { provider: 'vapi', kind: undefined }],
    ['/callbacks/twilio/:accountId/status', { provider: 'twilio', kind: 'status' }],
    ['/callbacks/twilio/:accountId/inbound', { provider: 'twilio', kind: 'inbound' }],
  ]
  for (const [path, route] of routes) {
    app.post(
      path,
      bodyLimit({ maxSize: BODY_LIMIT[route.provider], onError: () => json(413, 'Payload Too Large', 'Callback body too large') }),
      (c) => {
        const accountId = c.req.param('accountId') ?? ''
        if (!ACCOUNT_ID.test(accountId)) return json(404, 'Not Found', `No route for ${c.req.path}`)
        // The path names the account: everything the callback reads or writes is confined to it.
        c.var.state.accountId = accountId
        c.var.state.actor = `provider:${route.provider}`
        return handleCallback(c.req.raw, { ...route, accountId }, config, logger)
      },
    )
  }
}

async function handleCallback(request: Request, callback: Callback, config: Config, logger: Logger): Promise<Response> {
  const url = new URL(request.url)
  const log = logger.child({ provider: callback.provider, account_id: callback.accountId })
  const body = await bodyText(request)
  const settings = await secretsOf(config, callback.accountId, callback.provider)
  const form = callback.provider === 'twilio' ? new URLSearchParams(body) : undefined
  // Twilio signs the URL it was given: PUBLIC_URL + path (+ query), not whatever Host we see.
  const secret =
    callback.provider === 'sendblue' ? settings.signing_secret : callback.provider === 'vapi' ? settings.server_secret : settings.api_key
  const authentic =
    callback.provider === 'sendblue'
      ? verifySendblue(request.headers, secret)
      : callback.provider === 'vapi'
        ? verifyVapi(request.headers, secret)
        : verifyTwilio(request.headers, secret, `${config.PUBLIC_URL}${url.pathname}${url.search}`, form!)
  if (!authentic) {
    // The caller learns nothing about the account; the operator's log says what is missing.
    const why = !settings.configured
      ? 'no integration'
      : secret
        ? 'signature does not match'
        : 'the integration has no secret to check it with'
    log.warn({ reason: why }, 'callback refused')
    return json(403, 'Forbidden', 'Callback could not be authenticated')
  }

  if (callback.provider === 'twilio') return twilio(callback, form!, log)
  let payload: unknown
  try {
    payload = JSON.parse(body)
  } catch {
    return json(400, 'Bad Request', 'Body must be JSON')
  }
  return callback.provider === 'sendblue' ? sendblue(callback, payload, log) : vapi(callback, payload, log)
}

/** The integration's callback secrets; none when it is missing or sealed under another SECRET_KEY. */
async function secretsOf(config: Config, accountId: string, provider: IntegrationProvider) {
  let settings: Record<string, string | number> | null = null
  try {
    settings = await loadSettings(config, accountId, provider)
  } catch {
    settings = null
  }
  const secret = (name: string) => (typeof settings?.[name] === 'string' ? (settings[name] as string) : undefined)
  return {
    configured: settings !== null,
    signing_secret: secret('signing_secret'),
    server_secret: secret('server_secret'),
    api_key: secret('api_key'),
  }
}

const SendbluePayload = z.object({
  is_outbound: z.union([z.boolean(), z.string()]).nullish(),
  message_handle: z.string().max(200).nullish(),
  status: z.string().max(50).nullish(),
  error_message: z.string().nullish(),
  content: z.string().max(20_000).nullish(),
  number: z.string().max(50).nullish(),
  from_number: z.string().max(50).nullish(),
  service: z.string().nullish(),
  was_downgraded: z.union([z.boolean(), z.string()]).nullish(),
})

async function sendblue(callback: Callback, payload: unknown, log: Logger): Promise<Response> {
  const parsed = SendbluePayload.safeParse(payload)
  if (!parsed.success) return json(400, 'Bad Request', 'Unrecognised Sendblue payload')
  const event = parsed.data
  if (event.is_outbound === true || event.is_outbound === 'true') {
    if (!event.message_handle) return json(400, 'Bad Request', 'message_handle is required')
    const result = await applyStatus({
      accountId: callback.accountId,
      provider: 'sendblue',
      providerMessageId: event.message_handle,
      state: sendblueState(event.status),
      error: event.error_message,
    })
    if (!result.known) log.info({ provider_message_id: event.message_handle }, 'status callback for an unknown message: ignored')
    return Response.json({ ok: true })
  }
  const from = (event.from_number ?? event.number ?? '').trim()
  if (!from || event.content == null) return json(400, 'Bad Request', 'An inbound message needs from_number and content')
  const channel = event.service?.toLowerCase() === 'sms' || String(event.was_downgraded) === 'true' ? 'sms' : 'imessage'
  const result = await recordInbound({
    accountId: callback.accountId,
    provider: 'sendblue',
    providerMessageId: event.message_handle ?? null,
    from,
    content: event.content,
    channel,
  })
  log.info({ conversation_id: result.conversationId, duplicate: result.duplicate, opt_out: result.optOut }, 'inbound message')
  return Response.json({ ok: true })
}

async function twilio(callback: Callback, form: URLSearchParams, log: Logger): Promise<Response> {
  const sid = form.get('MessageSid') ?? form.get('SmsSid')
  if (callback.kind === 'status') {
    if (!sid) return json(400, 'Bad Request', 'MessageSid is required')
    const result = await applyStatus({
      accountId: callback.accountId,
      provider: 'twilio',
      providerMessageId: sid,
      state: twilioState(form.get('MessageStatus') ?? form.get('SmsStatus')),
      error: form.get('ErrorCode') ? `error ${form.get('ErrorCode')}` : null,
    })
    if (!result.known) log.info({ provider_message_id: sid }, 'status callback for an unknown message: ignored')
    return TWIML_OK()
  }
  const from = form.get('From')?.trim()
  const content = form.get('Body')
  if (!from || content === null) return json(400, 'Bad Request', 'From and Body are required')
  const result = await recordInbound({
    accountId: callback.accountId,
    provider: 'twilio',
    providerMessageId: sid,
    from,
    content,
    channel: 'sms',
  })
  log.info({ conversation_id: result.conversationId, duplicate: result.duplicate, opt_out: result.optOut }, 'inbound message')
  return TWIML_OK()
}

async function vapi(callback: Callback, payload: unknown, log: Logger): Promise<Response> {
  const message = (payload as { message?: { type?: unknown } } | null)?.message
  if (!message || typeof message.type !== 'string') return json(400, 'Bad Request', 'Expected {"message": {"type": …}}')
  if (message.type !== 'end-of-call-report') return Response.json({ ok: true }) // status-update, transcript, … need no record
  const report = EndOfCallReport.safeParse(message)
  if (!report.success)
    return json(
      400,
      'Bad Request',
      `Unrecognised end-of-call-report: ${report.error.issues[0].path.join('.')} ${report.error.issues[0].message}`,
    )
  const result = await recordCallReport(callback.accountId, report.data)
  log.info({ conversation_id: result.conversationId, call_id: report.data.call.id, created: result.created }, 'call report recorded')
  return Response.json({ ok: true })
}

const json = (status: number, error: string, message: string) => Response.json({ error, message }, { status })
