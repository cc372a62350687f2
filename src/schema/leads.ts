/**
 * Leads of the lead/quote API: list (filters, search), read, create and partial update. Writes
 * fire `lead.created`, `lead.updated` (with the changed fields' old values) and, on a move to
 * closed_won, `sale.completed`, queued in the same transaction as the change.
 */
import { db } from '../db/client.js'
import { badRequest, notFound } from '../errors.js'
import type { Lead as LeadRow, Prisma } from '../generated/prisma/client.js'
import { AiStatus, LeadStage } from '../generated/prisma/enums.js'
import { fireWebhookEvent } from '../services/webhooks/outbox.js'
import { leadJson } from '../services/webhooks/payloads.js'
import { builder } from './builder.js'
import { pageType, pageWindow, type WindowRules } from './paging.js'
import { searchFilter } from './search.js'
import { accountOf } from './tenancy.js'
import { capped, email, jsonObject, phone } from './validation.js'

builder.enumType(LeadStage, { name: 'LeadStage' })
builder.enumType(AiStatus, { name: 'AiStatus' })

/** The lead/quote surface pages by `page`/`per_page`: 25 by default, at most 100. */
export const LEAD_API_WINDOW: WindowRules = { defaultLimit: 25, maxLimit: 100 }
export const newestFirst = [{ createdAt: 'desc' as const }, { id: 'desc' as const }]

export const Lead = builder.prismaObject('Lead', {
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name', { nullable: true }),
    firstName: t.exposeString('firstName', { nullable: true }),
    lastName: t.exposeString('lastName', { nullable: true }),
    email: t.exposeString('email', { nullable: true }),
    phone: t.exposeString('phone', { nullable: true, description: 'E.164' }),
    pipelineStage: t.expose('pipelineStage', { type: LeadStage }),
    aiStatus: t.expose('aiStatus', { type: AiStatus }),
    aiScore: t.exposeInt('aiScore', { nullable: true, description: '0–100' }),
    aiSummary: t.exposeString('aiSummary', { nullable: true }),
    aiEnabled: t.exposeBoolean('aiEnabled'),
    source: t.exposeString('source', { nullable: true }),
    customData: t.expose('customData', { type: 'JSON' }),
    metadata: t.expose('metadata', { type: 'JSON' }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
  }),
})

const LeadPage = pageType('Lead', () => db.lead)

const LeadInput = builder.inputType('LeadInput', {
  description: 'A new lead: `name` or `phone` is required',
  fields: (t) => ({
    name: t.string(),
    firstName: t.string(),
    lastName: t.string(),
    email: t.string(),
    phone: t.string({ description: 'E.164, e.g. +15555550100' }),
    pipelineStage: t.field({ type: LeadStage }),
    source: t.string(),
    customData: t.field({ type: 'JSON' }),
    metadata: t.field({ type: 'JSON' }),
  }),
})

const LeadPatch = builder.inputType('LeadPatch', {
  description: 'A partial update: only the fields given change; null clears a field',
  fields: (t) => ({
    name: t.string(),
    firstName: t.string(),
    lastName: t.string(),
    email: t.string(),
    phone: t.string(),
    pipelineStage: t.field({ type: LeadStage }),
    source: t.string(),
    customData: t.field({ type: 'JSON' }),
    metadata: t.field({ type: 'JSON' }),
    aiEnabled: t.boolean(),
  }),
})

type LeadValues = Record<string, unknown>

const trimmed = (value: unknown) => (typeof value === 'string' ? value.trim() || null : value)

/** Validates and normalises the given fields; absent fields stay absent. */
function leadData(input: LeadValues): Prisma.LeadUncheckedUpdateInput {
  const data: Prisma.LeadUncheckedUpdateInput = {}
  const text = (key: 'name' | 'firstName' | 'lastName' | 'source', field: string) => {
    if (input[key] !== undefined) data[key] = capped(trimmed(input[key]) as string | null, field, 500)
  }
  text('name', 'name')
  text('firstName', 'first_name')
  text('lastName', 'last_name')
  text('source', 'source')
  if (input.email !== undefined) data.email = email(trimmed(input.email) as string | null)
  if (input.phone !== undefined) data.phone = phone(trimmed(input.phone) as string | null)
  if (input.pipelineStage != null) data.pipelineStage = input.pipelineStage as LeadStage
  if (input.pipelineStage === null) throw badRequest('pipeline_stage cannot be null')
  if (input.aiEnabled != null) data.aiEnabled = input.aiEnabled as boolean
  if (input.aiEnabled === null) throw badRequest('ai_enabled cannot be null')
  if (input.customData !== undefined) data.customData = (jsonObject(input.customData, 'custom_data') ?? {}) as Prisma.InputJsonObject
  if (input.metadata !== undefined) data.metadata = (jsonObject(input.metadata, 'metadata') ?? {}) as Prisma.InputJsonObject
  return data
}

const defined = (input: object) => Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined))

/** The old values of the fields whose value changed, keyed as in the webhook body. */
function previousValues(before: LeadRow, after: LeadRow): Record<string, unknown> {
  const old = leadJson(before) as Record<string, unknown>
  const now = leadJson(after) as Record<string, unknown>
  const changed = Object.keys(old).filter((k) => k !== 'updated_at' && JSON.stringify(old[k]) !== JSON.stringify(now[k]))
  return Object.fromEntries(changed.map((k) => [k, old[k]]))
}

export function leadFilter(
  accountId: string,
  args: { stage?: LeadStage | null; aiStatus?: AiStatus | null; search?: string | null },
): Prisma.LeadWhereInput {
  return {
    accountId,
    ...(args.stage ? { pipelineStage: args.stage } : {}),
    ...(args.aiStatus ? { aiStatus: args.aiStatus } : {}),
    ...searchFilter(args.search),
  }
}

builder.queryFields((t) => ({
  lead: t.prismaField({
    type: 'Lead',
    nullable: true,
    authScopes: { scope: 'leads:read' },
    args: { id: t.arg.id({ required: true }) },
    resolve: (query, _root, args, ctx) => db.lead.findFirst({ ...query, where: { id: String(args.id), accountId: accountOf(ctx) } }),
  }),
  leadPage: t.field({
    type: LeadPage,
    description: 'Leads newest first, by offset; `search` is a case-insensitive substring of name, phone or email',
    authScopes: { scope: 'leads:read' },
    args: {
      stage: t.arg({ type: LeadStage }),
      aiStatus: t.arg({ type: AiStatus }),
      search: t.arg.string(),
      limit: t.arg.int(),
      offset: t.arg.int(),
    },
    resolve: (_root, args, ctx) => ({
      where: leadFilter(accountOf(ctx), args),
      orderBy: newestFirst,
      ...pageWindow(args, LEAD_API_WINDOW),
    }),
  }),
}))

builder.mutationFields((t) => ({
  createLead: t.field({
    type: Lead,
    description: 'Creates a lead and fires lead.created',
    authScopes: { scope: 'leads:write' },
    args: { input: t.arg({ type: LeadInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const accountId = accountOf(ctx)
      const data = leadData(defined(input))
      if (!data.name && !data.phone) throw badRequest("At least 'name' or 'phone' is required")
      return db.$transaction(async (tx) => {
        const lead = await tx.lead.create({ data: { ...(data as Prisma.LeadUncheckedCreateInput), accountId } })
        await fireWebhookEvent(tx, accountId, 'lead.created', leadJson(lead))
        return lead
      })
    },
  }),
  updateLead: t.field({
    type: Lead,
    description: 'Partially updates a lead; fires lead.updated (with `previous`) and, on a move to closed_won, sale.completed',
    authScopes: { scope: 'leads:write' },
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: LeadPatch, required: true }) },
    resolve: async (_root, args, ctx) => {
      const accountId = accountOf(ctx)
      const given = defined(args.input)
      if (Object.keys(given).length === 0) throw badRequest('No valid fields to update')
      const data = leadData(given)
      return db.$transaction(async (tx) => {
        // Locks the row so `previous` describes exactly the state this update replaced.
        const [locked] = await tx.$queryRaw<
          { id: string }[]
        >`SELECT id FROM leads WHERE id = ${String(args.id)} AND account_id = ${accountId} FOR UPDATE`
        if (!locked) throw notFound('Lead not found')
        const old = await tx.lead.findUniqueOrThrow({ where: { id: locked.id } })
        const lead = await tx.lead.update({ where: { id: old.id }, data })
        // Rolls the update back: a lead keeps a name or a phone, as on creation.
        if (!lead.name && !lead.phone) throw badRequest("At least 'name' or 'phone' is required")
        const previous = previousValues(old, lead)
        if (Object.keys(previous).length === 0) return lead // nothing changed: no event
        await fireWebhookEvent(tx, accountId, 'lead.updated', leadJson(lead), { previous })
        if (lead.pipelineStage === 'closed_won' && old.pipelineStage !== 'closed_won') {
          await fireWebhookEvent(tx, accountId, 'sale.completed', leadJson(lead))
        }
        return lead
      })
    },
  }),
}))
