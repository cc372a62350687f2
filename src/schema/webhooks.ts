/**
 * Outgoing webhook endpoints: create (the signing secret is returned only then), read, update,
 * rotate the secret, delete and send a test event. Reads need `webhooks:read`, changes
 * `webhooks:write`; a portal session holds both, so the portal manages them as an API key does
 * through /hub/v1/webhooks. Deliveries and replays: ./webhook-deliveries.ts.
 */

import { z } from 'zod'
import type { Context } from '../context/context.js'
import { encryptSecret } from '../crypto.js'
import { db } from '../db/client.js'
import { badRequest, notFound } from '../errors.js'
import { WEBHOOK_EVENTS, webhookBody } from '../services/webhooks/outbox.js'
import { generateWebhookSecret } from '../services/webhooks/signing.js'
import { assertSafeWebhookUrl } from '../services/webhooks/url-safety.js'
import { builder } from './builder.js'
import { inputType } from './inputs.js'
import { Node, nodeType } from './nodes.js'
import { sentence } from './rules.js'
import { accountOf } from './tenancy.js'

nodeType('WebhookEndpoint', 'webhook_endpoints', 'webhooks:read')

export const WebhookEndpoint = builder.prismaObject('WebhookEndpoint', {
  description: 'A URL of yours that receives signed POSTs when the chosen events happen',
  interfaces: [Node],
  fields: (t) => ({
    id: t.exposeID('id', { description: "The endpoint's id" }),
    url: t.exposeString('url', { description: 'The URL deliveries are POSTed to' }),
    events: t.exposeStringList('events', { description: 'The events it receives, e.g. lead.created' }),
    active: t.exposeBoolean('active', { description: 'Whether it receives new deliveries' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the endpoint was created' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'When the endpoint last changed' }),
  }),
})

/** The events an endpoint subscribes to: the one check, against the one list (WEBHOOK_EVENTS). */
const events = z
  .array(z.string())
  .transform((names) => [...new Set(names)])
  .superRefine((names, ctx) => {
    const unknown = names.filter((e) => !(WEBHOOK_EVENTS as readonly string[]).includes(e))
    if (unknown.length)
      ctx.addIssue({ code: 'custom', ...sentence(`Unknown event: ${unknown.join(', ')}. Known events: ${WEBHOOK_EVENTS.join(', ')}`) })
    else if (names.length === 0) ctx.addIssue({ code: 'custom', ...sentence('Subscribe to at least one event') })
  })
  .meta({ graphql: ['String'] as never })

const url = z
  .string()
  .max(2000, 'must be at most 2000 characters')
  .describe('https:// and not a private address (unless ALLOW_PRIVATE_WEBHOOK_URLS=1)')

export const endpointRules = z.object({
  url: url.describe('Where deliveries are POSTed: https:// and not a private address (unless ALLOW_PRIVATE_WEBHOOK_URLS=1)'),
  events: events.describe(`The events to receive: ${WEBHOOK_EVENTS.join(', ')}`),
  active: z.boolean().nullish().describe('Inactive endpoints receive no new deliveries; default true'),
})
/** A partial update: only the fields given change. */
export const endpointPatchRules = z.object({
  url: url.nullish().describe('Where deliveries are POSTed: https:// and not a private address (unless ALLOW_PRIVATE_WEBHOOK_URLS=1)'),
  events: events.nullish().describe(`The events to receive: ${WEBHOOK_EVENTS.join(', ')}`),
  active: z.boolean().nullish().describe('Inactive endpoints receive no new deliveries'),
})
const EndpointInput = inputType('WebhookEndpointInput', endpointRules, { description: 'A new webhook endpoint' })
const EndpointPatch = inputType('WebhookEndpointPatch', endpointPatchRules, {
  description: 'A partial update of a webhook endpoint: only the fields given change',
})

const SecretResult = builder.objectRef<{ secret: string; endpointId: string }>('WebhookSecretResult').implement({
  description: 'A webhook endpoint and its new signing secret',
  fields: (t) => ({
    secret: t.exposeString('secret', { description: 'whsec_…: shown only here; docs/webhooks.md shows how to verify signatures' }),
    endpoint: t.prismaField({
      type: 'WebhookEndpoint',
      description: 'The endpoint the secret signs for',
      resolve: (query, result) => db.webhookEndpoint.findUniqueOrThrow({ ...query, where: { id: result.endpointId } }),
    }),
  }),
})

const MAX_ENDPOINTS = 20

async function ownEndpoint(ctx: Context, id: string | number) {
  const endpoint = await db.webhookEndpoint.findFirst({ where: { id: String(id), accountId: accountOf(ctx) }, select: { id: true } })
  if (!endpoint) throw notFound('Webhook endpoint not found')
  return endpoint
}

const sealed = (ctx: Context, secret: string) => encryptSecret(secret, ctx.config.SECRET_KEY!)
const read = { scope: 'webhooks:read' } as const
const write = { scope: 'webhooks:write' } as const

builder.queryFields((t) => ({
  webhookEndpoints: t.prismaField({
    type: ['WebhookEndpoint'],
    description: "The account's webhook endpoints, newest first",
    authScopes: read,
    extensions: { listRows: MAX_ENDPOINTS },
    resolve: (query, _root, _args, ctx) =>
      db.webhookEndpoint.findMany({ ...query, where: { accountId: accountOf(ctx) }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] }),
  }),
  webhookEndpoint: t.prismaField({
    type: 'WebhookEndpoint',
    nullable: true,
    description: 'One webhook endpoint of the account',
    authScopes: read,
    args: { id: t.arg.id({ required: true, description: "The endpoint's id" }) },
    resolve: (query, _root, { id }, ctx) =>
      db.webhookEndpoint.findFirst({ ...query, where: { id: String(id), accountId: accountOf(ctx) } }),
  }),
}))

builder.mutationFields((t) => ({
  createWebhookEndpoint: t.field({
    type: SecretResult,
    description: 'Creates a webhook endpoint and its signing secret (needs webhooks:write)',
    authScopes: write,
    args: { input: t.arg({ type: EndpointInput, required: true, description: 'The endpoint to create' }) },
    resolve: async (_root, { input }, ctx) => {
      const accountId = accountOf(ctx)
      const safeUrl = await assertSafeWebhookUrl(input.url, ctx.config.ALLOW_PRIVATE_WEBHOOK_URLS)
      if ((await db.webhookEndpoint.count({ where: { accountId } })) >= MAX_ENDPOINTS)
        throw badRequest(`An account can have at most ${MAX_ENDPOINTS} webhook endpoints`)
      const secret = generateWebhookSecret()
      const endpoint = await db.webhookEndpoint.create({
        data: { accountId, url: safeUrl, events: input.events, active: input.active ?? true, secretEncrypted: sealed(ctx, secret) },
      })
      return { secret, endpointId: endpoint.id }
    },
  }),
  updateWebhookEndpoint: t.prismaField({
    type: 'WebhookEndpoint',
    description: 'Changes the URL, the events or the active flag (inactive endpoints receive no new deliveries)',
    authScopes: write,
    args: {
      id: t.arg.id({ required: true, description: 'The endpoint to change' }),
      input: t.arg({ type: EndpointPatch, required: true, description: 'The fields to change' }),
    },
    resolve: async (query, _root, { id, input }, ctx) => {
      const { id: endpointId } = await ownEndpoint(ctx, id)
      const data = {
        ...(input.url != null ? { url: await assertSafeWebhookUrl(input.url, ctx.config.ALLOW_PRIVATE_WEBHOOK_URLS) } : {}),
        ...(input.events != null ? { events: input.events } : {}),
        ...(input.active != null ? { active: input.active } : {}),
      }
      if (Object.keys(data).length === 0) throw badRequest('No valid fields to update')
      return db.webhookEndpoint.update({ ...query, where: { id: endpointId }, data })
    },
  }),
  rotateWebhookSecret: t.field({
    type: SecretResult,
    description: 'Replaces the signing secret at once; the old one stops signing from the next attempt',
    authScopes: write,
    args: { id: t.arg.id({ required: true, description: 'The endpoint whose secret to replace' }) },
    resolve: async (_root, { id }, ctx) => {
      const { id: endpointId } = await ownEndpoint(ctx, id)
      const secret = generateWebhookSecret()
      await db.webhookEndpoint.update({ where: { id: endpointId }, data: { secretEncrypted: sealed(ctx, secret) } })
      return { secret, endpointId }
    },
  }),
  deleteWebhookEndpoint: t.boolean({
    description: 'Deletes the endpoint with its deliveries and their log',
    authScopes: write,
    args: { id: t.arg.id({ required: true, description: 'The endpoint to delete' }) },
    resolve: async (_root, { id }, ctx) => {
      const { count } = await db.webhookEndpoint.deleteMany({ where: { id: String(id), accountId: accountOf(ctx) } })
      if (count === 0) throw notFound('Webhook endpoint not found')
      return true
    },
  }),
  sendTestWebhook: t.prismaField({
    type: 'WebhookDelivery',
    description: 'Queues a delivery of event "test" to this endpoint (sent within about a second)',
    authScopes: write,
    args: { endpointId: t.arg.id({ required: true, description: 'The endpoint to send the test delivery to' }) },
    resolve: async (query, _root, { endpointId }, ctx) => {
      const endpoint = await ownEndpoint(ctx, endpointId)
      const body = webhookBody('test', { endpoint_id: endpoint.id, message: 'This is a test event from your CRM.' })
      return db.webhookDelivery.create({ ...query, data: { accountId: accountOf(ctx), endpointId: endpoint.id, event: 'test', body } })
    },
  }),
}))
