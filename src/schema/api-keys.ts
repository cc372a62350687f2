/**
 * API keys, managed from a portal session. The full key is returned once by createApiKey;
 * only its SHA-256 and a display prefix are stored (key format: src/crypto.ts).
 */

import { z } from 'zod'
import { evictKey, KEY_REVOKED_CHANNEL } from '../context/key-cache.js'
import { ALL_SCOPES, hasScope, isScope, type Scope } from '../context/principal.js'
import { generateApiKey } from '../crypto.js'
import { db } from '../db/client.js'
import { AppError, badRequest, notFound } from '../errors.js'
import type { Prisma } from '../generated/prisma/client.js'
import type { KeyMode } from '../generated/prisma/enums.js'
import { builder } from './builder.js'
import { inputType } from './inputs.js'
import { sentence, timestamp } from './rules.js'
import { accountOf, sessionOf } from './tenancy.js'

/**
 * Enum values are lowercase across the schema; the upper-case spellings this enum had stay
 * accepted as input, deprecated (the stored mode stays upper-case).
 */
const KeyModeType = builder.enumType('KeyMode', {
  description: 'Whether a key acts for real: live keys begin obq_live_, test keys obq_test_',
  values: {
    live: { value: 'live' as const, description: 'Sends messages through the providers and spends SMS credits' },
    test: { value: 'test' as const, description: 'Never reaches a provider and spends no credits; messages are simulated' },
    LIVE: { value: 'LIVE' as const, description: 'The same as live', deprecationReason: 'Use live: enum values are lowercase' },
    TEST: { value: 'TEST' as const, description: 'The same as test', deprecationReason: 'Use test: enum values are lowercase' },
  },
})

export const ApiKey = builder.prismaObject('ApiKey', {
  description: 'An API key of the account; the secret itself is shown once, at creation, and only its hash is stored',
  fields: (t) => ({
    id: t.exposeID('id', { description: "The key's id (not the secret)" }),
    name: t.exposeString('name', { description: 'Shown in the portal and the audit of who did what' }),
    prefix: t.exposeString('prefix', { description: 'The first characters of the key, for recognising it' }),
    mode: t.field({
      type: KeyModeType,
      description: 'Whether the key sends for real (live) or simulates (test)',
      resolve: (key) => (key.mode === 'LIVE' ? 'live' : 'test'),
    }),
    scopes: t.exposeStringList('scopes', { description: 'What the key may do, e.g. leads:read' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the key was created' }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime', nullable: true, description: 'When the key stops working; null: never' }),
    lastUsedAt: t.expose('lastUsedAt', { type: 'DateTime', nullable: true, description: 'Recorded with one-minute precision' }),
    revokedAt: t.expose('revokedAt', { type: 'DateTime', nullable: true, description: 'When the key was revoked; null: still valid' }),
    createdBy: t.relation('createdBy', {
      nullable: true,
      description: 'The user who created it; null when made with the access code or by a removed user',
    }),
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
  mode: z
    .enum(['live', 'test', 'LIVE', 'TEST'])
    .transform((mode) => mode.toUpperCase() as KeyMode)
    .meta({ graphql: KeyModeType })
    .describe('test keys never reach a provider and spend no credits'),
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
    .describe(`Defaults to every scope the creator's role holds (at most ${ALL_SCOPES.join(', ')})`),
  expiresAt: timestamp.nullish().describe('In the future; absent → the key does not expire'),
})
const CreateApiKeyInput = inputType('CreateApiKeyInput', apiKeyRules, { description: 'A new API key' })

const CreateApiKeyResult = builder.objectRef<{ secret: string; keyId: string }>('CreateApiKeyResult').implement({
  description: 'A new API key and its secret',
  fields: (t) => ({
    secret: t.exposeString('secret', { description: 'The full key: returned only here, never retrievable again' }),
    apiKey: t.prismaField({
      type: 'ApiKey',
      description: 'The key created',
      resolve: (query, result) => db.apiKey.findUniqueOrThrow({ ...query, where: { id: result.keyId } }),
    }),
  }),
})

/** Creates a key; `createdById` is the user who made it (null: the operator). */
async function createKey(accountId: string, input: z.infer<typeof apiKeyRules>, createdById: string | null) {
  const scopes = input.scopes ?? [...ALL_SCOPES]
  if (input.expiresAt && input.expiresAt.getTime() <= Date.now()) throw badRequest('expiresAt must be in the future')
  const key = generateApiKey(input.mode)
  const created = await db.apiKey.create({
    data: {
      accountId,
      name: input.name,
      mode: input.mode,
      scopes,
      expiresAt: input.expiresAt ?? null,
      keyHash: key.hash,
      prefix: key.prefix,
      createdById,
    },
  })
  return { secret: key.secret, keyId: created.id }
}

/**
 * Revokes the account's unrevoked keys among `ids`, in one transaction with `alongside` (a removed
 * user's delete); revoking twice keeps the first time. The notices, one per key in one statement,
 * go out when the transaction commits and make every other server process forget the keys
 * (context/key-cache.ts); this one forgets them at once. Answers how many were revoked.
 */
export async function revokeKeys(
  accountId: string,
  ids: string[],
  alongside?: (tx: Prisma.TransactionClient) => Promise<unknown>,
): Promise<number> {
  const revoked = await db.$transaction(async (tx) => {
    const keys = ids.length
      ? await tx.apiKey.updateManyAndReturn({
          where: { accountId, id: { in: ids }, revokedAt: null },
          data: { revokedAt: new Date() },
          select: { id: true },
        })
      : []
    if (keys.length) await tx.$executeRaw`SELECT pg_notify(${KEY_REVOKED_CHANNEL}, id) FROM unnest(${keys.map((k) => k.id)}::text[]) AS id`
    await alongside?.(tx)
    return keys.length
  })
  for (const id of ids) evictKey(id)
  return revoked
}

builder.queryFields((t) => ({
  apiKeys: t.prismaField({
    type: ['ApiKey'],
    description: "The account's keys, newest first (revoked ones included)",
    authScopes: { power: 'manage:keys' },
    resolve: (query, _root, _args, ctx) =>
      db.apiKey.findMany({ ...query, where: { accountId: accountOf(ctx) }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] }),
  }),
}))

builder.mutationFields((t) => ({
  createApiKey: t.field({
    type: CreateApiKeyResult,
    description: "Creates an API key for the caller's account, with at most the creator's scopes (needs manage:keys)",
    authScopes: { power: 'manage:keys' },
    args: {
      input: t.arg({
        type: CreateApiKeyInput,
        required: true,
        description: "The key's name, mode, scopes (the creator's by default) and expiry",
      }),
    },
    resolve: (_root, { input }, ctx) => {
      // A key carries at most its creator's scopes: by default all of them.
      const held = ALL_SCOPES.filter((scope) => hasScope(ctx.principal, scope))
      const scopes = (input.scopes as Scope[] | null | undefined) ?? held
      const beyond = scopes.filter((scope) => !held.includes(scope))
      if (beyond.length > 0)
        throw new AppError('FORBIDDEN', `Insufficient scope: a key cannot carry ${beyond.join(', ')}, which your role does not hold`)
      return createKey(accountOf(ctx), { ...input, scopes }, sessionOf(ctx).userId)
    },
  }),
  createAccountApiKey: t.field({
    type: CreateApiKeyResult,
    description: "The operator creates a key for an account (the admin CLI's create-key)",
    authScopes: { admin: true },
    args: {
      accountId: t.arg.id({ required: true, description: 'The account the key belongs to' }),
      input: t.arg({
        type: CreateApiKeyInput,
        required: true,
        description: "The key's name, mode, scopes (every scope by default) and expiry",
      }),
    },
    resolve: async (_root, { accountId, input }) => {
      const account = await db.account.findUnique({ where: { id: String(accountId) }, select: { id: true } })
      if (!account) throw notFound('Account not found')
      return createKey(account.id, input, null)
    },
  }),
  revokeApiKey: t.prismaField({
    type: 'ApiKey',
    description: 'Revokes a key; it is refused from its very next request',
    authScopes: { power: 'manage:keys' },
    args: { id: t.arg.id({ required: true, description: 'The id of the key to revoke' }) },
    resolve: async (query, _root, args, ctx) => {
      const where = { id: String(args.id), accountId: accountOf(ctx) }
      await revokeKeys(where.accountId, [where.id])
      const key = await db.apiKey.findFirst({ ...query, where })
      if (!key) throw notFound('API key not found')
      return key
    },
  }),
}))
