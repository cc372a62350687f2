/**
 * The provider call for a communication: sms/imessage → Sendblue, call → Vapi, email → the
 * email integration, `test` → no provider at all. A sender is built once per account and
 * provider from the integration's settings (the worker reuses it for a whole batch), and a
 * missing setting is a 400 naming it, raised before anything is claimed.
 */
import { randomUUID } from 'node:crypto'
import type { Config } from '../env.js'
import { badRequest } from '../errors.js'
import type { Channel } from '../generated/prisma/enums.js'
import { sendEmail } from './providers/email.js'
import { sendblueSend } from './providers/sendblue.js'
import { DEFAULT_SMTP_PORT } from './providers/smtp-host.js'
import { vapiCreateCall } from './providers/vapi.js'

export type Provider = 'sendblue' | 'vapi' | 'email'

/** What a provider call needs of a message. */
export interface Outgoing {
  id: string
  accountId: string
  to: string
  subject: string | null
  content: string
  customer: { name: string | null; firstName: string | null; lastName: string | null } | null
}

/** Sends one message; resolves to the provider's id for it. */
export type Send = (message: Outgoing) => Promise<string>

export const providerOf = (channel: Channel): Provider => (channel === 'call' ? 'vapi' : channel === 'email' ? 'email' : 'sendblue')

/** Test keys and accounts in test mode: stored as sent, no provider reached. */
export const testSend: Send = async () => `test_${randomUUID()}`

/** The sender for `provider` with these (decrypted) settings, or a 400 naming what is not configured. */
export function senderFor(config: Config, accountId: string, provider: Provider, settings: Record<string, string | number> | null): Send {
  const endpoint = { timeoutMs: config.PROVIDER_TIMEOUT_MS }
  const callbackUrl = `${config.PUBLIC_URL}/callbacks/${provider}/${accountId}`
  const need = (name: string, label: string) => {
    const value = settings?.[name]
    if (value === undefined || value === '')
      throw badRequest(`The ${label} integration has no ${name}: store it with PUT /hub/v1/integrations/${provider}`)
    return String(value)
  }

  if (provider === 'email') {
    if (!settings) throw badRequest('No email provider is connected')
    const smtp = {
      host: need('host', 'email'),
      port: Number(settings.port ?? DEFAULT_SMTP_PORT),
      username: settings.username ? String(settings.username) : null,
      password: need('api_key', 'email'),
      from: need('from_address', 'email'),
    }
    const options = { timeoutMs: config.PROVIDER_TIMEOUT_MS, allowPrivate: config.ALLOW_PRIVATE_SMTP_HOSTS }
    return (message) => sendEmail(smtp, { to: message.to, subject: message.subject, text: message.content }, options)
  }
  if (provider === 'sendblue') {
    if (!settings) throw badRequest('No Sendblue integration is connected: store one with PUT /hub/v1/integrations/sendblue')
    const credentials = {
      apiKey: need('api_key', 'Sendblue'),
      apiSecret: need('api_secret', 'Sendblue'),
      fromNumber: need('from_number', 'Sendblue'),
    }
    return (message) =>
      sendblueSend({ ...endpoint, baseUrl: config.SENDBLUE_API_URL }, credentials, {
        number: message.to,
        content: message.content,
        statusCallback: callbackUrl,
      })
  }
  if (!settings) throw badRequest('No Vapi integration is connected: store one with PUT /hub/v1/integrations/vapi')
  const credentials = {
    apiKey: need('api_key', 'Vapi'),
    assistantId: need('assistant_id', 'Vapi'),
    phoneNumberId: need('phone_number_id', 'Vapi'),
  }
  return (message) => {
    const customer = message.customer
    const customerName = customer?.name ?? ([customer?.firstName, customer?.lastName].filter(Boolean).join(' ') || null)
    return vapiCreateCall({ ...endpoint, baseUrl: config.VAPI_API_URL }, credentials, {
      number: message.to,
      customerName,
      content: message.content,
      serverUrl: callbackUrl,
      metadata: { account_id: accountId, communication_id: message.id },
    })
  }
}
