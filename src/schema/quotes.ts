/**
 * Quotes with their line items. Amounts are computed here in integer cents (never floats) and
 * stored as decimals; `updateQuoteStatus` stamps sent/viewed/accepted/declined times and fires
 * quote.accepted / quote.declined in the same transaction.
 */
import { db } from '../db/client.js'
import { badRequest, notFound } from '../errors.js'
import type { Prisma } from '../generated/prisma/client.js'
import { QuoteStatus } from '../generated/prisma/enums.js'
import { fireWebhookEvent } from '../services/webhooks/outbox.js'
import { quoteJson } from '../services/webhooks/payloads.js'
import { builder } from './builder.js'
import { LEAD_API_WINDOW, newestFirst } from './leads.js'
import { pageType, pageWindow } from './paging.js'
import { accountOf } from './tenancy.js'
import { capped, jsonObject } from './validation.js'

builder.enumType(QuoteStatus, { name: 'QuoteStatus' })

const money = (value: { toNumber(): number }) => value.toNumber()

export const QuoteLineItem = builder.prismaObject('QuoteLineItem', {
  fields: (t) => ({
    description: t.exposeString('description'),
    quantity: t.float({ resolve: (item) => money(item.quantity) }),
    unitPrice: t.float({ resolve: (item) => money(item.unitPrice) }),
  }),
})

export const Quote = builder.prismaObject('Quote', {
  fields: (t) => ({
    id: t.exposeID('id'),
    quoteNumber: t.exposeString('quoteNumber', { description: 'Q-00042 style, unique per account' }),
    status: t.expose('status', { type: QuoteStatus }),
    subtotal: t.float({ resolve: (q) => money(q.subtotal) }),
    tax: t.float({ resolve: (q) => money(q.tax) }),
    total: t.float({ resolve: (q) => money(q.total) }),
    currency: t.exposeString('currency'),
    lineItems: t.relation('lineItems', { query: { orderBy: { position: 'asc' } } }),
    metadata: t.expose('metadata', { type: 'JSON' }),
    leadId: t.exposeString('leadId', { nullable: true }),
    validUntil: t.string({ nullable: true, description: 'YYYY-MM-DD', resolve: (q) => q.validUntil?.toISOString().slice(0, 10) ?? null }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    sentAt: t.expose('sentAt', { type: 'DateTime', nullable: true }),
    viewedAt: t.expose('viewedAt', { type: 'DateTime', nullable: true }),
    acceptedAt: t.expose('acceptedAt', { type: 'DateTime', nullable: true }),
    declinedAt: t.expose('declinedAt', { type: 'DateTime', nullable: true }),
  }),
})

const QuotePage = pageType('Quote', () => db.quote)

const LineItemInput = builder.inputType('QuoteLineItemInput', {
  fields: (t) => ({
    description: t.string({ required: true }),
    quantity: t.float({ required: true }),
    unitPrice: t.float({ required: true }),
  }),
})

const CreateQuoteInput = builder.inputType('CreateQuoteInput', {
  fields: (t) => ({
    leadId: t.id({ required: true }),
    lineItems: t.field({ type: [LineItemInput], required: true }),
    tax: t.float(),
    currency: t.string({ description: 'ISO 4217, default USD' }),
    validUntil: t.string({ description: 'YYYY-MM-DD' }),
    metadata: t.field({ type: 'JSON' }),
  }),
})

const MAX_ITEMS = 200
const MAX_AMOUNT_CENTS = 1e14 // decimal(14,2) holds 12 digits before the point

function cents(value: number, field: string): number {
  const result = Math.round(value * 100)
  if (!Number.isFinite(value) || value < 0 || result >= MAX_AMOUNT_CENTS) throw badRequest(`${field} must be a non-negative amount`)
  return result
}

function lineItems(items: (typeof LineItemInput.$inferInput)[]) {
  if (items.length === 0 || items.length > MAX_ITEMS) throw badRequest(`lineItems must hold 1 to ${MAX_ITEMS} items`)
  return items.map((item, position) => {
    const description = capped(item.description.trim(), 'description', 1000)
    if (!description) throw badRequest('Every line item needs a description')
    const milli = Math.round(item.quantity * 1000)
    if (!Number.isFinite(item.quantity) || milli <= 0 || milli > 1e9)
      throw badRequest('quantity must be greater than 0 and at most 1000000')
    const unitCents = cents(item.unitPrice, 'unitPrice')
    return { position, description, milli, unitCents, totalCents: Math.round((unitCents * milli) / 1000) }
  })
}

function parseDay(value: string, field: string): Date {
  const date = /^\d{4}-\d{2}-\d{2}$/.test(value) ? new Date(`${value}T00:00:00Z`) : null
  // new Date('2026-02-31') rolls over silently; only dates that round-trip are real.
  if (!date || Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== value)
    throw badRequest(`${field} must be a date as YYYY-MM-DD`)
  return date
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

builder.queryFields((t) => ({
  quote: t.prismaField({
    type: 'Quote',
    nullable: true,
    authScopes: { scope: 'quotes:read' },
    args: { id: t.arg.id({ required: true }) },
    resolve: (query, _root, args, ctx) => db.quote.findFirst({ ...query, where: { id: String(args.id), accountId: accountOf(ctx) } }),
  }),
  quotePage: t.field({
    type: QuotePage,
    description: 'Quotes newest first, by offset',
    authScopes: { scope: 'quotes:read' },
    args: { status: t.arg({ type: QuoteStatus }), limit: t.arg.int(), offset: t.arg.int() },
    resolve: (_root, args, ctx) => ({
      where: { accountId: accountOf(ctx), ...(args.status ? { status: args.status } : {}) },
      orderBy: newestFirst,
      ...pageWindow(args, LEAD_API_WINDOW),
    }),
  }),
}))

builder.mutationFields((t) => ({
  createQuote: t.field({
    type: Quote,
    description: 'Creates a draft quote for a lead, numbered Q-00001, Q-00002, … per account',
    authScopes: { scope: 'leads:write' },
    args: { input: t.arg({ type: CreateQuoteInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const accountId = accountOf(ctx)
      const items = lineItems(input.lineItems)
      const taxCents = cents(input.tax ?? 0, 'tax')
      const subtotalCents = items.reduce((sum, item) => sum + item.totalCents, 0)
      const currency = (input.currency ?? 'USD').trim().toUpperCase()
      if (!/^[A-Z]{3}$/.test(currency)) throw badRequest('currency must be a three-letter ISO 4217 code')
      const validUntil = input.validUntil ? parseDay(input.validUntil, 'validUntil') : null
      const metadata = (jsonObject(input.metadata, 'metadata') ?? {}) as Prisma.InputJsonObject
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
    args: { id: t.arg.id({ required: true }), status: t.arg.string({ required: true }) },
    resolve: async (_root, args, ctx) => {
      const accountId = accountOf(ctx)
      const status = args.status as QuoteStatus
      if (!(SETTABLE as readonly string[]).includes(status))
        throw badRequest(`Invalid status "${args.status.slice(0, 40)}": expected one of ${SETTABLE.join(', ')}`)
      return db.$transaction(async (tx) => {
        const [locked] = await tx.$queryRaw<{ status: QuoteStatus }[]>`
          SELECT status FROM quotes WHERE id = ${String(args.id)} AND account_id = ${accountId} FOR UPDATE`
        if (!locked) throw notFound('Quote not found')
        const stamp = locked.status !== status ? stampedAt[status] : undefined
        const quote = await tx.quote.update({
          where: { id: String(args.id) },
          data: { status, ...(stamp ? { [stamp]: new Date() } : {}) },
          include: { lineItems: { orderBy: { position: 'asc' } } },
        })
        if (locked.status !== status && (status === 'accepted' || status === 'declined')) {
          await fireWebhookEvent(tx, accountId, `quote.${status}`, quoteJson(quote))
        }
        return quote
      })
    },
  }),
}))
