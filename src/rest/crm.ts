/**
 * The conventions of the CRM surfaces, /v1 and /hub/v1 (shared spec crm-api.md): `limit`/`offset`
 * pages in a `{"data", "pagination"}` envelope, and `{"error", "message"}` error bodies.
 */
import { reasonPhrase } from '../errors.js'
import { CRM_WINDOW, pageWindow } from '../schema/paging.js'
import { intParam } from './params.js'
import { objectOf } from './results.js'
import type { CursorPage, Page } from './route.js'
import { cursorFields, cursorPaginationSchema } from './sync.js'

/** The rules of `limit` and `offset` (the schema clamps `limit` to its maximum). */
export const crmWindow = {
  limit: intParam({
    min: 0,
    message: 'must be a non-negative integer',
    default: CRM_WINDOW.defaultLimit,
    description: `Page size; values above ${CRM_WINDOW.maxLimit} are clamped to ${CRM_WINDOW.maxLimit}`,
  }).optional(),
  offset: intParam({ min: 0, message: 'must be a non-negative integer', default: 0, description: 'Rows to skip' }).optional(),
}

/** `{"error": "<reason phrase>", "message": "<detail>"}` */
export const crmErrorBody = (status: number, message: string) => ({ error: reasonPhrase[status] ?? 'Error', message })

export const crmConventions = {
  errorBody: crmErrorBody,
  pageEnvelope: (page: Page) => ({ data: page.items, pagination: { limit: page.limit, offset: page.offset, total: page.total } }),
  pageSchema: (items: Record<string, unknown>) =>
    objectOf({
      data: { type: 'array', items },
      pagination: objectOf({
        limit: { type: 'integer', minimum: 0 },
        offset: { type: 'integer', minimum: 0 },
        total: { type: 'integer', minimum: 0, description: 'Rows matching the filters' },
      }),
    }),
  cursorEnvelope: (page: CursorPage, query: Record<string, unknown>) => ({
    data: page.items,
    pagination: { limit: pageWindow({ limit: query.limit as number | undefined }).limit, ...cursorFields(page) },
  }),
  cursorSchema: (items: Record<string, unknown>) =>
    objectOf({
      data: { type: 'array', items },
      pagination: cursorPaginationSchema({ limit: { type: 'integer', minimum: 0, maximum: CRM_WINDOW.maxLimit } }),
    }),
}
