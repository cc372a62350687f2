/**
 * A sync loop to copy: mirror one account's customers and projects into your own store, then keep
 * the mirror current from the change feed. Deletes arrive as changes too.
 *
 * The types come from the served OpenAPI document and the client is openapi-fetch:
 *
 *   npx openapi-typescript http://localhost:3000/openapi/crm.json -o crm.ts
 *   npm install openapi-fetch
 *
 * test/sync-loop.test.ts type-checks this file against the served document and runs it while
 * other clients write, so what is written here works as written.
 */
import createClient from 'openapi-fetch'
import type { components, paths } from './crm.js'

type Customer = components['schemas']['Customer']
type Project = components['schemas']['Project']

/** Your side: the records, and where the change feed resumes. Keep the cursor with the data. */
export interface Mirror {
  customers: Map<string, Customer>
  projects: Map<string, Project>
  feedCursor: string
}

export const emptyMirror = (): Mirror => ({ customers: new Map(), projects: new Map(), feedCursor: '' })

export type Crm = ReturnType<typeof createClient<paths>>

export const crmClient = (baseUrl: string, apiKey: string, fetch: typeof globalThis.fetch = globalThis.fetch): Crm =>
  createClient<paths>({ baseUrl, headers: { authorization: `Bearer ${apiKey}` }, fetch })

/** A list page as the API answers it: by cursor once a walk has started, by offset otherwise. */
interface ListPage<T> {
  data: T[]
  pagination: { has_more: boolean; next_cursor: string | null } | { total: number }
}

/** Reads a whole list by cursor pages: rows written meanwhile neither shift nor repeat rows. */
async function readAll<T>(
  read: (cursor: string) => Promise<{ data?: ListPage<T>; error?: { message: string } }>,
  keep: (row: T) => void,
): Promise<void> {
  let cursor = '' // `cursor=` (empty) starts a walk
  for (;;) {
    const { data, error } = await read(cursor)
    if (!data) throw new Error(error?.message ?? 'no answer')
    data.data.forEach(keep)
    if (!('has_more' in data.pagination)) throw new Error('expected a cursor page')
    if (!data.pagination.has_more || data.pagination.next_cursor === null) return
    cursor = data.pagination.next_cursor
  }
}

/**
 * 1. The initial load. The feed's current position is taken first: whatever is written while the
 * lists are read is then replayed from the feed, so nothing written during the load is lost.
 */
export async function initialLoad(crm: Crm): Promise<Mirror> {
  const head = await crm.GET('/hub/v1/changes', { params: { query: { cursor: 'now' } } })
  if (head.error) throw new Error(`changes: ${head.error.message}`)
  const mirror = emptyMirror()
  mirror.feedCursor = head.data.next_cursor
  await readAll(
    (cursor) => crm.GET('/hub/v1/customers', { params: { query: { cursor, limit: 200 } } }),
    (customer) => mirror.customers.set(customer.id, customer),
  )
  await readAll(
    (cursor) => crm.GET('/hub/v1/projects', { params: { query: { cursor, limit: 200 } } }),
    (project) => mirror.projects.set(project.id, project),
  )
  return mirror
}

/**
 * 2. Keeping up: read the feed from the stored cursor until it has nothing more, applying each
 * change in order. A change carries the record as it is after the change, so applying one twice,
 * or one the initial load already saw, leaves the mirror right. Call it on a timer, or when a
 * webhook arrives. Returns how many changes it applied.
 */
export async function followChanges(crm: Crm, mirror: Mirror): Promise<number> {
  let applied = 0
  for (;;) {
    const { data, error } = await crm.GET('/hub/v1/changes', {
      params: { query: { cursor: mirror.feedCursor, limit: 200, object_type: 'customer,project' } },
    })
    if (error) throw new Error(`changes: ${error.message}`)
    for (const change of data.data) {
      const table: Map<string, unknown> = change.object_type === 'customer' ? mirror.customers : mirror.projects
      if (change.action === 'deleted') table.delete(change.object_id)
      else table.set(change.object_id, change.data)
      applied++
    }
    // Store the cursor together with the changes it covers (one transaction in a real store).
    mirror.feedCursor = data.next_cursor
    if (!data.has_more) return applied
  }
}
