/**
 * Deliveries of outgoing webhooks, as an endpoint's owner sees them: every attempt's outcome, a
 * page of an endpoint's deliveries (the REST layer's list), one delivery, and a replay. Read with
 * `webhooks:read`, replayed with `webhooks:write` (portal sessions hold both).
 */
import { db } from '../db/client.js'
import { notFound } from '../errors.js'
import { Prisma } from '../generated/prisma/client.js'
import { DeliveryStatus } from '../generated/prisma/enums.js'
import { RETRY_DELAYS_MS } from '../services/webhooks/delivery.js'
import { builder } from './builder.js'
import { type ChildRelation, type ConnectionArgs, childConnection, connectionType } from './lists.js'
import { Node, nodeType } from './nodes.js'
import { CRM_WINDOW, pageType, pageWindow } from './paging.js'
import { type ListArgs, listSort, orderingOf, orderOf, sinceFilter, sortArgs } from './sorting.js'
import { accountOf } from './tenancy.js'

const DeliveryStatusType = builder.enumType(DeliveryStatus, {
  name: 'WebhookDeliveryStatus',
  description: 'Where a webhook delivery stands',
  values: {
    pending: { description: 'Not delivered yet: waiting for its first attempt or a retry' },
    succeeded: { description: 'Your endpoint answered 2xx' },
    failed: { description: 'Every attempt failed; no more retries' },
  },
})

export const WebhookAttempt = builder.prismaObject('WebhookAttempt', {
  description: 'One try at POSTing a delivery to its endpoint',
  fields: (t) => ({
    id: t.exposeID('id', { description: "The attempt's id" }),
    attemptNumber: t.exposeInt('attemptNumber', { description: '1 for the first attempt, then 2, 3, … for the retries' }),
    statusCode: t.exposeInt('statusCode', {
      nullable: true,
      description: 'The HTTP status your endpoint answered; null when it gave none',
    }),
    durationMs: t.exposeInt('durationMs', { description: 'How long the attempt took, in milliseconds' }),
    responseExcerpt: t.exposeString('responseExcerpt', { nullable: true, description: "First 1000 characters of the receiver's answer" }),
    error: t.exposeString('error', { nullable: true, description: 'Why the attempt failed (e.g. a timeout); null when it succeeded' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the attempt was made' }),
  }),
})

nodeType('WebhookDelivery', 'webhook_deliveries', 'webhooks:read')

export const WebhookDelivery = builder.prismaObject('WebhookDelivery', {
  description: 'One event sent to one endpoint, retried until it succeeds or the retries run out',
  interfaces: [Node],
  fields: (t) => ({
    id: t.exposeID('id', { description: 'Also the webhook-id header: stable across retries' }),
    endpointId: t.exposeID('endpointId', { description: 'The endpoint it goes to' }),
    event: t.exposeString('event', { description: 'The event it carries, e.g. lead.created' }),
    status: t.expose('status', { type: DeliveryStatus, description: 'Where the delivery stands' }),
    attempts: t.exposeInt('attempts', { description: 'How many attempts were made so far' }),
    lastStatusCode: t.exposeInt('lastStatusCode', {
      nullable: true,
      description: "The last attempt's HTTP status; null before any answer",
    }),
    lastError: t.exposeString('lastError', { nullable: true, description: 'Why the last attempt failed; null when none failed' }),
    nextAttemptAt: t.expose('nextAttemptAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When the next attempt is due; null once delivered or given up on',
    }),
    body: t.exposeString('body', { description: 'The exact JSON sent and signed' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the event was queued for this endpoint' }),
    deliveredAt: t.expose('deliveredAt', { type: 'DateTime', nullable: true, description: 'When an attempt succeeded; null until then' }),
    updatedAt: t.expose('updatedAt', {
      type: 'DateTime',
      description: 'When the delivery last changed: queued, claimed for an attempt, retried, delivered or given up on',
    }),
    attemptLog: t.relation('attemptLog', {
      description: 'Every attempt, first to last',
      query: { orderBy: { attemptNumber: 'asc' } },
      // The first attempt and its retries: what the cost limit prices this list at.
      extensions: { listRows: RETRY_DELAYS_MS.length + 1 },
    }),
  }),
})

export const deliverySort = listSort('WebhookDelivery', ['createdAt', 'updatedAt'])

const WebhookDeliveryPage = pageType('WebhookDelivery', () => db.webhookDelivery)

type DeliveryArgs = ListArgs & { status?: DeliveryStatus | null }

/** The rows a delivery list's filters keep, as Prisma's filter (the page and both counts). */
const deliveryFilter = (args: DeliveryArgs) => ({ ...(args.status ? { status: args.status } : {}), ...sinceFilter(args) })

const deliveriesOfEndpoint: ChildRelation = {
  table: 'webhook_deliveries',
  parentColumn: 'endpoint_id',
  sort: deliverySort,
  filter: (args: ConnectionArgs & { status?: DeliveryStatus | null }) => ({
    sql: args.status ? Prisma.sql`status = ${args.status}::delivery_status` : Prisma.sql`TRUE`,
    where: args.status ? { status: args.status } : {},
  }),
}

builder.prismaObjectFields('WebhookEndpoint', (t) => ({
  deliveries: t.connection(
    {
      type: WebhookDelivery,
      description: "The endpoint's deliveries, newest first",
      args: { status: t.arg({ type: DeliveryStatusType, description: 'Only deliveries in this state' }), ...sortArgs(t, deliverySort) },
      resolve: (endpoint, args, ctx, info) =>
        childConnection(deliveriesOfEndpoint, db.webhookDelivery, endpoint.id, args, ctx, info) as never,
    },
    connectionType('WebhookDelivery', WebhookDelivery),
  ),
  deliveryPage: t.field({
    type: WebhookDeliveryPage,
    description: "The endpoint's deliveries newest first, by offset (the REST layer pages this way)",
    args: {
      status: t.arg({ type: DeliveryStatusType, description: 'Only deliveries in this state' }),
      ...sortArgs(t, deliverySort),
      limit: t.arg.int({
        description: `How many deliveries to return; ${CRM_WINDOW.defaultLimit} by default, at most ${CRM_WINDOW.maxLimit}`,
      }),
      offset: t.arg.int({ description: 'How many deliveries to skip; 0 by default' }),
    },
    // Counted in the statement that reads the endpoint, as a project's events are.
    select: (args) => ({ _count: { select: { deliveries: { where: deliveryFilter(args) } } } }),
    extensions: { ownReads: true },
    resolve: (endpoint, args) => ({
      where: { endpointId: endpoint.id, ...deliveryFilter(args) },
      orderBy: orderOf(orderingOf(deliverySort, args)) as never,
      ...pageWindow(args),
      count: endpoint._count.deliveries,
    }),
  }),
  delivery: t.prismaField({
    type: 'WebhookDelivery',
    nullable: true,
    description: 'One of its deliveries, with every attempt',
    args: { id: t.arg.id({ required: true, description: "The delivery's id" }) },
    resolve: (query, endpoint, args) => db.webhookDelivery.findFirst({ ...query, where: { id: String(args.id), endpointId: endpoint.id } }),
  }),
}))

builder.mutationFields((t) => ({
  replayWebhookDelivery: t.prismaField({
    type: 'WebhookDelivery',
    description: 'Queues a new delivery with the same event and body (a new webhook-id, so receivers do not drop it as a duplicate)',
    authScopes: { scope: 'webhooks:write' },
    args: {
      id: t.arg.id({ required: true, description: 'The delivery to send again' }),
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
