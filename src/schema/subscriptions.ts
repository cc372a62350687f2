/**
 * Live subscriptions, served over server-sent events (decision 0019; docs/graphql.md). Each is
 * tenant-confined (it follows only the caller's account) and scope-checked when it starts, like
 * the query that reads the same records. Change-based ones carry their feed position as the SSE
 * event id and in `extensions.cursor`, so a client that reconnects with `Last-Event-ID` (or
 * `after`) misses nothing.
 */
import type { Context } from '../context/context.js'
import { db } from '../db/client.js'
import { badRequest, notFound } from '../errors.js'
import { CURSOR_FORMAT, FEED_OBJECT_TYPES, type FeedChange } from '../services/changes/feed.js'
import { recordOf } from '../services/live/records.js'
import { subscribeToChanges, subscribeToDeliveries, unwrap } from '../services/live/subscriptions.js'
import { builder } from './builder.js'
import { Change } from './changes.js'
import { Communication } from './communications.js'
import { Message } from './conversations.js'
import { accountOf } from './tenancy.js'
import { WebhookDelivery } from './webhook-deliveries.js'

builder.subscriptionType({
  description:
    'Live events over server-sent events (send Accept: text/event-stream). Each subscription checks its scope when it starts and sees only its own account',
})

const afterDescription =
  'Start after this change-feed cursor (a `cursor` or `extensions.cursor` received earlier, or `now`, the default). A Last-Event-ID header, sent by EventSource clients on reconnect, takes precedence'

/** Where a change-based subscription starts: Last-Event-ID, else `after`, else now. */
function startOf(ctx: Context, after: string | null | undefined): bigint | 'now' {
  const resumed = ctx.request.headers.get('last-event-id')?.trim()
  const cursor = resumed || after || 'now'
  if (!CURSOR_FORMAT.test(cursor)) throw badRequest('after (or Last-Event-ID) must be a cursor of the change feed, or now')
  return cursor === 'now' ? 'now' : BigInt(cursor)
}

const createdOrChanged = (change: FeedChange) => change.action !== 'deleted'
const dataOf = (change: FeedChange, field: string) => change.data?.[field] ?? change.previous?.[field]

builder.subscriptionFields((t) => ({
  changes: t.field({
    type: Change,
    description: 'Every change of the account as it commits, oldest first: the live form of the `changes` query. Needs read:hub',
    authScopes: { scope: 'read:hub' },
    args: {
      types: t.arg.stringList({ required: false, description: `Only these object types: ${FEED_OBJECT_TYPES.join(', ')}` }),
      after: t.arg.string({ required: false, description: afterDescription }),
    },
    subscribe: (_root, args, ctx) => {
      const unknown = (args.types ?? []).filter((type) => !(FEED_OBJECT_TYPES as readonly string[]).includes(type))
      if (unknown.length) throw badRequest(`Unknown object type: ${unknown.join(', ')}. Known: ${FEED_OBJECT_TYPES.join(', ')}`)
      const types = args.types?.length ? new Set(args.types) : undefined
      return subscribeToChanges({
        principal: ctx.principal,
        accountId: accountOf(ctx),
        after: startOf(ctx, args.after),
        objectTypes: args.types ?? undefined,
        wants: (change) => !types || types.has(change.object_type),
        value: (live) => live.change,
      })
    },
    resolve: (item, _args, ctx) => unwrap(item, ctx),
  }),
  messageAdded: t.field({
    type: Message,
    description: 'Each message added to the conversation (sent, received or logged), as it commits. Needs read:conversations',
    authScopes: { scope: 'read:conversations' },
    args: {
      conversationId: t.arg.id({ required: true, description: 'The conversation to follow; another account’s is not found' }),
      after: t.arg.string({ required: false, description: afterDescription }),
    },
    subscribe: async (_root, args, ctx) => {
      const conversationId = String(args.conversationId)
      const found = await db.conversation.findUnique({ where: { id: conversationId }, select: { id: true } })
      if (!found) throw notFound('Conversation not found')
      return subscribeToChanges({
        principal: ctx.principal,
        accountId: accountOf(ctx),
        after: startOf(ctx, args.after),
        objectTypes: ['message'],
        wants: (change) => change.action === 'created' && dataOf(change, 'conversation_id') === conversationId,
        value: (live) => recordOf('Message', live.change),
      })
    },
    resolve: (item, _args, ctx) => unwrap(item, ctx),
  }),
  communicationUpdated: t.field({
    type: Communication,
    description: 'Each communication of the project as it is created or changes (status, delivery, replies), as it commits. Needs read:hub',
    authScopes: { scope: 'read:hub' },
    args: {
      projectId: t.arg.id({ required: true, description: 'The project to follow; another account’s is not found' }),
      after: t.arg.string({ required: false, description: afterDescription }),
    },
    subscribe: async (_root, args, ctx) => {
      const projectId = String(args.projectId)
      const found = await db.project.findUnique({ where: { id: projectId }, select: { id: true } })
      if (!found) throw notFound('Project not found')
      return subscribeToChanges({
        principal: ctx.principal,
        accountId: accountOf(ctx),
        after: startOf(ctx, args.after),
        objectTypes: ['communication'],
        wants: (change) => createdOrChanged(change) && dataOf(change, 'project_id') === projectId,
        value: (live) => recordOf('Communication', live.change),
      })
    },
    resolve: (item, _args, ctx) => unwrap(item, ctx),
  }),
  webhookDeliveryUpdated: t.field({
    type: WebhookDelivery,
    description:
      'Each delivery to the endpoint as it is queued, attempted and settled. Not resumable: after a reconnect, read the endpoint’s deliveries to catch up. Needs webhooks:read',
    authScopes: { scope: 'webhooks:read' },
    args: { endpointId: t.arg.id({ required: true, description: 'The webhook endpoint to follow; another account’s is not found' }) },
    subscribe: async (_root, args, ctx) => {
      const endpointId = String(args.endpointId)
      const found = await db.webhookEndpoint.findUnique({ where: { id: endpointId }, select: { id: true } })
      if (!found) throw notFound('Webhook endpoint not found')
      return subscribeToDeliveries(ctx.principal, accountOf(ctx), endpointId)
    },
    resolve: (item, _args, ctx) => unwrap(item, ctx),
  }),
}))
