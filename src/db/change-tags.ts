/**
 * The change feed's and the audit log's attribution (decisions 0016, 0021): every statement that
 * may write ends with an sqlcommenter comment naming the actor, the caller's address and the
 * request of the scope it runs in, `/*actor='api_key%3A…',address='…',request_id='…'*\/`. The
 * triggers that record a change or an audit entry read it back from `current_query()` (function
 * change_tag in the change_feed migration), so a single write outside any transaction is
 * attributed as well as one inside. Values are parameters, never in the SQL text,
 * so a caller cannot forge the comment.
 */
import type { SqlCommenterPlugin } from '@prisma/client/runtime/client'
import { tenantScope } from './tenancy.js'

/** Tag values the trigger accepts: what request ids and actors are made of. */
const SAFE = /^[A-Za-z0-9._:-]{1,200}$/

/** Reads record no change: their statements stay untagged. Raw SQL may write, so it is tagged. */
const READ = /^(find|count|aggregate|groupBy)/

export const changeTags: SqlCommenterPlugin = ({ query }) => {
  const scope = tenantScope.getStore()
  if (!scope || READ.test(query.action)) return {}
  return {
    actor: scope.actor && SAFE.test(scope.actor) ? scope.actor : undefined,
    address: scope.clientIp && SAFE.test(scope.clientIp) ? scope.clientIp : undefined,
    request_id: scope.requestId && SAFE.test(scope.requestId) ? scope.requestId : undefined,
  }
}

/** Runs `fn` with its writes attributed to `actor` (the worker, a script); keeps the request's account if any. */
export const asActor = <T>(actor: string, fn: () => Promise<T>): Promise<T> =>
  tenantScope.run({ ...tenantScope.getStore(), actor }, async () => await fn())
