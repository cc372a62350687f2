/**
 * The automation engine: an event of a project renders the account's active templates for its
 * type into communications for the project's customer. Recording the event, cancelling what it
 * supersedes and queuing its messages (with their campaign) is one statement, so either all of
 * it is stored or none. `planEvent` is the pure part, shared with simulateEvent.
 */

import { v7 as uuidv7 } from 'uuid'
import { db } from '../../db/client.js'
import { type Communication, Prisma, type ProjectEvent } from '../../generated/prisma/client.js'
import type { Channel, EventSource } from '../../generated/prisma/enums.js'
import { inSpan, traceparent } from '../../http/tracing.js'
import { SUPERSEDES } from './library.js'
import { renderer } from './render.js'

type Tx = Prisma.TransactionClient

/**
 * What the engine needs to know about a project for an event: its customer, its account's name
 * and the account's active templates for that event type, read together (one statement with
 * relation joins).
 */
export function automationProject(eventType: string) {
  return {
    include: {
      customer: true,
      account: {
        select: {
          name: true,
          templates: {
            where: { eventType, active: true },
            orderBy: [{ delayMinutes: 'asc' }, { channel: 'asc' }, { createdAt: 'asc' }, { id: 'asc' }],
            select: { id: true, channel: true, subject: true, body: true, delayMinutes: true },
          },
        },
      },
    },
  } satisfies Prisma.ProjectDefaultArgs
}
export type AutomationProject = Prisma.ProjectGetPayload<ReturnType<typeof automationProject>>

export interface PlannedMessage {
  templateId: string
  channel: Channel
  /** null when the customer has no phone (sms, imessage, call) or no email (email). */
  to: string | null
  subject: string | null
  content: string
  status: 'queued' | 'scheduled'
  /** When it falls due: the event time plus the template's delay. */
  dueAt: Date
  /** Why it would not be queued, if it would not. */
  skippedReason: string | null
}

export interface EventInput {
  eventType: string
  data: Record<string, unknown>
  occurredAt: Date
  source: EventSource
  /** Recorded through a test key: its messages never reach a provider. */
  test: boolean
}

/** Messages still waiting to go out: superseding events and campaign cancels reach these. */
export const PENDING_STATUSES = ['scheduled', 'queued', 'failed'] as const

/** The messages `event` queues for `project`, from the templates loaded with it (automationProject). */
export function planEvent(project: AutomationProject, event: Omit<EventInput, 'source' | 'test'>, now = new Date()): PlannedMessage[] {
  const render = renderer({
    customer: project.customer,
    project,
    account: project.account,
    event: { type: event.eventType, occurredAt: event.occurredAt, data: event.data },
  })
  return project.account.templates.map((template) => {
    const dueAt = new Date(event.occurredAt.getTime() + template.delayMinutes * 60_000)
    const to = template.channel === 'email' ? project.customer.email : project.customer.phone
    return {
      templateId: template.id,
      channel: template.channel,
      to,
      subject: template.channel === 'email' && template.subject ? render(template.subject) : null,
      content: render(template.body),
      status: dueAt.getTime() > now.getTime() ? 'scheduled' : 'queued',
      dueAt,
      skippedReason: to ? null : `The customer has no ${template.channel === 'email' ? 'email address' : 'phone number'}`,
    }
  })
}

/**
 * The pending messages of this project that `earlier` events queued: what an event superseding
 * them cancels. One definition for simulateEvent (which lists them) and recordEvent (which cancels them).
 */
const supersededMessages = (accountId: string, projectId: string, earlier: readonly string[]) => Prisma.sql`
  SELECT c.id FROM communications c JOIN project_events e ON e.id = c.event_id
  WHERE c.account_id = ${accountId} AND c.project_id = ${projectId} AND c.status::text = ANY(${[...PENDING_STATUSES]}::text[])
    AND e.event_type = ANY(${[...earlier]}::text[])`

/** Ids of the messages recording `eventType` would cancel (for simulateEvent). */
export async function supersededIds(accountId: string, projectId: string, eventType: string): Promise<string[]> {
  const earlier = SUPERSEDES[eventType]
  if (!earlier) return []
  const rows = await db.$queryRaw<{ id: string }[]>`${supersededMessages(accountId, projectId, earlier)} ORDER BY c.created_at, c.id`
  return rows.map((r) => r.id)
}

export interface RecordedEvent {
  /** The rows as stored, so callers can answer without reading them back. */
  event: ProjectEvent
  communications: Communication[]
}

/**
 * Records the event, cancels what it supersedes and queues its messages (with their campaign) in
 * ONE statement of data-modifying CTEs, atomic by itself and therefore safe inside or outside a
 * transaction. Ingestion is the hot write path: as separate Prisma calls it would take nine round
 * trips and a createMany that Prisma compiles afresh for every row count (decision 0004). The rows are built here
 * (UUIDv7 ids, explicit timestamps), so what is returned is exactly what was stored.
 */
export function recordEvent(client: Tx, project: AutomationProject, input: EventInput, now = new Date()): Promise<RecordedEvent> {
  const attributes = { account_id: project.accountId, project_id: project.id, event_type: input.eventType }
  return inSpan('automation.record_event', { attributes }, async (span) => {
    const recorded = await storeEvent(client, project, input, now)
    span.set({ event_id: recorded.event.id, communications: recorded.communications.length })
    return recorded
  })
}

async function storeEvent(client: Tx, project: AutomationProject, input: EventInput, now: Date): Promise<RecordedEvent> {
  const { accountId } = project
  // Each message's send continues this trace (src/http/tracing.ts); null when tracing is off.
  const traceContext = traceparent()
  const eventId = uuidv7()
  const planned = planEvent(project, input, now).filter((m) => m.to !== null)
  const campaignId = planned.length ? uuidv7() : null
  const communications: Communication[] = planned.map((m) => ({
    id: uuidv7(),
    accountId,
    channel: m.channel,
    status: m.status,
    to: m.to!,
    subject: m.subject,
    content: m.content,
    customerId: project.customerId,
    projectId: project.id,
    leadId: null,
    templateId: m.templateId,
    eventId,
    campaignId,
    conversationId: null,
    provider: null,
    providerMessageId: null,
    scheduledFor: m.status === 'scheduled' ? m.dueAt : null,
    sentAt: null,
    deliveredAt: null,
    attempts: 0,
    lastError: null,
    test: input.test,
    nextAttemptAt: null,
    leaseExpiresAt: null,
    leaseToken: null,
    traceContext,
    createdAt: now,
    updatedAt: now,
  }))

  const earlier = SUPERSEDES[input.eventType] ?? []
  const superseding = earlier.length
    ? Prisma.sql`,
      superseded AS (
        UPDATE communications SET status = 'cancelled', last_error = ${`Superseded by ${input.eventType}`}, updated_at = ${now}
        WHERE id IN (${supersededMessages(accountId, project.id, earlier)})),
      superseded_campaigns AS (
        UPDATE campaigns SET status = 'cancelled', updated_at = ${now}
        WHERE account_id = ${accountId} AND project_id = ${project.id} AND event_type = ANY(${[...earlier]}::text[]) AND status IN ('active', 'paused'))`
    : Prisma.empty
  const queuing = campaignId
    ? Prisma.sql`,
      campaign AS (
        INSERT INTO campaigns (id, account_id, project_id, event_id, name, event_type, created_at, updated_at)
        VALUES (${campaignId}, ${accountId}, ${project.id}, ${eventId}, ${`${input.eventType}: ${project.name ?? project.id}`}, ${input.eventType}, ${now}, ${now})),
      queued AS (
        INSERT INTO communications (id, account_id, channel, status, "to", subject, content, customer_id, project_id, template_id, event_id, campaign_id, scheduled_for, test, trace_context, created_at, updated_at)
        SELECT t.id, ${accountId}, t.channel::channel, t.status::communication_status, t."to", t.subject, t.content, ${project.customerId}, ${project.id},
          t.template_id, ${eventId}, ${campaignId}, t.scheduled_for, ${input.test}, ${traceContext}, ${now}, ${now}
        FROM json_to_recordset(${JSON.stringify(communications.map((c) => ({ id: c.id, channel: c.channel, status: c.status, to: c.to, subject: c.subject, content: c.content, template_id: c.templateId, scheduled_for: c.scheduledFor })))}::json)
          AS t(id text, channel text, status text, "to" text, subject text, content text, template_id text, scheduled_for timestamptz))`
    : Prisma.empty
  const event: ProjectEvent = {
    id: eventId,
    accountId,
    projectId: project.id,
    eventType: input.eventType,
    data: input.data as Prisma.JsonObject,
    source: input.source,
    occurredAt: input.occurredAt,
    createdAt: now,
    updatedAt: now,
  }
  await client.$executeRaw`
    WITH event AS (
      INSERT INTO project_events (id, account_id, project_id, event_type, data, source, occurred_at, created_at, updated_at)
      VALUES (${eventId}, ${accountId}, ${project.id}, ${input.eventType}, ${JSON.stringify(input.data)}::jsonb, ${input.source}::event_source, ${input.occurredAt}, ${now}, ${now}))${superseding}${queuing}
    SELECT 1`
  return { event, communications }
}
