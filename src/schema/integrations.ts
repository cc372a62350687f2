/**
 * Providers and the account's integrations with them. Secrets are stored encrypted and only
 * ever leave the server masked (`••••••••3f9a`); see services/integrations.ts.
 */
import { db } from '../db/client.js'
import { notFound } from '../errors.js'
import { Channel, IntegrationProvider } from '../generated/prisma/enums.js'
import { isProvider, maskedSettings, PROVIDERS, parseProviderConfig, saveIntegration } from '../services/integrations.js'
import { assertSafeSmtpHost } from '../services/providers/smtp-host.js'
import { builder } from './builder.js'
import { accountOf } from './tenancy.js'

builder.enumType(IntegrationProvider, { name: 'IntegrationProvider' })

const Provider = builder.objectRef<{ name: IntegrationProvider; channels: Channel[]; configured: boolean }>('Provider').implement({
  fields: (t) => ({
    name: t.expose('name', { type: IntegrationProvider }),
    channels: t.expose('channels', { type: [Channel] }),
    configured: t.exposeBoolean('configured', { description: 'Whether this account has stored an integration for it' }),
  }),
})

export const Integration = builder.prismaObject('Integration', {
  select: { id: true },
  fields: (t) => ({
    id: t.exposeID('id'),
    provider: t.expose('provider', { type: IntegrationProvider }),
    config: t.field({
      type: 'JSON',
      description: 'The stored settings, every secret masked to its last 4 characters',
      select: { config: true, secretsEncrypted: true },
      resolve: (integration, _args, ctx) => maskedSettings(integration, ctx.config),
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
  }),
})

const IntegrationSave = builder.objectRef<{ created: boolean; id: string }>('IntegrationSave').implement({
  fields: (t) => ({
    created: t.exposeBoolean('created'),
    integration: t.prismaField({
      type: 'Integration',
      resolve: (query, r) => db.integration.findUniqueOrThrow({ ...query, where: { id: r.id } }),
    }),
  }),
})

builder.queryFields((t) => ({
  providers: t.field({
    type: [Provider],
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
    authScopes: { scope: 'read:hub' },
    resolve: (query, _root, _args, ctx) =>
      db.integration.findMany({ ...query, where: { accountId: accountOf(ctx) }, orderBy: { provider: 'asc' } }),
  }),
}))

builder.mutationFields((t) => ({
  saveIntegration: t.field({
    type: IntegrationSave,
    description: "Stores (replaces) a provider's settings; secrets are encrypted at rest",
    authScopes: { scope: 'write:hub' },
    args: { provider: t.arg.string({ required: true }), config: t.arg({ type: 'JSON', required: true }) },
    resolve: async (_root, args, ctx) => {
      if (!isProvider(args.provider))
        throw notFound(`Unknown provider "${args.provider.slice(0, 40)}": expected one of ${Object.keys(PROVIDERS).join(', ')}`)
      const settings = parseProviderConfig(args.provider, args.config)
      if (args.provider === 'email') await assertSafeSmtpHost(settings, ctx.config.ALLOW_PRIVATE_SMTP_HOSTS)
      return saveIntegration(ctx.config, accountOf(ctx), args.provider, settings)
    },
  }),
}))
