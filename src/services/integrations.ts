/**
 * Provider integrations of an account: which settings each provider takes, which of them are
 * secrets (encrypted at rest with SECRET_KEY, only ever read back masked), and the decrypted
 * view the provider clients use.
 */
import { z } from 'zod'
import { decryptSecret, encryptSecret, maskSecret } from '../crypto.js'
import { db } from '../db/client.js'
import type { Config } from '../env.js'
import { AppError, notFound } from '../errors.js'
import type { Channel, IntegrationProvider } from '../generated/prisma/enums.js'

const E164 = /^\+[1-9]\d{6,14}$/
const text = (max = 500) => z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`)
const phoneNumber = z.string().trim().regex(E164, 'must be an E.164 phone number such as +15555550100')

interface ProviderSpec {
  channels: Channel[]
  /** Settings that are secrets: encrypted at rest, masked on every read. */
  secrets: readonly string[]
  /** The accepted settings; unknown ones are dropped, `api_key` is always required. */
  config: z.ZodObject
}

export const PROVIDERS: Record<IntegrationProvider, ProviderSpec> = {
  sendblue: {
    channels: ['sms', 'imessage'],
    secrets: ['api_key', 'api_secret', 'signing_secret'],
    config: z.object({
      api_key: text(),
      api_secret: text().optional(),
      from_number: phoneNumber.optional(),
      signing_secret: text().optional(),
    }),
  },
  vapi: {
    channels: ['call'],
    secrets: ['api_key', 'server_secret'],
    config: z.object({
      api_key: text(),
      assistant_id: text(200).optional(),
      phone_number_id: text(200).optional(),
      server_secret: text().optional(),
    }),
  },
  twilio: {
    channels: ['sms'],
    secrets: ['api_key'],
    config: z.object({ api_key: text(), account_sid: text(100).optional(), from_number: phoneNumber.optional() }),
  },
  email: {
    channels: ['email'],
    secrets: ['api_key'],
    config: z.object({
      api_key: text(),
      host: text(255).optional(),
      port: z.number().int().min(1).max(65535).optional(),
      username: text(320).optional(),
      from_address: z.string().trim().email('must be an email address').optional(),
    }),
  },
}

export const isProvider = (value: string): value is IntegrationProvider => Object.hasOwn(PROVIDERS, value)

/** A provider named in a path (`/integrations/:provider`): an unknown one is a 404, as any unknown path is. */
export function knownProvider(name: string): IntegrationProvider {
  if (!isProvider(name)) throw notFound(`Unknown provider "${name.slice(0, 40)}": expected one of ${Object.keys(PROVIDERS).join(', ')}`)
  return name
}

export function secretKeyOf(config: Config): string {
  if (!config.SECRET_KEY) throw new Error('SECRET_KEY is not configured')
  return config.SECRET_KEY
}

/** Validates a provider config: 400 naming the first bad field (`config.api_key is required`). */
export function parseProviderConfig(provider: IntegrationProvider, input: unknown): Record<string, string | number> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new AppError('BAD_REQUEST', 'config must be a JSON object')
  const parsed = PROVIDERS[provider].config.safeParse(input)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const field = `config.${issue.path.join('.')}`
    const missing = (input as Record<string, unknown>)[String(issue.path[0])] === undefined
    throw new AppError('BAD_REQUEST', missing ? `${field} is required` : `${field} ${issue.message.replace(/^Invalid input: /, '')}`)
  }
  return parsed.data as Record<string, string | number>
}

/** Stores (replaces) an integration; `created` tells a first save from a replacement. */
export async function saveIntegration(
  config: Config,
  accountId: string,
  provider: IntegrationProvider,
  settings: Record<string, string | number>,
) {
  const { secrets } = PROVIDERS[provider]
  const plain = Object.fromEntries(Object.entries(settings).filter(([key]) => !secrets.includes(key)))
  const hidden = Object.fromEntries(Object.entries(settings).filter(([key]) => secrets.includes(key)))
  const secretsEncrypted = encryptSecret(JSON.stringify(hidden), secretKeyOf(config))
  const existing = await db.integration.findUnique({ where: { accountId_provider: { accountId, provider } }, select: { id: true } })
  const saved = await db.integration.upsert({
    where: { accountId_provider: { accountId, provider } },
    create: { accountId, provider, config: plain, secretsEncrypted },
    update: { config: plain, secretsEncrypted },
    select: { id: true },
  })
  return { id: saved.id, created: !existing }
}

export type StoredIntegration = { config: unknown; secretsEncrypted: string }

/** Every setting in clear: for the provider clients only, never for a response or a log. */
export function revealSettings(integration: StoredIntegration, config: Config): Record<string, string | number> {
  const secrets = JSON.parse(decryptSecret(integration.secretsEncrypted, secretKeyOf(config))) as Record<string, string>
  return { ...(integration.config as Record<string, string | number>), ...secrets }
}

/** The settings as an API may show them: secrets reduced to their last 4 characters. */
export function maskedSettings(integration: StoredIntegration, config: Config): Record<string, string | number> {
  const secrets = JSON.parse(decryptSecret(integration.secretsEncrypted, secretKeyOf(config))) as Record<string, string>
  const masked = Object.fromEntries(Object.entries(secrets).map(([key, value]) => [key, maskSecret(value)]))
  return { ...(integration.config as Record<string, string | number>), ...masked }
}

export async function loadSettings(config: Config, accountId: string, provider: IntegrationProvider) {
  const integration = await db.integration.findUnique({
    where: { accountId_provider: { accountId, provider } },
    select: { config: true, secretsEncrypted: true },
  })
  return integration && revealSettings(integration, config)
}

/** The stored integrations of several accounts in one query (the worker's batch), keyed `account:provider`, still sealed. */
export async function loadIntegrations(accountIds: string[], providers: IntegrationProvider[]): Promise<Map<string, StoredIntegration>> {
  const rows = await db.integration.findMany({
    where: { accountId: { in: accountIds }, provider: { in: providers } },
    select: { accountId: true, provider: true, config: true, secretsEncrypted: true },
  })
  return new Map(rows.map((row) => [`${row.accountId}:${row.provider}`, row]))
}
