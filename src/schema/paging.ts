/**
 * Offset paging for the REST layer (`limit`/`offset`, `page`/`per_page`): a page object holds the
 * window and filter, and resolves its total, then its items. Frontends use the Relay connections
 * instead.
 */

import { badRequest } from '../errors.js'
import type PrismaTypes from '../generated/pothos-types.js'
import { keptTotal } from '../services/changes/kept-totals.js'
import { builder } from './builder.js'

type Model = keyof PrismaTypes
type Delegate<M extends Model> = {
  findMany(args: { where: PrismaTypes[M]['Where']; orderBy: PrismaTypes[M]['OrderBy'][]; take: number; skip: number }): Promise<unknown[]>
  count(args: { where: PrismaTypes[M]['Where'] }): Promise<number>
}

export interface PageShape<M extends Model> {
  where: PrismaTypes[M]['Where']
  orderBy: PrismaTypes[M]['OrderBy'][]
  limit: number
  offset: number
  /** The filter holds a text search (its count reads every match, so its total is kept; see countRows). */
  searched?: boolean
  /** The count: given by a parent that read it with itself, or started once by whichever of `items` and `total` asks first. */
  count?: number | Promise<number>
}

export interface WindowRules {
  defaultLimit: number
  maxLimit: number
}

export const CRM_WINDOW: WindowRules = { defaultLimit: 50, maxLimit: 200 }

/** `limit` above the maximum is clamped; a negative `limit` or `offset` is a 400. */
export function pageWindow(args: { limit?: number | null; offset?: number | null }, rules: WindowRules = CRM_WINDOW) {
  const limit = args.limit ?? rules.defaultLimit
  const offset = args.offset ?? 0
  if (limit < 0) throw badRequest('limit must be a non-negative integer')
  if (offset < 0) throw badRequest('offset must be a non-negative integer')
  return { limit: Math.min(limit, rules.maxLimit), offset }
}

/** Declares `<Model>Page { items, total, limit, offset }` for a Prisma model. */
export function pageType<M extends Model>(model: M, delegate: () => Delegate<M>) {
  const ref = builder.objectRef<PageShape<M>>(`${model}Page`)
  const countOf = (page: PageShape<M>, accountId: string | null) => (page.count ??= countRows(page, accountId))
  // A text search's total is kept while the account is unchanged (services/changes/kept-totals.ts):
  // such a count reads every match, where other filters' counts are answered from an index.
  const countRows = (page: PageShape<M>, accountId: string | null) => {
    const count = () => delegate().count({ where: page.where })
    return accountId && page.searched ? keptTotal(accountId, `${model} ${JSON.stringify(page.where)}`, count) : count()
  }
  ref.implement({
    description: `One offset page of ${model} rows, with the total matching the filter. The REST rows page this way; frontends use the ${model}Connection instead`,
    fields: (t) => ({
      // The rows are read after the count, not beside it: side by side, a page's rows wait in memory
      // while its count queues for a pooled connection, and under load they outlive young-generation
      // collections, which multiplies promotion and scavenge pauses (docs/performance.md).
      items: t.prismaField({
        type: [model] as never,
        description: "The rows of this page, in the list's order",
        resolve: async (query: object, page: PageShape<M>, _args, ctx) => {
          await countOf(page, ctx.accountId)
          return delegate().findMany({ ...query, where: page.where, orderBy: page.orderBy, take: page.limit, skip: page.offset }) as never
        },
      }),
      total: t.int({
        description: 'How many rows match the filter, across all pages',
        resolve: (page, _args, ctx) => countOf(page, ctx.accountId),
      }),
      limit: t.exposeInt('limit', { description: 'The page size applied (the one asked for, clamped to the maximum)' }),
      offset: t.exposeInt('offset', { description: 'How many matching rows precede this page' }),
    }),
  })
  return ref
}
