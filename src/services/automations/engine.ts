/**
 * The automation engine: an event of a project renders the account's active templates for its
 * type into communications for the project's customer. Recording the event, cancelling what it
 * supersedes and queuing its messages (with their campaign) run in the caller's transaction,
 * so either all of it is stored or none. `planEvent` is the pure part, shared with simulateEvent.
 */
import { db } from '../../db.js'
import type { Prisma } from '../../generated/prisma/client.js'
import type { Channel, EventSource } from '../../generated/prisma/enums.js'
import { SUPERSEDES } from './library.js'
import { renderer } from './render.js'

type Tx = Prisma.TransactionClient

/** What the engine needs to know about a project: its customer and its account's name. */
export const automationProject = { include: { customer: true, account: { select: { name: true } } } } satisfies Prisma.ProjectDefaultArgs
export type AutomationProject = Prisma.ProjectGetPayload<typeof automationProject>

type TemplateRow = { id: string; channel: Channel; subject: string | null; body: string; delayMinutes: number }

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
}

/** Messages still waiting to go out: superseding events and campaign cancels reach these. */
export const PENDING_STATUSES = ['scheduled', 'queued', 'failed'] as const

export function activeTemplates(client: Tx, accountId: string, eventType: string): Promise<TemplateRow[]> {
  return client.template.findMany({
    where: { accountId, eventType, active: true },
    orderBy: [{ delayMinutes: 'asc' }, { channel: 'asc' }, { createdAt: 'asc' }, { id: 'asc' }],
    select: { id: true, channel: true, subject: true, body: true, delayMinutes: true },
  })
}

export function planEvent(project: AutomationProject, templates: TemplateRow[], event: Omit<EventInput, 'source'>, now = new Date()): PlannedMessage[] {
  const render = renderer({ customer: project.customer, project, account: project.account, event: { type: event.eventType, occurredAt: event.occurredAt, data: event.data } })
  return templates.map((template) => {
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

/** Where superseded messages of this project are: the pending ones of the events `eventType` replaces. */
function supersededWhere(accountId: string, projectId: string, eventType: string): Prisma.CommunicationWhereInput | null {
  const earlier = SUPERSEDES[eventType]
  if (!earlier) return null
  return { accountId, projectId, status: { in: [...PENDING_STATUSES] }, event: { eventType: { in: [...earlier] } } }
}

/** Ids of the messages recording `eventType` would cancel (for simulateEvent). */
export async function supersededIds(accountId: string, projectId: string, eventType: string): Promise<string[]> {
  const where = supersededWhere(accountId, projectId, eventType)
  if (!where) return []
  const rows = await db.communication.findMany({ where, select: { id: true }, orderBy: { createdAt: 'asc' } })
  return rows.map((r) => r.id)
}

/** Records the event and queues its messages inside `tx`; returns the event id and the queued ids. */
export async function recordEvent(tx: Tx, project: AutomationProject, input: EventInput, now = new Date()) {
  const { accountId } = project
  const event = await tx.projectEvent.create({
    data: { accountId, projectId: project.id, eventType: input.eventType, data: input.data as Prisma.InputJsonObject, source: input.source, occurredAt: input.occurredAt },
    select: { id: true },
  })
  const superseded = supersededWhere(accountId, project.id, input.eventType)
  if (superseded) {
    const earlier = [...SUPERSEDES[input.eventType]]
    await tx.communication.updateMany({ where: superseded, data: { status: 'cancelled', lastError: `Superseded by ${input.eventType}` } })
    await tx.campaign.updateMany({
      where: { accountId, projectId: project.id, eventType: { in: earlier }, status: { in: ['active', 'paused'] } },
      data: { status: 'cancelled' },
    })
  }
  const planned = planEvent(project, await activeTemplates(tx, accountId, input.eventType), input, now).filter((m) => m.to !== null)
  if (planned.length === 0) return { eventId: event.id, communicationIds: [] as string[] }

  const campaign = await tx.campaign.create({
    data: { accountId, projectId: project.id, eventId: event.id, eventType: input.eventType, name: `${input.eventType}: ${project.name ?? project.id}` },
    select: { id: true },
  })
  const rows = await tx.communication.createManyAndReturn({
    data: planned.map((m) => ({
      accountId, channel: m.channel, status: m.status, to: m.to!, subject: m.subject, content: m.content,
      customerId: project.customerId, projectId: project.id, templateId: m.templateId, eventId: event.id, campaignId: campaign.id,
      scheduledFor: m.status === 'scheduled' ? m.dueAt : null,
    })),
    select: { id: true },
  })
  return { eventId: event.id, communicationIds: rows.map((r) => r.id) }
}
