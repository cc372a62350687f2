/**
 * Providers and the account's integrations with them. Secrets are stored encrypted and only
 * ever leave the server masked (`••••••••3f9a`); see services/integrations.ts.
 */
import { db } from '../db/client.js'
import { Channel, IntegrationProvider } from '../generated/prisma/enums.js'
import { maskedSettings, PROVIDERS, parseProviderConfig, saveIntegration } from '../services/integrations.js'
import { assertSafeSmtpHost } from '../services/providers/smtp-host.js'
import { builder } from './builder.js'
import { accountOf } from './tenancy.js'

const IntegrationProviderType = builder.enumType(IntegrationProvider, {
  name: 'IntegrationProvider',
  description: 'A messaging provider an account can connect',
  values: {
    sendblue: { description: 'Sendblue: iMessage and SMS' },
    twilio: { description: 'Twilio: SMS' },
    vapi: { description: 'Vapi: AI phone calls' },
    email: { description: 'Email through your own SMTP server' },
  },
})

const Provider = builder.objectRef<{ name: IntegrationProvider; channels: Channel[]; configured: boolean }>('Provider').implement({
  description: 'A messaging provider the server supports, and whether this account connected it',
  fields: (t) => ({
    name: t.expose('name', { type: IntegrationProvider, description: 'Which provider it is' }),
    channels: t.expose('channels', { type: [Channel], description: 'The channels it sends on' }),
    configured: t.exposeBoolean('configured', { description: 'Whether this account has stored an integration for it' }),
  }),
})

export const Integration = builder.prismaObject('Integration', {
  description: "The account's stored settings for one provider",
  select: { id: true },
  fields: (t) => ({
    id: t.exposeID('id', { description: "The integration's id" }),
    provider: t.expose('provider', { type: IntegrationProvider, description: 'The provider these settings are for' }),
    config: t.field({
      type: 'JSON',
      description: 'The stored settings, every secret masked to its last 4 characters',
      select: { config: true, secretsEncrypted: true },
      resolve: (integration, _args, ctx) => maskedSettings(integration, ctx.config),
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the settings were first stored' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'When the settings were last replaced' }),
  }),
})

const IntegrationSave = builder.objectRef<{ created: boolean; id: string }>('IntegrationSave').implement({
  description: "A provider's stored settings, and whether they are new",
  fields: (t) => ({
    created: t.exposeBoolean('created', { description: 'true when the settings were stored for the first time, false when replaced' }),
    integration: t.prismaField({
      type: 'Integration',
      description: 'The integration as stored, secrets masked',
      resolve: (query, r) => db.integration.findUniqueOrThrow({ ...query, where: { id: r.id } }),
    }),
  }),
})

builder.queryFields((t) => ({
  providers: t.field({
    type: [Provider],
    description: 'Every provider the server supports, with whether this account connected it (needs read:hub)',
    authScopes: { scope: 'read:hub' },
    resolve: async (_root, _args, ctx) => {
      const stored = await db.integration.findMany({ where: { accountId: accountOf(ctx) }, select: { provider: true } })
      const configured = new Set(stored.map((i) => i.provider))
      return Object.entries(PROVIDERS).map(([name, spec]) => ({
        name: name as IntegrationProvider,
        channels: spec.channels,
        configured: configured.has(name as IntegrationProvider),
      }))
    },
  }),
  integrations: t.prismaField({
    type: ['Integration'],
    description: "The account's integrations, by provider name, secrets masked (needs read:hub)",
    authScopes: { scope: 'read:hub' },
    resolve: (query, _root, _args, ctx) =>
      db.integration.findMany({ ...query, where: { accountId: accountOf(ctx) }, orderBy: { provider: 'asc' } }),
  }),
}))

builder.mutationFields((t) => ({
  saveIntegration: t.field({
    type: IntegrationSave,
    description: "Stores (replaces) a provider's settings; secrets are encrypted at rest",
    // A person needs the power to manage integrations (members may not); a key needs write:hub.
    authScopes: { power: 'manage:integrations' },
    args: {
      provider: t.arg({ type: IntegrationProviderType, required: true, description: 'The provider whose settings these are' }),
      config: t.arg({
        type: 'JSON',
        required: true,
        description: "The provider's settings as a JSON object; api_key is always required (docs/api-crm.md lists each provider's keys)",
      }),
    },
    resolve: async (_root, args, ctx) => {
      const settings = parseProviderConfig(args.provider, args.config)
      if (args.provider === 'email') await assertSafeSmtpHost(settings, ctx.config.ALLOW_PRIVATE_SMTP_HOSTS)
      return saveIntegration(ctx.config, accountOf(ctx), args.provider, settings)
    },
  }),
}))

/** What the REST row checks its path's provider with, before the operation runs. */
export { knownProvider } from '../services/integrations.js'
