/**
 * Leads of the lead/quote API: list (filters, search, external id), read, create, upsert by
 * external id and partial update. Writes fire `lead.created`, `lead.updated` (with the changed
 * fields' old values) and, on a move to closed_won, `sale.completed`, queued in the same
 * transaction as the change.
 */
import { z } from 'zod'
import { db } from '../db/client.js'
import { badRequest, notFound } from '../errors.js'
import type { Lead as LeadRow, Prisma } from '../generated/prisma/client.js'
import { AiStatus, LeadStage } from '../generated/prisma/enums.js'
import { fireWebhookEvent } from '../services/webhooks/outbox.js'
import { leadJson } from '../services/webhooks/payloads.js'
import { builder } from './builder.js'
import { insertOrLock, ownExternalId } from './external-ids.js'
import { definedOnly, inputType } from './inputs.js'
import { connectionType, resourceQueries } from './lists.js'
import { Node, nodeType } from './nodes.js'
import { pageType, type WindowRules } from './paging.js'
import { blankAsNull, email, externalId, jsonObject, phone, trimmedText } from './rules.js'
import { searchFilter } from './search.js'
import { listSort } from './sorting.js'
import { accountOf } from './tenancy.js'

const LeadStageType = builder.enumType(LeadStage, {
  name: 'LeadStage',
  description: 'Where a lead is in the sales pipeline',
  values: {
    new_lead: { description: 'Just arrived, not yet worked (the default)' },
    follow_up: { description: 'In contact, needs a follow-up' },
    quote_in_progress: { description: 'A quote is being prepared' },
    quoted: { description: 'A quote was sent' },
    closed_won: { description: 'Won: the lead became a sale (fires sale.completed)' },
    closed_lost: { description: 'Lost: the lead will not buy' },
  },
})
builder.enumType(AiStatus, {
  name: 'AiStatus',
  description: "The AI assistant's rating of a lead",
  values: {
    new: { description: 'Not rated yet' },
    hot: { description: 'Ready to buy' },
    warm: { description: 'Interested, not yet ready' },
    cold: { description: 'Unlikely to buy' },
  },
})

/** The lead/quote surface pages by `page`/`per_page`: 25 by default, at most 100. */
export const LEAD_API_WINDOW: WindowRules = { defaultLimit: 25, maxLimit: 100 }

nodeType('Lead', 'leads', 'leads:read')

export const Lead = builder.prismaObject('Lead', {
  description: 'A prospective customer in the sales pipeline, rated by the AI assistant',
  interfaces: [Node],
  fields: (t) => ({
    id: t.exposeID('id', { description: "The lead's id" }),
    externalId: t.exposeString('externalId', { nullable: true, description: "Your system's id for the lead" }),
    name: t.exposeString('name', { nullable: true, description: 'Full name; null when not known' }),
    firstName: t.exposeString('firstName', { nullable: true, description: 'First name; null when not known' }),
    lastName: t.exposeString('lastName', { nullable: true, description: 'Last name; null when not known' }),
    email: t.exposeString('email', { nullable: true, description: 'Email address; null when not known' }),
    phone: t.exposeString('phone', { nullable: true, description: 'E.164' }),
    pipelineStage: t.expose('pipelineStage', { type: LeadStage, description: 'Where the lead is in the sales pipeline' }),
    aiStatus: t.expose('aiStatus', { type: AiStatus, description: "The AI assistant's rating of the lead" }),
    aiScore: t.exposeInt('aiScore', { nullable: true, description: '0–100' }),
    aiSummary: t.exposeString('aiSummary', {
      nullable: true,
      description: "The AI assistant's summary of the lead; null before one is written",
    }),
    aiEnabled: t.exposeBoolean('aiEnabled', { description: 'Whether the AI assistant may contact this lead' }),
    source: t.exposeString('source', { nullable: true, description: 'Where the lead came from, e.g. zapier; null when not given' }),
    customData: t.expose('customData', { type: 'JSON', description: 'Free-form JSON object, e.g. from a web form' }),
    metadata: t.expose('metadata', { type: 'JSON', description: 'Free-form JSON object, stored as given' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the lead was created' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'When the lead last changed' }),
    deletedAt: t.expose('deletedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'Set only in the answer of a delete: deleted records are never listed',
    }),
  }),
})

const LeadPage = pageType('Lead', () => db.lead)

const leadText = (max: number) => trimmedText(max).transform((value) => value || null)

/** The fields of a lead write; blank text clears a field. */
const leadFields = {
  name: leadText(500).nullish().describe('Full name'),
  firstName: leadText(500).nullish().describe('First name'),
  lastName: leadText(500).nullish().describe('Last name'),
  email: blankAsNull(email).nullish().describe('Email address'),
  phone: blankAsNull(phone).nullish().describe('E.164, e.g. +15555550100'),
  pipelineStage: z.enum(LeadStage).meta({ graphql: LeadStageType }).optional(),
  source: leadText(500).nullish().describe('Where the lead came from, e.g. zapier'),
  customData: jsonObject.nullish().describe('Free-form JSON object, e.g. from a web form'),
  metadata: jsonObject.nullish().describe('Free-form JSON object, stored as given'),
}

export const leadRules = z
  .object({
    externalId: externalId
      .nullish()
      .describe("Your system's id for the lead: updates the lead with it (only the fields given change), or creates it when new"),
    ...leadFields,
    pipelineStage: leadFields.pipelineStage.describe('Defaults to new_lead'),
  })
  .describe("A new lead: 'name' or 'phone' is required; with `external_id`, the lead with it is updated when it exists")
export const leadPatchRules = z
  .object({
    externalId: externalId.nullish().describe("Your system's id for the lead, unique in the account; null clears it"),
    ...leadFields,
    pipelineStage: leadFields.pipelineStage.describe('The stage to move the lead to'),
    aiEnabled: z.boolean().optional().describe('Whether the AI assistant may contact this lead'),
  })
  .describe('A partial update: only the fields given change; null or blank text clears a field')

const LeadInput = inputType('LeadInput', leadRules)
const LeadPatch = inputType('LeadPatch', leadPatchRules)

type LeadValues = typeof LeadPatch.$inferInput

const LeadUpsert = builder.objectRef<{ created: boolean; lead: LeadRow }>('LeadUpsert').implement({
  description: 'A lead written by upsertLead, and whether it is new',
  fields: (t) => ({
    created: t.exposeBoolean('created', { description: 'true when the lead was created, false when updated' }),
    // The row as written in this request: nothing to read back.
    lead: t.field({ type: Lead, description: 'The lead as written', resolve: (r) => r.lead }),
  }),
})

/** The fields given, as stored (absent fields stay absent; JSON objects cleared by null become {}). */
function leadData(input: LeadValues): Prisma.LeadUncheckedUpdateInput {
  const { customData, metadata, ...fields } = input
  return definedOnly({
    ...fields,
    customData: customData === undefined ? undefined : ((customData ?? {}) as Prisma.InputJsonObject),
    metadata: metadata === undefined ? undefined : ((metadata ?? {}) as Prisma.InputJsonObject),
  })
}

/** The old values of the fields whose value changed, keyed as in the webhook body. */
export function previousValues(before: LeadRow, after: LeadRow): Record<string, unknown> {
  const old = leadJson(before) as Record<string, unknown>
  const now = leadJson(after) as Record<string, unknown>
  const changed = Object.keys(old).filter((k) => k !== 'updated_at' && JSON.stringify(old[k]) !== JSON.stringify(now[k]))
  return Object.fromEntries(changed.map((k) => [k, old[k]]))
}

export function leadFilter(
  accountId: string,
  args: { stage?: LeadStage | null; aiStatus?: AiStatus | null; search?: string | null; externalId?: string | null },
): Prisma.LeadWhereInput {
  return {
    accountId,
    ...(args.externalId ? { externalId: args.externalId } : {}),
    ...(args.stage ? { pipelineStage: args.stage } : {}),
    ...(args.aiStatus ? { aiStatus: args.aiStatus } : {}),
    ...searchFilter(args.search),
  }
}

export const leadSort = listSort('Lead', ['createdAt', 'updatedAt'])

resourceQueries({
  model: 'Lead',
  deletable: true,
  sort: leadSort,
  delegate: () => db.lead,
  names: { one: 'lead', many: 'leads', page: 'leadPage' },
  description: 'Leads, newest first',
  scope: 'leads:read',
  connection: connectionType('Lead', Lead),
  page: LeadPage,
  args: (t) => ({
    stage: t.arg({ type: LeadStageType, description: 'Only leads at this pipeline stage' }),
    aiStatus: t.arg({ type: AiStatus, description: 'Only leads with this AI rating' }),
    search: t.arg.string({ description: 'Case-insensitive substring of the name, phone or email' }),
    externalId: t.arg.string({ description: "Your system's id for the lead" }),
  }),
  where: leadFilter,
  window: LEAD_API_WINDOW,
})

const NAME_OR_PHONE = "At least 'name' or 'phone' is required"

/**
 * Applies `data` to the lead `id`, which the caller's transaction holds locked (so `previous`
 * describes exactly the state this update replaced), and fires its events.
 */
async function applyLeadUpdate(tx: Prisma.TransactionClient, accountId: string, id: string, data: Prisma.LeadUncheckedUpdateInput) {
  const old = await tx.lead.findUniqueOrThrow({ where: { id } })
  const lead = await tx.lead.update({ where: { id }, data })
  // Rolls the update back: a lead keeps a name or a phone, as on creation.
  if (!lead.name && !lead.phone) throw badRequest(NAME_OR_PHONE)
  const previous = previousValues(old, lead)
  if (Object.keys(previous).length === 0) return lead // nothing changed: no event
  await fireWebhookEvent(tx, accountId, 'lead.updated', leadJson(lead), { previous })
  if (lead.pipelineStage === 'closed_won' && old.pipelineStage !== 'closed_won') {
    await fireWebhookEvent(tx, accountId, 'sale.completed', leadJson(lead))
  }
  return lead
}

/** Creates a lead; with an external id, updates the account's lead with it when there is one (./external-ids.ts). */
export async function saveLead(accountId: string, input: typeof LeadInput.$inferInput): Promise<{ created: boolean; lead: LeadRow }> {
  const data = leadData(input) as Prisma.LeadUncheckedCreateInput
  const complete = Boolean(data.name || data.phone)
  const externalId = input.externalId ?? null
  if (!externalId && !complete) throw badRequest(NAME_OR_PHONE)
  return db.$transaction(async (tx) => {
    const created = async (lead: LeadRow) => {
      await fireWebhookEvent(tx, accountId, 'lead.created', leadJson(lead))
      return { created: true, lead }
    }
    if (!externalId) return created(await tx.lead.create({ data: { ...data, accountId } }))
    const insert = async () => (await tx.lead.createManyAndReturn({ data: [{ ...data, accountId }], skipDuplicates: true }))[0]
    const found = await insertOrLock(tx, 'leads', accountId, externalId, complete ? insert : null)
    if (found.inserted) return created(found.inserted)
    if (!found.existingId) throw badRequest(NAME_OR_PHONE)
    return { created: false, lead: await applyLeadUpdate(tx, accountId, found.existingId, data) }
  })
}

builder.mutationFields((t) => ({
  createLead: t.field({
    type: Lead,
    description:
      'Creates a lead and fires lead.created; with an externalId the lead with it is updated when it exists (upsertLead says which)',
    authScopes: { scope: 'leads:write' },
    args: { input: t.arg({ type: LeadInput, required: true, description: 'The lead to create' }) },
    resolve: async (_root, { input }, ctx) => (await saveLead(accountOf(ctx), input)).lead,
  }),
  upsertLead: t.field({
    type: LeadUpsert,
    description: 'Creates a lead (lead.created), or with an externalId updates the lead with it when it exists (lead.updated)',
    authScopes: { scope: 'leads:write' },
    args: { input: t.arg({ type: LeadInput, required: true, description: 'The lead to create or update' }) },
    resolve: (_root, { input }, ctx) => saveLead(accountOf(ctx), input),
  }),
  updateLead: t.field({
    type: Lead,
    description: 'Partially updates a lead; fires lead.updated (with `previous`) and, on a move to closed_won, sale.completed',
    authScopes: { scope: 'leads:write' },
    args: {
      id: t.arg.id({ required: true, description: 'The lead to update' }),
      input: t.arg({ type: LeadPatch, required: true, description: 'The fields to change' }),
    },
    resolve: async (_root, args, ctx) => {
      const accountId = accountOf(ctx)
      const data = leadData(args.input)
      if (Object.keys(data).length === 0) throw badRequest('No valid fields to update')
      return ownExternalId('lead', () =>
        db.$transaction(async (tx) => {
          const [locked] = await tx.$queryRaw<
            { id: string }[]
          >`SELECT id FROM leads WHERE id = ${String(args.id)} AND account_id = ${accountId} AND deleted_at IS NULL FOR UPDATE`
          if (!locked) throw notFound('Lead not found')
          return applyLeadUpdate(tx, accountId, locked.id, data)
        }),
      )
    },
  }),
}))
