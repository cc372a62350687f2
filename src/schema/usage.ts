/**
 * The account's usage over its last days, for the portal's overview: requests and rate-limit
 * refusals per day by API key (counted by src/context/usage.ts), SMS credits spent per day, and
 * each webhook endpoint's success rate. Days are whole days of the account's time zone, today
 * included. Each part is one SQL statement, run only when selected, and confined to the caller's
 * account.
 */
import { db } from '../db/client.js'
import { Prisma } from '../generated/prisma/client.js'
import { builder } from './builder.js'
import { checkedDays, MAX_DAYS } from './stats.js'
import { accountOf } from './tenancy.js'

interface Window {
  accountId: string
  days: number
}
interface KeyDayRow {
  day: string
  apiKeyId: string
  name: string
  prefix: string
  requests: number
  refused: number
}
interface CreditDayRow {
  day: string
  credits: number
}
interface EndpointRow {
  endpointId: string
  url: string
  succeeded: number
  failed: number
  pending: number
}

/** The account's time zone and the start of the window's first day in it, for the statement that follows. */
const windowOf = (w: Window) => Prisma.sql`
  SELECT time_zone AS tz, (date_trunc('day', now() AT TIME ZONE time_zone) - make_interval(days => ${w.days - 1}::int)) AT TIME ZONE time_zone AS since
  FROM accounts WHERE id = ${w.accountId}`

async function keyDays(w: Window): Promise<KeyDayRow[]> {
  const rows = await db.$queryRaw<(Omit<KeyDayRow, 'requests' | 'refused'> & { requests: bigint; refused: bigint })[]>`
    WITH w AS (${windowOf(w)})
    SELECT to_char(u.hour AT TIME ZONE w.tz, 'YYYY-MM-DD') AS day, u.api_key_id AS "apiKeyId", k.name, k.prefix,
      sum(u.requests) AS requests, sum(u.refused) AS refused
    FROM w JOIN api_key_usage u ON u.account_id = ${w.accountId} AND u.hour >= w.since
    JOIN api_keys k ON k.id = u.api_key_id
    GROUP BY 1, 2, 3, 4 ORDER BY 1, 3, 2`
  return rows.map((r) => ({ ...r, requests: Number(r.requests), refused: Number(r.refused) }))
}

async function creditDays(w: Window): Promise<CreditDayRow[]> {
  // Each outbound Twilio SMS spent one credit; a failed send is deleted and its credit given back.
  const rows = await db.$queryRaw<{ day: string; credits: bigint }[]>`
    WITH w AS (${windowOf(w)})
    SELECT to_char(m.created_at AT TIME ZONE w.tz, 'YYYY-MM-DD') AS day, count(*) AS credits
    FROM w JOIN messages m ON m.account_id = ${w.accountId} AND m.provider = 'twilio' AND m.direction = 'outbound'
      AND m.created_at >= w.since
    GROUP BY 1 ORDER BY 1`
  return rows.map((r) => ({ day: r.day, credits: Number(r.credits) }))
}

async function endpoints(w: Window): Promise<EndpointRow[]> {
  const rows = await db.$queryRaw<{ endpointId: string; url: string; succeeded: bigint; failed: bigint; pending: bigint }[]>`
    WITH w AS (${windowOf(w)})
    SELECT e.id AS "endpointId", e.url,
      count(d.id) FILTER (WHERE d.status = 'succeeded') AS succeeded,
      count(d.id) FILTER (WHERE d.status = 'failed') AS failed,
      count(d.id) FILTER (WHERE d.status = 'pending') AS pending
    FROM w JOIN webhook_endpoints e ON e.account_id = ${w.accountId}
    LEFT JOIN webhook_deliveries d ON d.endpoint_id = e.id AND d.created_at >= w.since
    GROUP BY e.id, e.url ORDER BY e.url, e.id`
  return rows.map((r) => ({ ...r, succeeded: Number(r.succeeded), failed: Number(r.failed), pending: Number(r.pending) }))
}

const ApiKeyUsageDay = builder.objectRef<KeyDayRow>('ApiKeyUsageDay').implement({
  description: "One API key's requests on one day (YYYY-MM-DD in the account's time zone)",
  fields: (t) => ({
    day: t.exposeString('day', { description: "YYYY-MM-DD in the account's time zone" }),
    apiKeyId: t.exposeID('apiKeyId', { description: "The key's id" }),
    name: t.exposeString('name', { description: "The key's name" }),
    prefix: t.exposeString('prefix', { description: "The key's display prefix, e.g. obq_live_Ab3x" }),
    requests: t.exposeInt('requests', { description: 'Requests authenticated with the key and let through by the rate limit' }),
    refused: t.exposeInt('refused', { description: 'Requests authenticated with the key and refused by the rate limit (429)' }),
  }),
})

const SmsCreditDay = builder.objectRef<CreditDayRow>('SmsCreditDay').implement({
  description: "SMS credits spent on one day (YYYY-MM-DD in the account's time zone)",
  fields: (t) => ({
    day: t.exposeString('day', { description: "YYYY-MM-DD in the account's time zone" }),
    credits: t.exposeInt('credits', { description: 'Credits spent: one per SMS sent through Twilio, less the failed sends given back' }),
  }),
})

const WebhookEndpointUsage = builder.objectRef<EndpointRow>('WebhookEndpointUsage').implement({
  description: "One webhook endpoint's deliveries created in the window, by outcome",
  fields: (t) => ({
    endpointId: t.exposeID('endpointId', { description: "The endpoint's id" }),
    url: t.exposeString('url', { description: 'Where the endpoint receives events' }),
    succeeded: t.exposeInt('succeeded', { description: 'Deliveries the endpoint accepted (a 2xx answer)' }),
    failed: t.exposeInt('failed', { description: 'Deliveries that used up their attempts without a 2xx answer' }),
    pending: t.exposeInt('pending', { description: 'Deliveries still being attempted' }),
    successRate: t.float({
      nullable: true,
      description: 'succeeded / (succeeded + failed), from 0 to 1; null while no delivery has settled',
      resolve: (e) => (e.succeeded + e.failed === 0 ? null : e.succeeded / (e.succeeded + e.failed)),
    }),
  }),
})

const Usage = builder.objectRef<Window>('Usage').implement({
  description: "The account's usage over its last `days` days, today included, each day in the account's time zone",
  fields: (t) => ({
    days: t.exposeInt('days', { description: 'How many days the window covers' }),
    apiKeyDays: t.field({
      type: [ApiKeyUsageDay],
      description: 'Requests and rate-limit refusals per day and API key, for days and keys that had any; by day, then key name',
      resolve: keyDays,
    }),
    smsCreditDays: t.field({
      type: [SmsCreditDay],
      description: 'SMS credits spent per day, for days that spent any; by day',
      resolve: creditDays,
    }),
    webhookEndpoints: t.field({
      type: [WebhookEndpointUsage],
      description: "Every webhook endpoint of the account with its deliveries' outcomes in the window; by URL",
      resolve: endpoints,
    }),
  }),
})

builder.queryFields((t) => ({
  usage: t.field({
    type: Usage,
    description: "The account's API requests, SMS credits and webhook outcomes over its last `days` days (default 30)",
    authScopes: { session: true },
    args: { days: t.arg.int({ description: `How many days back, today included, 1 to ${MAX_DAYS}; 30 by default` }) },
    resolve: (_root, args, ctx) => ({ accountId: accountOf(ctx), days: checkedDays(args.days) }),
  }),
}))
