/**
 * Deliveries of outgoing webhooks, as an endpoint's owner sees them: every attempt's outcome, a
 * page of an endpoint's deliveries (the REST layer's list), one delivery, and a replay. Read with
 * `webhooks:read`, replayed with `webhooks:write` (portal sessions hold both).
 */
import { db } from '../db/client.js'
import { notFound } from '../errors.js'
import { DeliveryStatus } from '../generated/prisma/enums.js'
import { RETRY_DELAYS_MS } from '../services/webhooks/delivery.js'
import { builder } from './builder.js'
import { childConnection, connectionType } from './lists.js'
import { pageType, pageWindow } from './paging.js'
import { listSort, sortArgs } from './sorting.js'
import { accountOf } from './tenancy.js'

const DeliveryStatusType = builder.enumType(DeliveryStatus, { name: 'WebhookDeliveryStatus' })

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
    endpointId: t.exposeString('endpointId'),
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

const WebhookDeliveryPage = pageType('WebhookDelivery', () => db.webhookDelivery)
const newestFirst = [{ createdAt: 'desc' as const }, { id: 'desc' as const }]

builder.prismaObjectFields('WebhookEndpoint', (t) => ({
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
  deliveryPage: t.field({
    type: WebhookDeliveryPage,
    description: "The endpoint's deliveries newest first, by offset (the REST layer pages this way)",
    args: {
      status: t.arg({ type: DeliveryStatusType, description: 'Only deliveries in this state' }),
      limit: t.arg.int(),
      offset: t.arg.int(),
    },
    // Counted in the statement that reads the endpoint, as a project's events are.
    select: (args) => ({ _count: { select: { deliveries: { where: args.status ? { status: args.status } : {} } } } }),
    resolve: (endpoint, args) => ({
      where: { endpointId: endpoint.id, ...(args.status ? { status: args.status } : {}) },
      orderBy: newestFirst,
      ...pageWindow(args),
      count: endpoint._count.deliveries,
    }),
  }),
  delivery: t.prismaField({
    type: 'WebhookDelivery',
    nullable: true,
    description: 'One of its deliveries, with every attempt',
    args: { id: t.arg.id({ required: true }) },
    resolve: (query, endpoint, args) => db.webhookDelivery.findFirst({ ...query, where: { id: String(args.id), endpointId: endpoint.id } }),
  }),
}))

builder.mutationFields((t) => ({
  replayWebhookDelivery: t.prismaField({
    type: 'WebhookDelivery',
    description: 'Queues a new delivery with the same event and body (a new webhook-id, so receivers do not drop it as a duplicate)',
    authScopes: { scope: 'webhooks:write' },
    args: {
      id: t.arg.id({ required: true }),
      endpointId: t.arg.id({ description: 'When given, the delivery must belong to this endpoint' }),
    },
    resolve: async (query, _root, { id, endpointId }, ctx) => {
      const accountId = accountOf(ctx)
      const original = await db.webhookDelivery.findFirst({
        where: { id: String(id), accountId, ...(endpointId ? { endpointId: String(endpointId) } : {}) },
        select: { endpointId: true, event: true, body: true },
      })
      if (!original) throw notFound('Webhook delivery not found')
      return db.webhookDelivery.create({ ...query, data: { accountId, ...original } })
    },
  }),
}))
