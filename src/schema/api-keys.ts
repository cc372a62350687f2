/**
 * API keys, managed from a portal session. The full key is returned once by createApiKey;
 * only its SHA-256 and a display prefix are stored (key format: src/crypto.ts).
 */

import { z } from 'zod'
import { evictKey, KEY_REVOKED_CHANNEL } from '../context/key-cache.js'
import { ALL_SCOPES, isScope } from '../context/principal.js'
import { generateApiKey } from '../crypto.js'
import { db } from '../db/client.js'
import { badRequest, notFound } from '../errors.js'
import { KeyMode } from '../generated/prisma/enums.js'
import { builder } from './builder.js'
import { inputType } from './inputs.js'
import { sentence, timestamp } from './rules.js'
import { accountOf } from './tenancy.js'

const KeyModeType = builder.enumType(KeyMode, {
  name: 'KeyMode',
  description: 'LIVE keys begin obq_live_, TEST keys obq_test_ (test keys never reach a provider)',
})

export const ApiKey = builder.prismaObject('ApiKey', {
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    prefix: t.exposeString('prefix', { description: 'The first characters of the key, for recognising it' }),
    mode: t.expose('mode', { type: KeyMode }),
    scopes: t.exposeStringList('scopes'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime', nullable: true }),
    lastUsedAt: t.expose('lastUsedAt', { type: 'DateTime', nullable: true, description: 'Recorded with one-minute precision' }),
    revokedAt: t.expose('revokedAt', { type: 'DateTime', nullable: true }),
  }),
})

const MAX_NAME = 100

const apiKeyRules = z.object({
  name: z
    .string()
    .trim()
    .min(1, `must be 1 to ${MAX_NAME} characters`)
    .max(MAX_NAME, `must be 1 to ${MAX_NAME} characters`)
    .describe('Shown in the portal and the audit of who did what'),
  mode: z.enum(['LIVE', 'TEST']).meta({ graphql: KeyModeType }).describe('TEST keys never reach a provider and spend no credits'),
  scopes: z
    .array(z.string())
    .transform((scopes) => [...new Set(scopes)])
    .superRefine((scopes, ctx) => {
      const unknown = scopes.filter((s) => !isScope(s))
      if (unknown.length)
        ctx.addIssue({ code: 'custom', ...sentence(`Unknown scope: ${unknown.join(', ')}. Known scopes: ${ALL_SCOPES.join(', ')}`) })
      else if (scopes.length === 0) ctx.addIssue({ code: 'custom', ...sentence('A key needs at least one scope') })
    })
    .meta({ graphql: ['String'] as never })
    .nullish()
    .describe(`Defaults to every scope: ${ALL_SCOPES.join(', ')}`),
  expiresAt: timestamp.nullish().describe('In the future; absent → the key does not expire'),
})
const CreateApiKeyInput = inputType('CreateApiKeyInput', apiKeyRules)

const CreateApiKeyResult = builder.objectRef<{ secret: string; keyId: string }>('CreateApiKeyResult').implement({
  fields: (t) => ({
    secret: t.exposeString('secret', { description: 'The full key: returned only here, never retrievable again' }),
    apiKey: t.prismaField({
      type: 'ApiKey',
      resolve: (query, result) => db.apiKey.findUniqueOrThrow({ ...query, where: { id: result.keyId } }),
    }),
  }),
})

builder.queryFields((t) => ({
  apiKeys: t.prismaField({
    type: ['ApiKey'],
    description: "The account's keys, newest first (revoked ones included)",
    authScopes: { session: true },
    resolve: (query, _root, _args, ctx) =>
      db.apiKey.findMany({ ...query, where: { accountId: accountOf(ctx) }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] }),
  }),
}))

builder.mutationFields((t) => ({
  createApiKey: t.field({
    type: CreateApiKeyResult,
    authScopes: { session: true },
    args: { input: t.arg({ type: CreateApiKeyInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const { name } = input
      const scopes = input.scopes ?? [...ALL_SCOPES]
      if (input.expiresAt && input.expiresAt.getTime() <= Date.now()) throw badRequest('expiresAt must be in the future')
      const key = generateApiKey(input.mode)
      const created = await db.apiKey.create({
        data: {
          accountId: accountOf(ctx),
          name,
          mode: input.mode,
          scopes,
          expiresAt: input.expiresAt ?? null,
          keyHash: key.hash,
          prefix: key.prefix,
        },
      })
      return { secret: key.secret, keyId: created.id }
    },
  }),
  revokeApiKey: t.prismaField({
    type: 'ApiKey',
    description: 'Revokes a key; it is refused from its very next request',
    authScopes: { session: true },
    args: { id: t.arg.id({ required: true }) },
    resolve: async (query, _root, args, ctx) => {
      const where = { id: String(args.id), accountId: accountOf(ctx) }
      // Revoking twice keeps the first revocation time. The notice, delivered when this commits,
      // makes every other server process forget the key (context/key-cache.ts).
      await db.$transaction(async (tx) => {
        const { count } = await tx.apiKey.updateMany({ where: { ...where, revokedAt: null }, data: { revokedAt: new Date() } })
        if (count > 0) await tx.$executeRaw`SELECT pg_notify(${KEY_REVOKED_CHANNEL}, ${where.id})`
      })
      evictKey(where.id)
      const key = await db.apiKey.findFirst({ ...query, where })
      if (!key) throw notFound('API key not found')
      return key
    },
  }),
}))
