/**
 * Quotes with their line items. Amounts are computed here in integer cents (never floats) and
 * stored as decimals; `updateQuoteStatus` stamps sent/viewed/accepted/declined times and fires
 * quote.accepted / quote.declined in the same transaction.
 */
import { z } from 'zod'
import { db } from '../db/client.js'
import { badRequest, notFound } from '../errors.js'
import type { Prisma } from '../generated/prisma/client.js'
import { QuoteStatus } from '../generated/prisma/enums.js'
import { fireWebhookEvent } from '../services/webhooks/outbox.js'
import { quoteJson } from '../services/webhooks/payloads.js'
import { builder } from './builder.js'
import { inputType } from './inputs.js'
import { LEAD_API_WINDOW } from './leads.js'
import { connectionType, resourceQueries } from './lists.js'
import { Node, nodeType } from './nodes.js'
import { pageType } from './paging.js'
import { day, id, jsonObject, money, requiredText } from './rules.js'
import { listSort } from './sorting.js'
import { accountOf } from './tenancy.js'

const QuoteStatusType = builder.enumType(QuoteStatus, {
  name: 'QuoteStatus',
  description: 'Where a quote stands',
  values: {
    draft: { description: 'Being written; not shown to the lead' },
    sent: { description: 'Sent to the lead (stamps sentAt)' },
    viewed: { description: 'The lead opened it (stamps viewedAt)' },
    accepted: { description: 'The lead accepted it (stamps acceptedAt, fires quote.accepted)' },
    declined: { description: 'The lead declined it (stamps declinedAt, fires quote.declined)' },
    expired: { description: 'No longer on offer (set by you, e.g. after validUntil)' },
  },
})

const asNumber = (value: { toNumber(): number }) => value.toNumber()

export const QuoteLineItem = builder.prismaObject('QuoteLineItem', {
  description: 'One line of a quote: what, how many, at what unit price',
  fields: (t) => ({
    description: t.exposeString('description', { description: 'What the line is for' }),
    quantity: t.float({ description: 'How many units, up to three decimals', resolve: (item) => asNumber(item.quantity) }),
    unitPrice: t.float({
      description: 'Price of one unit in the quote currency, to the cent',
      resolve: (item) => asNumber(item.unitPrice),
    }),
  }),
})

nodeType('Quote', 'quotes', 'quotes:read')

export const Quote = builder.prismaObject('Quote', {
  description: 'A priced offer to a lead, made of line items',
  interfaces: [Node],
  fields: (t) => ({
    id: t.exposeID('id', { description: "The quote's id" }),
    quoteNumber: t.exposeString('quoteNumber', { description: 'Q-00042 style, unique per account' }),
    status: t.expose('status', { type: QuoteStatus, description: 'Where the quote stands' }),
    subtotal: t.float({ description: 'Sum of the line totals, in the quote currency', resolve: (q) => asNumber(q.subtotal) }),
    tax: t.float({ description: 'Tax added to the subtotal, in the quote currency', resolve: (q) => asNumber(q.tax) }),
    total: t.float({ description: 'Subtotal plus tax, in the quote currency', resolve: (q) => asNumber(q.total) }),
    currency: t.exposeString('currency', { description: 'ISO 4217 code, e.g. USD' }),
    lineItems: t.relation('lineItems', { description: 'The lines, in the order given', query: { orderBy: { position: 'asc' } } }),
    metadata: t.expose('metadata', { type: 'JSON', description: 'Free-form JSON object, stored as given' }),
    leadId: t.exposeID('leadId', { nullable: true, description: 'The lead the quote is for; null once that lead is removed for good' }),
    validUntil: t.string({ nullable: true, description: 'YYYY-MM-DD', resolve: (q) => q.validUntil?.toISOString().slice(0, 10) ?? null }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the quote was created' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'When the quote last changed' }),
    sentAt: t.expose('sentAt', { type: 'DateTime', nullable: true, description: 'When it was marked sent; null before' }),
    viewedAt: t.expose('viewedAt', { type: 'DateTime', nullable: true, description: 'When it was marked viewed; null before' }),
    acceptedAt: t.expose('acceptedAt', { type: 'DateTime', nullable: true, description: 'When it was accepted; null unless accepted' }),
    declinedAt: t.expose('declinedAt', { type: 'DateTime', nullable: true, description: 'When it was declined; null unless declined' }),
    deletedAt: t.expose('deletedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'Set only in the answer of a delete: deleted records are never listed',
    }),
  }),
})

const QuotePage = pageType('Quote', () => db.quote)

const MAX_ITEMS = 200

const lineItemRules = z.object({
  description: requiredText(1000).describe('What the line is for'),
  quantity: z
    .number()
    .refine(
      (value) => Number.isFinite(value) && Math.round(value * 1000) > 0 && Math.round(value * 1000) <= 1e9,
      'must be greater than 0 and at most 1000000',
    )
    .describe('Up to three decimals'),
  unitPrice: money.describe('Price of one unit, in the quote currency'),
})
const LineItemInput = inputType('QuoteLineItemInput', lineItemRules, { description: 'One line of a new quote' })

export const quoteRules = z.object({
  leadId: id.describe('The lead the quote is for'),
  lineItems: z
    .array(lineItemRules)
    .min(1, `must hold 1 to ${MAX_ITEMS} items`)
    .max(MAX_ITEMS, `must hold 1 to ${MAX_ITEMS} items`)
    .meta({ graphql: [LineItemInput] })
    .describe(`The lines, in order: 1 to ${MAX_ITEMS}`),
  tax: money.nullish().describe('Added to the subtotal; default 0'),
  currency: z
    .string()
    .trim()
    .toUpperCase()
    .regex(/^[A-Z]{3}$/, 'must be a three-letter ISO 4217 code')
    .nullish()
    .describe('ISO 4217, default USD'),
  validUntil: day.nullish().describe('YYYY-MM-DD'),
  metadata: jsonObject.nullish().describe('Free-form JSON object, stored as given'),
})
const CreateQuoteInput = inputType('CreateQuoteInput', quoteRules, { description: 'A new draft quote for a lead' })

const cents = (value: number) => Math.round(value * 100)

function lineItems(items: (typeof LineItemInput.$inferInput)[]) {
  return items.map((item, position) => {
    const milli = Math.round(item.quantity * 1000)
    const unitCents = cents(item.unitPrice)
    return { position, description: item.description, milli, unitCents, totalCents: Math.round((unitCents * milli) / 1000) }
  })
}

const decimal = (centsValue: number) => (centsValue / 100).toFixed(2)

/** Which timestamp a change to each status stamps. */
const stampedAt: Partial<Record<QuoteStatus, 'sentAt' | 'viewedAt' | 'acceptedAt' | 'declinedAt'>> = {
  sent: 'sentAt',
  viewed: 'viewedAt',
  accepted: 'acceptedAt',
  declined: 'declinedAt',
}
const SETTABLE = ['sent', 'viewed', 'accepted', 'declined', 'expired'] as const

export const quoteSort = listSort('Quote', ['createdAt', 'updatedAt'])

resourceQueries({
  model: 'Quote',
  deletable: true,
  sort: quoteSort,
  delegate: () => db.quote,
  names: { one: 'quote', many: 'quotes', page: 'quotePage' },
  description: 'Quotes, newest first',
  scope: 'quotes:read',
  connection: connectionType('Quote', Quote),
  page: QuotePage,
  args: (t) => ({ status: t.arg({ type: QuoteStatus, description: 'Only quotes in this state' }) }),
  where: (accountId, args: { status?: QuoteStatus | null }) => ({ accountId, ...(args.status ? { status: args.status } : {}) }),
  window: LEAD_API_WINDOW,
})

builder.mutationFields((t) => ({
  createQuote: t.field({
    type: Quote,
    description: 'Creates a draft quote for a lead, numbered Q-00001, Q-00002, … per account',
    authScopes: { scope: 'leads:write' },
    args: { input: t.arg({ type: CreateQuoteInput, required: true, description: 'The quote to create' }) },
    resolve: async (_root, { input }, ctx) => {
      const accountId = accountOf(ctx)
      const items = lineItems(input.lineItems)
      const taxCents = cents(input.tax ?? 0)
      const subtotalCents = items.reduce((sum, item) => sum + item.totalCents, 0)
      const currency = input.currency ?? 'USD'
      const validUntil = input.validUntil ? new Date(`${input.validUntil}T00:00:00Z`) : null
      const metadata = (input.metadata ?? {}) as Prisma.InputJsonObject
      const lead = await db.lead.findFirst({ where: { id: String(input.leadId), accountId }, select: { id: true } })
      if (!lead) throw notFound('Lead not found')
      return db.$transaction(async (tx) => {
        const { quoteSequence } = await tx.account.update({
          where: { id: accountId },
          data: { quoteSequence: { increment: 1 } },
          select: { quoteSequence: true },
        })
        return tx.quote.create({
          data: {
            accountId,
            leadId: lead.id,
            quoteNumber: `Q-${String(quoteSequence).padStart(5, '0')}`,
            subtotal: decimal(subtotalCents),
            tax: decimal(taxCents),
            total: decimal(subtotalCents + taxCents),
            currency,
            validUntil,
            metadata,
            lineItems: {
              create: items.map((item) => ({
                accountId,
                position: item.position,
                description: item.description,
                quantity: (item.milli / 1000).toFixed(3),
                unitPrice: decimal(item.unitCents),
              })),
            },
          },
        })
      })
    },
  }),
  updateQuoteStatus: t.field({
    type: Quote,
    description: `Sets the status (${SETTABLE.join(', ')}); fires quote.accepted / quote.declined when it changes to those`,
    authScopes: { scope: 'leads:write' },
    args: {
      id: t.arg.id({ required: true, description: 'The quote to change' }),
      status: t.arg({
        type: QuoteStatusType,
        required: true,
        description: `The new status: ${SETTABLE.join(', ')} (a quote never returns to draft)`,
      }),
    },
    resolve: async (_root, args, ctx) => {
      const accountId = accountOf(ctx)
      const status = args.status
      if (!(SETTABLE as readonly string[]).includes(status))
        throw badRequest(`Invalid status "${status}": expected one of ${SETTABLE.join(', ')}`)
      return db.$transaction(async (tx) => {
        const [locked] = await tx.$queryRaw<{ status: QuoteStatus }[]>`
          SELECT status FROM quotes WHERE id = ${String(args.id)} AND account_id = ${accountId} AND deleted_at IS NULL FOR UPDATE`
        if (!locked) throw notFound('Quote not found')
        const include = { lineItems: { orderBy: { position: 'asc' as const } } }
        // Setting the status it has is not a change: the quote keeps its updated_at, and nothing fires.
        if (locked.status === status) return tx.quote.findUniqueOrThrow({ where: { id: String(args.id) }, include })
        const stamp = stampedAt[status]
        const quote = await tx.quote.update({
          where: { id: String(args.id) },
          data: { status, ...(stamp ? { [stamp]: new Date() } : {}) },
          include,
        })
        if (status === 'accepted' || status === 'declined') {
          await fireWebhookEvent(tx, accountId, `quote.${status}`, quoteJson(quote))
        }
        return quote
      })
    },
  }),
}))
