/**
 * One record's history in one list: a project's, customer's or lead's events, queued and sent
 * messages, conversation messages, quotes and appointments, newest first. Each kind is one
 * statement (at most `first` rows each, merged here), so a timeline costs a fixed number of
 * statements however long it is. Kinds the caller has no scope for are left out, not refused.
 */
import type { Context } from '../context/context.js'
import { hasScope, type Scope } from '../context/principal.js'
import { db } from '../db/client.js'
import { badRequest } from '../errors.js'
import { builder } from './builder.js'
import { accountOf } from './tenancy.js'

type Kind = 'event' | 'communication' | 'message' | 'quote' | 'appointment'

interface Entry {
  id: string
  kind: Kind
  at: Date
  title: string
  detail: string | null
  status: string | null
  channel: string | null
  scheduledFor: Date | null
}

const KIND_DESCRIPTIONS: Record<Kind, string> = {
  event: 'Something that happened to a project (recorded through the API, a status change or an automation)',
  communication: 'A message the account queued or sent (an automation message or an SMS)',
  message: 'A message of a conversation, sent or received',
  quote: 'A quote made for the lead',
  appointment: 'A callback or visit booked with the lead',
}

const TimelineKind = builder.enumType('TimelineKind', {
  description: 'What a timeline entry is',
  values: Object.fromEntries(
    Object.entries(KIND_DESCRIPTIONS).map(([kind, description]) => [kind, { value: kind, description }]),
  ) as Record<Kind, { value: Kind; description: string }>,
})

const TimelineEntry = builder.objectRef<Entry>('TimelineEntry').implement({
  description: "One item of a record's timeline",
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The id of the event, message, quote or appointment' }),
    kind: t.field({ type: TimelineKind, description: 'What the entry is', resolve: (e) => e.kind }),
    at: t.expose('at', {
      type: 'DateTime',
      description: 'When it happened (or was queued, booked or made): the timeline is newest first by it',
    }),
    title: t.exposeString('title', {
      description: 'A short line naming it: the event type, the channel and recipient of a message, the quote number',
    }),
    detail: t.exposeString('detail', {
      nullable: true,
      description: "A message's subject and text, an appointment's place and notes; null when none",
    }),
    status: t.exposeString('status', { nullable: true, description: 'Its state (queued, sent, accepted, scheduled…); null for events' }),
    channel: t.exposeString('channel', { nullable: true, description: 'sms, email, imessage or call for messages; null otherwise' }),
    scheduledFor: t.expose('scheduledFor', {
      type: 'DateTime',
      nullable: true,
      description: 'When a queued message goes out, or when an appointment starts; null otherwise',
    }),
  }),
})

const MAX = 100
type Where = { projectId?: string; customerId?: string; leadId?: string }

/** The sources each record type reads, with the scope each needs. */
async function timeline(ctx: Context, of: Where, first: number | null | undefined): Promise<Entry[]> {
  const take = first ?? 50
  if (take < 1 || take > MAX) throw badRequest(`first must be between 1 and ${MAX}`)
  const accountId = accountOf(ctx)
  const allowed = (scope: Scope) => hasScope(ctx.principal, scope)
  const newest = { orderBy: [{ createdAt: 'desc' as const }, { id: 'desc' as const }], take }
  const reads: Promise<Entry[]>[] = []

  if (allowed('read:hub') && (of.projectId || of.customerId)) {
    // A relation filter is not narrowed by the soft-delete extension: a deleted project's events stay out here.
    const where = of.projectId ? { projectId: of.projectId } : { project: { customerId: of.customerId, deletedAt: null } }
    reads.push(
      db.projectEvent.findMany({ where: { accountId, ...where }, orderBy: [{ occurredAt: 'desc' }, { id: 'desc' }], take }).then((rows) =>
        rows.map((e) => ({
          id: e.id,
          kind: 'event',
          at: e.occurredAt,
          title: e.eventType,
          detail: null,
          status: null,
          channel: null,
          scheduledFor: null,
        })),
      ),
    )
  }
  if (allowed('read:hub')) {
    reads.push(
      db.communication.findMany({ where: { accountId, ...of }, ...newest }).then((rows) =>
        rows.map((c) => ({
          id: c.id,
          kind: 'communication',
          at: c.createdAt,
          title: `${c.channel} to ${c.to}`,
          detail: c.subject ? `${c.subject}\n\n${c.content}` : c.content,
          status: c.status,
          channel: c.channel,
          scheduledFor: c.scheduledFor,
        })),
      ),
    )
  }
  if (allowed('read:conversations') && (of.customerId || of.leadId)) {
    const conversation = of.customerId ? { customerId: of.customerId } : { leadId: of.leadId }
    reads.push(
      db.message.findMany({ where: { accountId, conversation }, ...newest }).then((rows) =>
        rows.map((m) => ({
          id: m.id,
          kind: 'message',
          at: m.createdAt,
          title: `${m.direction} ${m.channel} (${m.sender})`,
          detail: m.content,
          status: m.status,
          channel: m.channel,
          scheduledFor: null,
        })),
      ),
    )
  }
  if (allowed('quotes:read') && of.leadId) {
    reads.push(
      db.quote.findMany({ where: { accountId, leadId: of.leadId, deletedAt: null }, ...newest }).then((rows) =>
        rows.map((q) => ({
          id: q.id,
          kind: 'quote',
          at: q.createdAt,
          title: `Quote ${q.quoteNumber}: ${q.total.toFixed(2)} ${q.currency}`,
          detail: null,
          status: q.status,
          channel: null,
          scheduledFor: null,
        })),
      ),
    )
  }
  if (allowed('appointments:read') && of.leadId) {
    reads.push(
      db.appointment.findMany({ where: { accountId, leadId: of.leadId, deletedAt: null }, ...newest }).then((rows) =>
        rows.map((a) => ({
          id: a.id,
          kind: 'appointment',
          at: a.createdAt,
          title: `${a.appointmentType === 'onsite' ? 'Visit' : 'Callback'}: ${a.title}`,
          detail: [a.location, a.notes].filter(Boolean).join(' · ') || null,
          status: a.status,
          channel: null,
          scheduledFor: a.startTime,
        })),
      ),
    )
  }
  const entries = (await Promise.all(reads)).flat() as Entry[]
  return entries.sort((a, b) => b.at.getTime() - a.at.getTime() || (a.id < b.id ? 1 : -1)).slice(0, take)
}

const description = (what: string) =>
  `${what}, newest first, in one list (kinds the caller has no scope for are left out); for one record at a time`
const firstArg = { description: `How many entries to return; 50 by default, at most ${MAX}` }

builder.prismaObjectFields('Project', (t) => ({
  timeline: t.field({
    type: [TimelineEntry],
    description: description("The project's events and messages"),
    args: { first: t.arg.int(firstArg) },
    extensions: { ownReads: true },
    resolve: (project, args, ctx) => timeline(ctx, { projectId: project.id }, args.first),
  }),
}))

builder.prismaObjectFields('Customer', (t) => ({
  timeline: t.field({
    type: [TimelineEntry],
    description: description("The customer's project events, messages and conversation messages"),
    args: { first: t.arg.int(firstArg) },
    extensions: { ownReads: true },
    resolve: (customer, args, ctx) => timeline(ctx, { customerId: customer.id }, args.first),
  }),
}))

builder.prismaObjectFields('Lead', (t) => ({
  timeline: t.field({
    type: [TimelineEntry],
    description: description("The lead's messages, conversation messages, quotes and appointments"),
    args: { first: t.arg.int(firstArg) },
    extensions: { ownReads: true },
    resolve: (lead, args, ctx) => timeline(ctx, { leadId: lead.id }, args.first),
  }),
}))
