/**
 * Soft delete in one place, beside tenancy (./tenancy.ts): customers, projects, leads, quotes and
 * appointments carry `deleted_at`, and every Prisma query on those tables — reads, counts,
 * groupings, updates, deletes — gets `deletedAt = null` added to its filter, whoever runs it (a
 * request, the worker, a callback). A deleted record therefore disappears from every read, list,
 * search, count and pipeline figure, and a write to it finds nothing (404), without any resolver
 * having to remember it.
 *
 * Code that means to reach deleted rows says so by naming `deletedAt` in its top-level filter
 * (restore: `deletedAt: { gte: … }`, purge: `deletedAt: { lt: … }`, erasure: `...withDeleted`);
 * such a filter is left as written. Raw SQL is not rewritten: every raw statement on these tables
 * carries `deleted_at IS NULL` itself (test/deletes.test.ts reads every surface after a delete).
 * Nested relation reads (`include`) are not filtered either; deletes cascade to the children that
 * could be read that way (a customer's projects, a lead's quotes and appointments), so a visible
 * record never hangs off a deleted one.
 */
import { Prisma } from '../generated/prisma/client.js'
import { FILTERED_OPERATIONS } from './tenancy.js'

/** The models with a `deletedAt` column (src/services/deletes.ts soft-deletes and restores them). */
export const SOFT_DELETED = new Set(['Customer', 'Project', 'Lead', 'Quote', 'Appointment'])

/** Spread into a filter to reach rows whatever their deletion state (erasure). */
export const withDeleted = { deletedAt: undefined } as const

export const softDelete = Prisma.defineExtension({
  name: 'soft-delete',
  query: {
    $allModels: {
      $allOperations({ model, operation, args, query }) {
        if (!SOFT_DELETED.has(model) || !FILTERED_OPERATIONS.has(operation)) return query(args)
        const where = ((args as { where?: Record<string, unknown> }).where ?? {}) as Record<string, unknown>
        if (Object.hasOwn(where, 'deletedAt')) return query(args)
        return query({ ...(args as object), where: { ...where, deletedAt: null } } as typeof args)
      },
    },
  },
})
