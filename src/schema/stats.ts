/**
 * Grouped counts for the portal's overview: messages by channel and status, webhook deliveries
 * by day (in the account's time zone) and outcome, and the scheduled messages still to go out.
 * Every query is confined to the caller's account; each answers with one SQL statement.
 */
import { db } from '../db/client.js'
import { badRequest } from '../errors.js'
import { builder } from './builder.js'
import { accountOf } from './tenancy.js'

export const MAX_DAYS = 90
const DEFAULT_UPCOMING = 10
const MAX_UPCOMING = 50

/** The `days` argument of the overview's counts: 30 when absent, refused (400) outside 1 to MAX_DAYS. */
export function checkedDays(days: number | null | undefined): number {
  const n = days ?? 30
  if (!Number.isInteger(n) || n < 1 || n > MAX_DAYS) throw badRequest(`days must be between 1 and ${MAX_DAYS}`)
  return n
}

const sinceDaysAgo = (days: number | null | undefined): Date => new Date(Date.now() - checkedDays(days) * 86_400_000)

interface MessageCountRow {
  channel: string
  status: string
  count: number
}
interface DeliveryDayRow {
  day: string
  status: string
  count: number
}
interface ScheduledRow {
  id: string
  channel: string
  to: string
  subject: string | null
  content: string
  scheduledFor: Date | null
}

const MessageCount = builder.objectRef<MessageCountRow>('MessageCount').implement({
  description: 'How many messages had this channel and status',
  fields: (t) => ({
    channel: t.exposeString('channel', { description: 'The conversation channel: sms, imessage, email or voice' }),
    status: t.exposeString('status', { description: 'queued, sent, delivered, failed or received (inbound)' }),
    count: t.exposeInt('count', { description: 'How many messages' }),
  }),
})

const DeliveryDayCount = builder.objectRef<DeliveryDayRow>('WebhookDeliveryDayCount').implement({
  description: "Webhook deliveries created on one day (YYYY-MM-DD in the account's time zone) with this outcome",
  fields: (t) => ({
    day: t.exposeString('day', { description: "YYYY-MM-DD in the account's time zone" }),
    status: t.exposeString('status', { description: 'The outcome: pending, succeeded or failed' }),
    count: t.exposeInt('count', { description: 'How many deliveries' }),
  }),
})

const ScheduledMessage = builder.objectRef<ScheduledRow>('ScheduledMessage').implement({
  description: 'An outgoing message waiting for its time',
  fields: (t) => ({
    id: t.exposeID('id', { description: "The message's id (a Communication)" }),
    channel: t.exposeString('channel', { description: 'How it will be sent: sms, imessage, email or call' }),
    to: t.exposeString('to', { description: 'E.164 phone for sms, imessage and call; an address for email' }),
    subject: t.exposeString('subject', { nullable: true, description: 'The email subject; null for other channels' }),
    content: t.exposeString('content', { description: 'The message text' }),
    scheduledFor: t.expose('scheduledFor', { type: 'DateTime', nullable: true, description: 'When it falls due' }),
  }),
})

const ScheduledMessages = builder.objectRef<{ total: number; upcoming: ScheduledRow[] }>('ScheduledMessages').implement({
  description: 'The messages scheduled for later: how many, and the soonest',
  fields: (t) => ({
    total: t.exposeInt('total', { description: 'Scheduled messages not yet sent' }),
    upcoming: t.field({ type: [ScheduledMessage], description: 'The soonest ones first', resolve: (s) => s.upcoming }),
  }),
})

async function deliveriesByDay(accountId: string, since: Date): Promise<DeliveryDayRow[]> {
  const account = await db.account.findUniqueOrThrow({ where: { id: accountId }, select: { timeZone: true } })
  const rows = await db.$queryRaw<{ day: string; status: string; count: bigint | number }[]>`
    SELECT to_char(created_at AT TIME ZONE ${account.timeZone}, 'YYYY-MM-DD') AS day, status::text AS status, count(*) AS count
    FROM webhook_deliveries
    WHERE account_id = ${accountId} AND created_at >= ${since}
    GROUP BY 1, 2 ORDER BY 1, 2`
  return rows.map((r) => ({ day: r.day, status: r.status, count: Number(r.count) }))
}

builder.queryFields((t) => ({
  messageCounts: t.field({
    type: [MessageCount],
    description: 'Messages of the last `days` days (default 30), counted by channel and status',
    authScopes: { session: true },
    args: { days: t.arg.int({ description: `How many days back to count, 1 to ${MAX_DAYS}; 30 by default` }) },
    resolve: async (_root, args, ctx) => {
      const groups = await db.message.groupBy({
        by: ['channel', 'status'],
        where: { accountId: accountOf(ctx), createdAt: { gte: sinceDaysAgo(args.days) } },
        _count: { _all: true },
        orderBy: [{ channel: 'asc' }, { status: 'asc' }],
      })
      return groups.map((g) => ({ channel: g.channel, status: g.status, count: g._count._all }))
    },
  }),
  webhookDeliveryCounts: t.field({
    type: [DeliveryDayCount],
    description: "Webhook deliveries of the last `days` days (default 30), counted by day in the account's time zone and outcome",
    authScopes: { session: true },
    args: { days: t.arg.int({ description: `How many days back to count, 1 to ${MAX_DAYS}; 30 by default` }) },
    resolve: (_root, args, ctx) => deliveriesByDay(accountOf(ctx), sinceDaysAgo(args.days)),
  }),
  scheduledMessages: t.field({
    type: ScheduledMessages,
    description: 'Messages scheduled for later and not yet sent',
    authScopes: { session: true },
    args: {
      first: t.arg.int({ description: `How many of the soonest to return; ${DEFAULT_UPCOMING} by default, at most ${MAX_UPCOMING}` }),
    },
    extensions: { pageSize: { defaultLimit: DEFAULT_UPCOMING, maxLimit: MAX_UPCOMING } },
    resolve: async (_root, args, ctx) => {
      const first = Math.min(Math.max(args.first ?? DEFAULT_UPCOMING, 0), MAX_UPCOMING)
      const where = { accountId: accountOf(ctx), status: 'scheduled' as const }
      const [total, upcoming] = await Promise.all([
        db.communication.count({ where }),
        db.communication.findMany({
          where,
          orderBy: [{ scheduledFor: 'asc' }, { id: 'asc' }],
          take: first,
          select: { id: true, channel: true, to: true, subject: true, content: true, scheduledFor: true },
        }),
      ])
      return { total, upcoming }
    },
  }),
}))
