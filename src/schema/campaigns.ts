/**
 * Campaigns: the messages one event queued (e.g. a project's contract reminders), paused,
 * resumed or cancelled together.
 */
import { z } from 'zod'
import { db } from '../db/client.js'
import { conflict, notFound } from '../errors.js'
import type { Prisma } from '../generated/prisma/client.js'
import { CampaignStatus } from '../generated/prisma/enums.js'
import { PENDING_STATUSES } from '../services/automations/engine.js'
import { builder } from './builder.js'
import { Communication, CommunicationConnection, communicationSort } from './communications.js'
import { childConnection, connectionType, resourceQueries } from './lists.js'
import { Node, nodeType } from './nodes.js'
import { pageType } from './paging.js'
import { id } from './rules.js'
import { listSort, sortArgs } from './sorting.js'
import { accountOf } from './tenancy.js'

builder.enumType(CampaignStatus, {
  name: 'CampaignStatus',
  description: 'Where a campaign stands',
  values: {
    active: { description: 'Sending its messages as they fall due' },
    paused: { description: 'Holding its pending messages until resumed' },
    completed: { description: 'Every message has been sent or settled' },
    cancelled: { description: 'Stopped for good; its pending messages are cancelled' },
  },
})
/** A campaign's messages are read in the order they go out: oldest first. */
const campaignMessagesSort = { ...communicationSort, order: 'asc' as const }

const CampaignAction = builder.enumType('CampaignAction', {
  description: 'What to do with a campaign',
  values: {
    pause: { description: 'Hold its pending messages (an active campaign becomes paused)' },
    resume: { description: 'Send its pending messages again (a paused campaign becomes active)' },
    cancel: { description: 'Stop it for good and cancel its pending messages' },
  },
})

/** What `adjustCampaign` takes. */
export const adjustRules = z.object({
  campaignId: id.describe('The campaign to adjust'),
  action: z.enum(['pause', 'resume', 'cancel']).meta({ graphql: CampaignAction }).describe('pause, resume or cancel'),
})

nodeType('Campaign', 'campaigns', 'read:hub')

export const Campaign = builder.prismaObject('Campaign', {
  description: 'The messages one project event queued, paused, resumed or cancelled together',
  interfaces: [Node],
  fields: (t) => ({
    id: t.exposeID('id', { description: "The campaign's id" }),
    projectId: t.exposeID('projectId', {
      nullable: true,
      description: 'The project whose event started it; null once that project is gone',
    }),
    eventId: t.exposeID('eventId', {
      nullable: true,
      description: 'The project event that queued its messages; null once that event is gone',
    }),
    name: t.exposeString('name', { description: 'The event type and project name, e.g. "contract_signed: Smith roof"' }),
    eventType: t.exposeString('eventType', { description: 'The type of the event that started it, e.g. contract_signed' }),
    status: t.expose('status', { type: CampaignStatus, description: 'Where the campaign stands' }),
    pendingCount: t.relationCount('communications', {
      description: 'Messages not yet sent: scheduled, queued or failed',
      where: { status: { in: [...PENDING_STATUSES] } },
    }),
    messageCount: t.relationCount('communications', { description: 'All its messages, whatever their status' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the event started it' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'When it last changed' }),
    communications: t.connection(
      {
        type: Communication,
        description: "The campaign's messages, oldest first",
        args: sortArgs(t, campaignMessagesSort),
        resolve: (campaign, args, ctx, info) =>
          childConnection(
            { table: 'communications', parentColumn: 'campaign_id', sort: campaignMessagesSort },
            db.communication,
            campaign.id,
            args,
            ctx,
            info,
          ) as never,
      },
      CommunicationConnection,
    ),
  }),
})

const CampaignPage = pageType('Campaign', () => db.campaign)
export const CampaignConnection = connectionType('Campaign', Campaign)

function campaignFilter(
  accountId: string,
  args: { status?: CampaignStatus | null; projectId?: string | number | null },
): Prisma.CampaignWhereInput {
  return { accountId, ...(args.status ? { status: args.status } : {}), ...(args.projectId ? { projectId: String(args.projectId) } : {}) }
}

/**
 * pause: hold the scheduled messages (nothing is sent while paused); resume: release them, the
 * past-due ones becoming due now; cancel: every not-yet-sent message becomes `cancelled`.
 * All of one action in one transaction.
 */
async function adjust(accountId: string, id: string, action: 'pause' | 'resume' | 'cancel') {
  return db.$transaction(async (tx) => {
    const locked = await tx.$queryRaw<{ status: CampaignStatus }[]>`
      SELECT status FROM campaigns WHERE id = ${id} AND account_id = ${accountId} FOR UPDATE`
    if (locked.length === 0) throw notFound('Campaign not found')
    const status = locked[0].status
    if (action === 'cancel') {
      if (status === 'completed') throw conflict('Campaign is completed')
      await tx.communication.updateMany({
        where: { campaignId: id, status: { in: [...PENDING_STATUSES] } },
        data: { status: 'cancelled', lastError: 'Campaign cancelled' },
      })
      await tx.campaign.update({ where: { id }, data: { status: 'cancelled' } })
      return
    }
    if (status === 'cancelled' || status === 'completed') throw conflict(`Campaign is ${status}`)
    if (action === 'pause') {
      await tx.campaign.update({ where: { id }, data: { status: 'paused' } })
      return
    }
    await tx.communication.updateMany({
      where: { campaignId: id, status: 'scheduled', scheduledFor: { lte: new Date() } },
      data: { status: 'queued' },
    })
    await tx.campaign.update({ where: { id }, data: { status: 'active' } })
  })
}

export const campaignSort = listSort('Campaign', ['createdAt', 'updatedAt'])

resourceQueries({
  model: 'Campaign',
  sort: campaignSort,
  delegate: () => db.campaign,
  names: { one: 'campaign', many: 'campaigns', page: 'campaignPage' },
  description: 'Campaigns, newest first',
  scope: 'read:hub',
  connection: CampaignConnection,
  page: CampaignPage,
  args: (t) => ({
    status: t.arg({ type: CampaignStatus, description: 'Only campaigns in this state' }),
    projectId: t.arg.id({ description: "Only this project's campaigns" }),
  }),
  where: campaignFilter,
})

builder.mutationFields((t) => ({
  adjustCampaign: t.prismaField({
    type: 'Campaign',
    description: 'Pauses, resumes or cancels a campaign and its pending messages (needs write:hub)',
    authScopes: { scope: 'write:hub' },
    args: {
      campaignId: t.arg.id({
        required: true,
        validate: adjustRules.shape.campaignId,
        description: adjustRules.shape.campaignId.description,
      }),
      action: t.arg({ type: CampaignAction, required: true, description: adjustRules.shape.action.description }),
    },
    resolve: async (query, _root, args, ctx) => {
      await adjust(accountOf(ctx), String(args.campaignId), args.action)
      return db.campaign.findUniqueOrThrow({ ...query, where: { id: String(args.campaignId) } })
    },
  }),
}))
