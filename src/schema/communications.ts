/**
 * Communications: outgoing messages (queued by automations or by hand), their sending through
 * providers (services/dispatch.ts) and manual `mark sent`.
 */

import { z } from 'zod'
import { isTestKey } from '../context/principal.js'
import { db } from '../db/client.js'
import { badRequest, conflict, notFound } from '../errors.js'
import type { Prisma } from '../generated/prisma/client.js'
import { Channel, CommunicationStatus } from '../generated/prisma/enums.js'
import { dispatchCommunication } from '../services/dispatch.js'
import { builder } from './builder.js'
import { inputType } from './inputs.js'
import { connectionType, resourceQueries } from './lists.js'
import { Node, nodeType } from './nodes.js'
import { pageType } from './paging.js'
import { email, id, parseOr400, phone, text, timestamp } from './rules.js'
import { listSort } from './sorting.js'
import { accountOf } from './tenancy.js'

export const ChannelType = builder.enumType(Channel, {
  name: 'Channel',
  description: 'How a message reaches a person',
  values: {
    sms: { description: 'A text message (SMS)' },
    imessage: { description: 'An iMessage' },
    email: { description: 'An email' },
    call: { description: 'A phone call' },
  },
})
builder.enumType(CommunicationStatus, {
  name: 'CommunicationStatus',
  description: 'Where an outgoing message stands',
  values: {
    scheduled: { description: 'Waiting for its scheduledFor time' },
    queued: { description: 'Due, waiting to be handed to the provider' },
    sending: { description: 'Being handed to the provider now' },
    sent: { description: 'Accepted by the provider' },
    delivered: { description: 'The provider reported delivery' },
    failed: { description: 'Could not be sent; see the error' },
    cancelled: { description: 'Will not be sent (cancelled, or its campaign or record was)' },
  },
})

const MAX_CONTENT = 10_000
/** How far ahead a message may be scheduled. */
const MAX_SCHEDULE_MS = 366 * 24 * 60 * 60 * 1000

nodeType('Communication', 'communications', 'read:hub')

export const Communication = builder.prismaObject('Communication', {
  description: 'An outgoing message (text, email or call), queued, scheduled or sent',
  interfaces: [Node],
  fields: (t) => ({
    id: t.exposeID('id', { description: "The message's id" }),
    channel: t.expose('channel', { type: Channel, description: 'How it is sent' }),
    status: t.expose('status', { type: CommunicationStatus, description: 'Where it stands' }),
    to: t.exposeString('to', { description: 'E.164 phone for sms, imessage and call; an address for email' }),
    subject: t.exposeString('subject', { nullable: true, description: 'The email subject; null for other channels' }),
    content: t.exposeString('content', { description: 'The message text' }),
    customerId: t.exposeID('customerId', { nullable: true, description: 'The customer it goes to; null when none' }),
    projectId: t.exposeID('projectId', { nullable: true, description: 'The project it is about; null when none' }),
    leadId: t.exposeID('leadId', { nullable: true, description: 'The lead it goes to; null when none' }),
    templateId: t.exposeID('templateId', { nullable: true, description: 'The template it was rendered from; null when written directly' }),
    eventId: t.exposeID('eventId', { nullable: true, description: 'The project event that queued it; null when queued directly' }),
    campaignId: t.exposeID('campaignId', { nullable: true, description: 'The campaign it belongs to; null when none' }),
    provider: t.exposeString('provider', {
      nullable: true,
      description: 'Who sent it: a provider name, test (a test key) or manual (marked sent); null until sent',
    }),
    providerMessageId: t.exposeString('providerMessageId', { nullable: true, description: "The provider's id for it; null until sent" }),
    scheduledFor: t.expose('scheduledFor', { type: 'DateTime', nullable: true, description: 'When it falls due; null: due when queued' }),
    sentAt: t.expose('sentAt', { type: 'DateTime', nullable: true, description: 'When it was sent (or marked sent); null until then' }),
    attempts: t.exposeInt('attempts', { description: 'How many times sending was tried' }),
    lastError: t.exposeString('lastError', {
      nullable: true,
      description: 'Why the last attempt failed or it was cancelled; null when none',
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was queued' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'When it last changed' }),
  }),
})

const CommunicationPage = pageType('Communication', () => db.communication)
export const CommunicationConnection = connectionType('Communication', Communication)

interface Filters {
  status?: CommunicationStatus | null
  channel?: Channel | null
  projectId?: string | number | null
  customerId?: string | number | null
  campaignId?: string | number | null
}

function communicationFilter(accountId: string, args: Filters): Prisma.CommunicationWhereInput {
  return {
    accountId,
    ...(args.status ? { status: args.status } : {}),
    ...(args.channel ? { channel: args.channel } : {}),
    ...(args.projectId ? { projectId: String(args.projectId) } : {}),
    ...(args.customerId ? { customerId: String(args.customerId) } : {}),
    ...(args.campaignId ? { campaignId: String(args.campaignId) } : {}),
  }
}

export const communicationRules = z
  .object({
    channel: z.enum(Channel).meta({ graphql: ChannelType }).describe('How to send it: sms, imessage, email or call'),
    content: text(MAX_CONTENT)
      .refine((value) => value.trim() !== '', 'must not be empty')
      .describe('The message text'),
    subject: text(500).nullish().describe('Email only'),
    to: z.string().max(320).nullish().describe('E.164 phone for sms, imessage and call; an address for email'),
    customerId: id.nullish().describe('The customer it goes to'),
    projectId: id.nullish().describe('The project it is about; its customer is the recipient when there is no customerId'),
    campaignId: id.nullish().describe('Adds the message to this campaign (pause, resume and cancel apply to it)'),
    scheduledFor: timestamp.nullish().describe('In the future, within a year; absent → due now'),
  })
  .describe("The recipient is `to`, else the phone (or, for email, the address) of the customer or the project's customer")

const CommunicationInput = inputType('CommunicationInput', communicationRules)

/** `test`: queued through a test key, so it never reaches a provider, whoever dispatches it. */
async function queueCommunication(accountId: string, input: typeof CommunicationInput.$inferInput, test: boolean) {
  const content = input.content
  const now = Date.now()
  if (input.scheduledFor && input.scheduledFor.getTime() <= now) throw badRequest('scheduled_for must be in the future')
  if (input.scheduledFor && input.scheduledFor.getTime() > now + MAX_SCHEDULE_MS) throw badRequest('scheduled_for must be within a year')
  const byEmail = input.channel === 'email'
  const to = input.to == null ? input.to : parseOr400(byEmail ? email : phone, input.to, () => 'to')

  const [project, customer, campaign] = await Promise.all([
    input.projectId
      ? db.project.findFirst({ where: { id: String(input.projectId), accountId }, select: { id: true, customerId: true } })
      : null,
    input.customerId ? db.customer.findFirst({ where: { id: String(input.customerId), accountId }, select: { id: true } }) : null,
    input.campaignId
      ? db.campaign.findFirst({ where: { id: String(input.campaignId), accountId }, select: { id: true, status: true } })
      : null,
  ])
  if (input.projectId && !project) throw notFound('Project not found')
  if (input.customerId && !customer) throw notFound('Customer not found')
  if (input.campaignId && !campaign) throw notFound('Campaign not found')
  if (campaign && (campaign.status === 'cancelled' || campaign.status === 'completed')) throw conflict(`Campaign is ${campaign.status}`)

  const customerId = customer?.id ?? project?.customerId ?? null
  let recipient = to
  if (!recipient && customerId) {
    const contact = await db.customer.findUnique({ where: { id: customerId }, select: { phone: true, email: true } })
    recipient = byEmail ? contact?.email : contact?.phone
  }
  if (!recipient) {
    throw badRequest(
      `No recipient: give to, or a customer_id or project_id whose customer has ${byEmail ? 'an email address' : 'a phone number'}`,
    )
  }
  return db.communication.create({
    data: {
      accountId,
      channel: input.channel,
      to: recipient,
      content,
      subject: byEmail ? (input.subject ?? null) : null,
      customerId,
      projectId: project?.id ?? null,
      campaignId: campaign?.id ?? null,
      status: input.scheduledFor ? 'scheduled' : 'queued',
      scheduledFor: input.scheduledFor ?? null,
      test,
    },
    select: { id: true },
  })
}

/** Marks a message sent outside this server; already sent stays as it was. */
async function markSent(accountId: string, id: string) {
  const message = await db.communication.findFirst({ where: { id, accountId }, select: { status: true } })
  if (!message) throw notFound('Communication not found')
  if (message.status === 'cancelled') throw conflict('Communication is cancelled')
  if (message.status === 'sending') throw conflict('Communication is being sent')
  // Conditional, so a dispatch that claimed it meanwhile is not overwritten.
  const { count } = await db.communication.updateMany({
    where: { id, accountId, status: { in: ['scheduled', 'queued', 'failed'] } },
    data: { status: 'sent', provider: 'manual', sentAt: new Date(), lastError: null },
  })
  if (count === 0 && message.status !== 'sent' && message.status !== 'delivered') throw conflict('Communication changed meanwhile: retry')
}

export const communicationSort = listSort('Communication', ['createdAt', 'updatedAt'])

resourceQueries({
  model: 'Communication',
  sort: communicationSort,
  delegate: () => db.communication,
  names: { one: 'communication', many: 'communications', page: 'communicationPage' },
  description: 'Messages queued or sent, newest first',
  scope: 'read:hub',
  connection: CommunicationConnection,
  page: CommunicationPage,
  args: (t) => ({
    status: t.arg({ type: CommunicationStatus, description: 'Only messages in this state' }),
    channel: t.arg({ type: Channel, description: 'Only messages on this channel' }),
    projectId: t.arg.id({ description: "Only this project's messages" }),
    customerId: t.arg.id({ description: "Only this customer's messages" }),
    campaignId: t.arg.id({ description: "Only this campaign's messages" }),
  }),
  where: communicationFilter,
})

builder.mutationFields((t) => ({
  queueCommunication: t.prismaField({
    type: 'Communication',
    description: 'Queues a message, due now or at scheduledFor (needs write:hub)',
    authScopes: { scope: 'write:hub' },
    args: { input: t.arg({ type: CommunicationInput, required: true, description: 'The message to queue' }) },
    resolve: async (query, _root, { input }, ctx) => {
      const { id } = await queueCommunication(accountOf(ctx), input, isTestKey(ctx.principal))
      return db.communication.findUniqueOrThrow({ ...query, where: { id } })
    },
  }),
  dispatchCommunication: t.prismaField({
    type: 'Communication',
    description:
      'Sends a queued, scheduled or failed message now through its provider (never, for a test key or a message queued through one)',
    authScopes: { scope: 'write:hub' },
    args: { id: t.arg.id({ required: true, description: 'The message to send' }) },
    resolve: async (query, _root, args, ctx) => {
      const accountId = accountOf(ctx)
      await dispatchCommunication(ctx.config, accountId, String(args.id), isTestKey(ctx.principal) ? 'test' : 'live')
      return db.communication.findUniqueOrThrow({ ...query, where: { id: String(args.id) } })
    },
  }),
  markCommunicationSent: t.prismaField({
    type: 'Communication',
    description: 'Records a pending message as sent by hand (provider manual) without sending it; a cancelled or sending one is CONFLICT',
    authScopes: { scope: 'write:hub' },
    args: { id: t.arg.id({ required: true, description: 'The message sent by hand' }) },
    resolve: async (query, _root, args, ctx) => {
      await markSent(accountOf(ctx), String(args.id))
      return db.communication.findUniqueOrThrow({ ...query, where: { id: String(args.id) } })
    },
  }),
}))
