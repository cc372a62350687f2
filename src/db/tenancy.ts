/**
 * Tenancy in one place: while a request acts for an account, every Prisma query on a tenant table
 * is confined to that account by this client extension, whatever the resolver wrote. Reads,
 * counts, updates and deletes get `accountId = <the account>` added to their filter; creates must
 * carry the account (it is filled in when absent, and a different one is refused). A forgotten
 * filter therefore reads and writes nothing of another account.
 *
 * The account comes from the request (src/http/state.ts runs each request inside `tenantScope`,
 * and authentication sets `accountId` on it). Outside a request — the worker, migrations, the
 * operator's admin operations — there is no account and queries pass unchanged; that code works
 * across accounts by design and filters where it must, as do the sign-ins (`acrossAccounts`). Raw
 * SQL (`$queryRaw`) is not rewritten: every raw statement carries its own account filter, and
 * test/tenancy.test.ts drives every route with another account's ids.
 */
import { AsyncLocalStorage } from 'node:async_hooks'
import { getDatamodel } from '../generated/pothos-types.js'
import { Prisma } from '../generated/prisma/client.js'

/** What the extension reads: the account the current request acts for, once it is known. */
export interface TenantScope {
  accountId?: string
  /**
   * Who is acting, for the change feed (./change-tags.ts): `api_key:<id>`, `portal:<session id>`,
   * `operator`, `provider:<name>`, `worker`; only [A-Za-z0-9._:-].
   */
  actor?: string
  /** The request's id, for the change feed and the audit log. */
  requestId?: string
  /** The caller's address, for the audit log. */
  clientIp?: string
}

export const tenantScope = new AsyncLocalStorage<TenantScope>()

/**
 * Runs `fn` confined to `accountId` (provider callbacks, tests). Prisma's queries are lazy: they
 * run when awaited, so they are awaited in here, inside the scope.
 */
export const withAccount = <T>(accountId: string, fn: () => Promise<T>): Promise<T> =>
  tenantScope.run({ accountId }, async () => await fn())

/**
 * Runs `fn` confined to no account, keeping the request's actor, id and address: for the sign-ins,
 * which find their account from the credential itself (an email, an access code, a link), whatever
 * account's session the browser already holds. Only what the credential names is read or written.
 */
export const acrossAccounts = <T>(fn: () => Promise<T>): Promise<T> =>
  tenantScope.run({ ...tenantScope.getStore(), accountId: undefined }, async () => await fn())

/** Model → the column that names its account: `accountId`, or `id` for Account itself. */
const tenantColumn = new Map<string, string>([
  ['Account', 'id'],
  ...Object.entries(getDatamodel().datamodel.models)
    .filter(([, model]) => model.fields.some((field) => field.name === 'accountId' && field.kind === 'scalar'))
    .map(([name]) => [name, 'accountId'] as [string, string]),
])

/** The operations that take a `where`: the ones a row filter (tenancy, ./soft-delete.ts) narrows. */
export const FILTERED_OPERATIONS: ReadonlySet<string> = new Set([
  'findUnique',
  'findUniqueOrThrow',
  'findFirst',
  'findFirstOrThrow',
  'findMany',
  'count',
  'aggregate',
  'groupBy',
  'update',
  'updateMany',
  'updateManyAndReturn',
  'delete',
  'deleteMany',
  'upsert',
])
const CREATES = new Set(['create', 'createMany', 'createManyAndReturn', 'upsert'])

function confined(model: string, operation: string, args: Record<string, unknown>, accountId: string): Record<string, unknown> {
  const column = tenantColumn.get(model)!
  const result = { ...args }
  if (FILTERED_OPERATIONS.has(operation)) {
    const where = (args.where ?? {}) as Record<string, unknown>
    const and = Array.isArray(where.AND) ? where.AND : where.AND ? [where.AND] : []
    result.where = { ...where, AND: [...and, { [column]: accountId }] }
  }
  if (CREATES.has(operation)) {
    const key = operation === 'upsert' ? 'create' : 'data'
    const rows = args[key]
    const own = (row: Record<string, unknown>) => {
      if (row[column] !== undefined && row[column] !== accountId) throw new Error(`Refused: a ${model} row for another account`)
      return { ...row, [column]: accountId }
    }
    result[key] = Array.isArray(rows) ? rows.map(own) : own(rows as Record<string, unknown>)
  }
  return result
}

export const tenancy = Prisma.defineExtension({
  name: 'tenancy',
  query: {
    $allModels: {
      $allOperations({ model, operation, args, query }) {
        const accountId = tenantScope.getStore()?.accountId
        if (!accountId || !tenantColumn.has(model) || (model === 'Account' && CREATES.has(operation))) return query(args)
        return query(confined(model, operation, args as Record<string, unknown>, accountId))
      },
    },
  },
})
