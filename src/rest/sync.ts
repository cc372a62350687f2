/**
 * The sync parameters every REST list takes beside its filters (docs/api-crm.md#sync,
 * docs/api-leads.md#sync): `updated_since` (inclusive), `sort` and `order`, and cursor pages.
 *
 * A list answers offset pages exactly as documented until the client asks for a cursor: the
 * `cursor` parameter present, empty to start a walk (`?cursor=`), then each answer's
 * `next_cursor`. `starting_after` is another name for `cursor`. A cursor page is a keyset page of
 * the list's connection (src/schema/lists.ts), so rows inserted during a walk neither shift nor
 * repeat rows, and it counts the matching rows only when asked (`count=true`).
 */
import { z } from 'zod'
import { badRequest } from '../errors.js'
import { timestamp } from '../schema/rules.js'
import type { ListSort } from '../schema/sorting.js'
import type { JsonSchema } from './openapi/json-schema.js'
import { documented, enumParam } from './params.js'
import type { CursorPage } from './route.js'

const snake = (field: string) => field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)

/** The query rules of a list's sync parameters, by the list's sortable fields. */
export function syncQuery(sort: ListSort) {
  const fields = sort.fields.map(snake) as [string, ...string[]]
  return {
    updated_since: documented(timestamp, {
      type: 'string',
      format: 'date-time',
      description: 'Only rows whose updated_at is at or after this ISO 8601 time (inclusive)',
    }).optional(),
    sort: enumParam(fields, 'The field to sort on, then the id; created_at by default').optional(),
    order: enumParam(['asc', 'desc'], `${sort.order} by default (the documented order)`).optional(),
    cursor: documented(z.string().max(200, 'must be at most 200 characters'), {
      type: 'string',
      maxLength: 200,
      description: "Cursor paging: empty (`cursor=`) for the first page, then the last answer's `next_cursor`; not with `offset` or `page`",
    }).optional(),
    starting_after: documented(z.string().max(200, 'must be at most 200 characters'), {
      type: 'string',
      maxLength: 200,
      description: 'Another name for `cursor`',
    }).optional(),
    count: enumParam(['true', 'false'], 'Cursor pages only: also count every matching row (`total`)').optional(),
  }
}

interface SyncQuery {
  updated_since?: Date
  sort?: string
  order?: 'asc' | 'desc'
  cursor?: string
  starting_after?: string
  count?: 'true' | 'false'
}

/** Whether the request pages by cursor: `cursor` or `starting_after` is present, even empty. */
export const byCursor = (url: URL) => url.searchParams.has('cursor') || url.searchParams.has('starting_after')

/**
 * The operation's variables for the sync parameters. `offsetParam` names the surface's offset
 * parameter (`offset`, `page`): given together with a cursor it is a 400, not silently ignored.
 */
export function syncVariables(query: SyncQuery, url: URL, offsetParam: string) {
  const cursorMode = byCursor(url)
  if (cursorMode && url.searchParams.has(offsetParam)) throw badRequest(`Give ${offsetParam} or cursor, not both`)
  if (query.cursor && query.starting_after && query.cursor !== query.starting_after) {
    throw badRequest('Give cursor or starting_after, not both')
  }
  return {
    updatedSince: query.updated_since,
    sort: query.sort,
    order: query.order,
    cursorMode,
    after: query.cursor || query.starting_after || null,
    count: query.count === 'true',
  }
}

/** The cursor fields of a page's envelope, in snake_case; `total` only when it was asked for. */
export const cursorFields = (page: CursorPage) => ({
  has_more: page.hasMore,
  next_cursor: page.nextCursor,
  ...(page.total === undefined ? {} : { total: page.total }),
})

/** The schema of a cursor page's pagination block, beside the surface's own page-size field. */
export const cursorPaginationSchema = (size: Record<string, JsonSchema>): JsonSchema => ({
  type: 'object',
  properties: {
    ...size,
    has_more: { type: 'boolean', description: 'Whether another page follows' },
    next_cursor: {
      type: ['string', 'null'],
      description: "Pass as `cursor` for the next page; keep it to resume later (null only when a walk's first page is empty)",
    },
    total: { type: 'integer', minimum: 0, description: 'Rows matching the filters; only with count=true' },
  },
  required: [...Object.keys(size), 'has_more', 'next_cursor'],
  additionalProperties: false,
})
