/**
 * Outgoing webhook endpoints, managed from a portal session: create (the signing secret is
 * returned only then), update, rotate the secret, delete, send a test event, replay a delivery,
 * and list endpoints with their recent deliveries and every attempt's outcome.
 */

import { z } from 'zod'
import type { Context } from '../context/context.js'
import { encryptSecret } from '../crypto.js'
import { db } from '../db/client.js'
import { badRequest, notFound } from '../errors.js'
import { DeliveryStatus } from '../generated/prisma/enums.js'
import { RETRY_DELAYS_MS } from '../services/webhooks/delivery.js'
import { WEBHOOK_EVENTS, webhookBody } from '../services/webhooks/outbox.js'
import { generateWebhookSecret } from '../services/webhooks/signing.js'
import { assertSafeWebhookUrl } from '../services/webhooks/url-safety.js'
import { builder } from './builder.js'
import { inputType } from './inputs.js'
import { childConnection, connectionType } from './lists.js'
import { sentence } from './rules.js'
import { listSort, sortArgs } from './sorting.js'
import { accountOf } from './tenancy.js'

builder.enumType(DeliveryStatus, { name: 'WebhookDeliveryStatus' })

export const WebhookAttempt = builder.prismaObject('WebhookAttempt', {
  fields: (t) => ({
    id: t.exposeID('id'),
    attemptNumber: t.exposeInt('attemptNumber'),
    statusCode: t.exposeInt('statusCode', { nullable: true }),
    durationMs: t.exposeInt('durationMs'),
    responseExcerpt: t.exposeString('responseExcerpt', { nullable: true, description: "First 1000 characters of the receiver's answer" }),
    error: t.exposeString('error', { nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
})

export const WebhookDelivery = builder.prismaObject('WebhookDelivery', {
  fields: (t) => ({
    id: t.exposeID('id', { description: 'Also the webhook-id header: stable across retries' }),
    event: t.exposeString('event'),
    status: t.expose('status', { type: DeliveryStatus }),
    attempts: t.exposeInt('attempts'),
    lastStatusCode: t.exposeInt('lastStatusCode', { nullable: true }),
    lastError: t.exposeString('lastError', { nullable: true }),
    nextAttemptAt: t.expose('nextAttemptAt', { type: 'DateTime', nullable: true }),
    body: t.exposeString('body', { description: 'The exact JSON sent and signed' }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    deliveredAt: t.expose('deliveredAt', { type: 'DateTime', nullable: true }),
    attemptLog: t.relation('attemptLog', {
      query: { orderBy: { attemptNumber: 'asc' } },
      // The first attempt and its retries: what the cost limit prices this list at.
      extensions: { listRows: RETRY_DELAYS_MS.length + 1 },
    }),
  }),
})

/** Deliveries never change once written, so they have no updatedAt to filter on. */
const deliverySort = listSort('WebhookDelivery', ['createdAt'], 'desc', false)

export const WebhookEndpoint = builder.prismaObject('WebhookEndpoint', {
  fields: (t) => ({
    id: t.exposeID('id'),
    url: t.exposeString('url'),
    events: t.exposeStringList('events'),
    active: t.exposeBoolean('active'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    deliveries: t.connection(
      {
        type: WebhookDelivery,
        description: "The endpoint's deliveries, newest first",
        args: sortArgs(t, deliverySort),
        resolve: (endpoint, args, ctx, info) =>
          childConnection(
            { table: 'webhook_deliveries', parentColumn: 'endpoint_id', sort: deliverySort },
            db.webhookDelivery,
            endpoint.id,
            args,
            ctx,
            info,
          ) as never,
      },
      connectionType('WebhookDelivery', WebhookDelivery),
    ),
  }),
})

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

export const endpointRules = z.object({
  url: z
    .string()
    .max(2000, 'must be at most 2000 characters')
    .describe('https:// and not a private address (unless ALLOW_PRIVATE_WEBHOOK_URLS=1)'),
  events: events.describe(WEBHOOK_EVENTS.join(', ')),
  active: z.boolean().nullish().describe('Inactive endpoints receive no new deliveries; default true'),
})
const EndpointInput = inputType('WebhookEndpointInput', endpointRules)
const EndpointPatch = inputType(
  'WebhookEndpointPatch',
  endpointRules.partial().extend({ url: endpointRules.shape.url.nullish(), events: events.nullish() }),
)

const SecretResult = builder.objectRef<{ secret: string; endpointId: string }>('WebhookSecretResult').implement({
  fields: (t) => ({
    secret: t.exposeString('secret', { description: 'whsec_…: shown only here; docs/webhooks.md shows how to verify signatures' }),
    endpoint: t.prismaField({
      type: 'WebhookEndpoint',
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

builder.queryFields((t) => ({
  webhookEndpoints: t.prismaField({
    type: ['WebhookEndpoint'],
    description: "The account's webhook endpoints, newest first",
    authScopes: { session: true },
    extensions: { listRows: MAX_ENDPOINTS },
    resolve: (query, _root, _args, ctx) =>
      db.webhookEndpoint.findMany({ ...query, where: { accountId: accountOf(ctx) }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] }),
  }),
}))

builder.mutationFields((t) => ({
  createWebhookEndpoint: t.field({
    type: SecretResult,
    authScopes: { session: true },
    args: { input: t.arg({ type: EndpointInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const accountId = accountOf(ctx)
      const url = await assertSafeWebhookUrl(input.url, ctx.config.ALLOW_PRIVATE_WEBHOOK_URLS)
      if ((await db.webhookEndpoint.count({ where: { accountId } })) >= MAX_ENDPOINTS)
        throw badRequest(`An account can have at most ${MAX_ENDPOINTS} webhook endpoints`)
      const secret = generateWebhookSecret()
      const endpoint = await db.webhookEndpoint.create({
        data: { accountId, url, events: input.events, active: input.active ?? true, secretEncrypted: sealed(ctx, secret) },
      })
      return { secret, endpointId: endpoint.id }
    },
  }),
  updateWebhookEndpoint: t.prismaField({
    type: 'WebhookEndpoint',
    description: 'Changes the URL, the events or the active flag (inactive endpoints receive no new deliveries)',
    authScopes: { session: true },
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: EndpointPatch, required: true }) },
    resolve: async (query, _root, { id, input }, ctx) => {
      const { id: endpointId } = await ownEndpoint(ctx, id)
      const data = {
        ...(input.url != null ? { url: await assertSafeWebhookUrl(input.url, ctx.config.ALLOW_PRIVATE_WEBHOOK_URLS) } : {}),
        ...(input.events != null ? { events: input.events } : {}),
        ...(input.active != null ? { active: input.active } : {}),
      }
      return db.webhookEndpoint.update({ ...query, where: { id: endpointId }, data })
    },
  }),
  rotateWebhookSecret: t.field({
    type: SecretResult,
    description: 'Replaces the signing secret at once; the old one stops signing from the next attempt',
    authScopes: { session: true },
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, { id }, ctx) => {
      const { id: endpointId } = await ownEndpoint(ctx, id)
      const secret = generateWebhookSecret()
      await db.webhookEndpoint.update({ where: { id: endpointId }, data: { secretEncrypted: sealed(ctx, secret) } })
      return { secret, endpointId }
    },
  }),
  deleteWebhookEndpoint: t.boolean({
    description: 'Deletes the endpoint with its deliveries and their log',
    authScopes: { session: true },
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, { id }, ctx) => {
      const { count } = await db.webhookEndpoint.deleteMany({ where: { id: String(id), accountId: accountOf(ctx) } })
      if (count === 0) throw notFound('Webhook endpoint not found')
      return true
    },
  }),
  sendTestWebhook: t.prismaField({
    type: 'WebhookDelivery',
    description: 'Queues a delivery of event "test" to this endpoint (sent within about a second)',
    authScopes: { session: true },
    args: { endpointId: t.arg.id({ required: true }) },
    resolve: async (query, _root, { endpointId }, ctx) => {
      const endpoint = await ownEndpoint(ctx, endpointId)
      const body = webhookBody('test', { endpoint_id: endpoint.id, message: 'This is a test event from your CRM.' })
      return db.webhookDelivery.create({ ...query, data: { accountId: accountOf(ctx), endpointId: endpoint.id, event: 'test', body } })
    },
  }),
  replayWebhookDelivery: t.prismaField({
    type: 'WebhookDelivery',
    description: 'Queues a new delivery with the same event and body (a new webhook-id, so receivers do not drop it as a duplicate)',
    authScopes: { session: true },
    args: { id: t.arg.id({ required: true }) },
    resolve: async (query, _root, { id }, ctx) => {
      const accountId = accountOf(ctx)
      const original = await db.webhookDelivery.findFirst({
        where: { id: String(id), accountId },
        select: { endpointId: true, event: true, body: true },
      })
      if (!original) throw notFound('Webhook delivery not found')
      return db.webhookDelivery.create({ ...query, data: { accountId, ...original } })
    },
  }),
}))
