/**
 * Offset paging for the REST layer (`limit`/`offset`, `page`/`per_page`): a page object holds the
 * window and filter, and resolves its items and its total in parallel. Frontends use the Relay
 * connections instead.
 */
import type PrismaTypes from '../generated/pothos-types.js'
import { badRequest } from '../errors.js'
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
  ref.implement({
    description: `One offset page of ${model} rows, with the total matching the filter`,
    fields: (t) => ({
      items: t.prismaField({
        type: [model] as never,
        resolve: (query: object, page: PageShape<M>) =>
          delegate().findMany({ ...query, where: page.where, orderBy: page.orderBy, take: page.limit, skip: page.offset }) as never,
      }),
      total: t.int({ resolve: (page) => delegate().count({ where: page.where }) }),
      limit: t.exposeInt('limit'),
      offset: t.exposeInt('offset'),
    }),
  })
  return ref
}
