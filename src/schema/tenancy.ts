import type { Context } from '../context/context.js'
import type { Principal } from '../context/principal.js'
import { AppError } from '../errors.js'

/**
 * The account a resolver must confine every query to. Fields reach it only behind an auth
 * scope that requires an account, so a missing one is a programming error surfaced as 401.
 */
export function accountOf(ctx: Context): string {
  if (!ctx.accountId) throw new AppError('UNAUTHENTICATED', 'This operation needs an API key or a portal session')
  return ctx.accountId
}

/** The signed-in portal session calling; fields reach it only behind an auth scope that requires one. */
export function sessionOf(ctx: Context): Extract<Principal, { kind: 'session' }> {
  if (ctx.principal.kind !== 'session') throw new AppError('UNAUTHENTICATED', 'This operation needs a portal session')
  return ctx.principal
}
