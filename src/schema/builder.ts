/**
 * The Pothos schema builder: Prisma-backed object types, Relay connections and scope-based
 * auth. Each resource file under src/schema/ adds its types, queries and mutations to it.
 */
import SchemaBuilder from '@pothos/core'
import PrismaPlugin from '@pothos/plugin-prisma'
import RelayPlugin from '@pothos/plugin-relay'
import ScopeAuthPlugin, { type AuthFailure, AuthScopeFailureType } from '@pothos/plugin-scope-auth'
import ValidationPlugin from '@pothos/plugin-validation'
import { GraphQLError, Kind } from 'graphql'
import type { z } from 'zod'
import type { Context } from '../context/context.js'
import { hasPower, hasScope, POWER_SCOPES, type Power, type Principal, type Scope } from '../context/principal.js'
import { db } from '../db/client.js'
import { AppError, badRequest } from '../errors.js'
import type PrismaTypes from '../generated/pothos-types.js'
import { getDatamodel } from '../generated/pothos-types.js'
import { describeIssue } from './rules.js'

export const builder = new SchemaBuilder<{
  Context: Context
  PrismaTypes: PrismaTypes
  AuthScopes: {
    /** The caller holds this scope (a portal session: its role's scopes). */
    scope: Scope
    /** The caller holds this portal power (a portal session: its role's; an API key: through a scope). */
    power: Power
    /** The caller acts for an account (API key or portal session). */
    account: boolean
    /** A signed-in portal session (not an API key). */
    session: boolean
    /** The operator, through ADMIN_TOKEN. */
    admin: boolean
  }
  Scalars: {
    DateTime: { Input: Date; Output: Date | string }
    JSON: { Input: unknown; Output: unknown }
  }
  DefaultFieldNullability: false
}>({
  defaultFieldNullability: false,
  plugins: [ScopeAuthPlugin, ValidationPlugin, PrismaPlugin, RelayPlugin],
  validation: {
    // Field rules (./rules.ts) speak in the caller's terms: "phone must be an E.164 phone number…".
    validationError: (failure, args) =>
      badRequest(describeIssue(failure.issues[0] as z.core.$ZodIssue, args, (path) => fieldPath(path.map(segmentOf)))),
  },
  scopeAuth: {
    // A subscription is checked once, when it starts: a key without the scope gets no stream at all.
    authorizeOnSubscribe: true,
    authScopes: (ctx) => ({
      scope: (scope) => {
        ctx.http?.scopesUsed?.add(scope)
        return hasScope(ctx.principal, scope)
      },
      power: (power) => hasPower(ctx.principal, power),
      account: ctx.accountId !== null,
      session: ctx.principal.kind === 'session',
      admin: ctx.principal.kind === 'admin',
    }),
    unauthorizedError: (_parent, ctx, _info, result) =>
      ctx.principal.kind === 'anonymous'
        ? new AppError('UNAUTHENTICATED', 'Authentication required: send Authorization: Bearer <API key>')
        : new AppError('FORBIDDEN', forbiddenMessage(result.failure, ctx.principal)),
  },
  prisma: {
    client: () => db,
    dmmf: getDatamodel(),
    filterConnectionTotalCount: true,
    // A resolver that forgets to spread `query` into its Prisma call fails loudly in tests.
    onUnusedQuery: process.env.NODE_ENV === 'production' ? null : 'error',
  },
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    // node(id:) and nodes(ids:) are ./nodes.ts: record ids are UUIDs, not the plugin's encoded ids.
    nodeQueryOptions: false,
    nodesQueryOptions: false,
    // What every connection's fields and arguments mean, said once for all of them.
    firstArgOptions: { description: 'How many rows to return from the start (after `after`); 20 by default, at most 100' },
    lastArgOptions: { description: 'How many rows to return from the end (before `before`), reading backwards; at most 100' },
    afterArgOptions: { description: "A cursor this list returned (an edge's cursor or pageInfo.endCursor): rows after it" },
    beforeArgOptions: { description: "A cursor this list returned (an edge's cursor or pageInfo.startCursor): rows before it" },
    edgesFieldOptions: { description: 'The rows of this page, each with its cursor' },
    pageInfoFieldOptions: { description: 'Where this page sits in the list, and the cursors to page on' },
    cursorFieldOptions: { description: "This row's position in the list: pass it as `after` (or `before`) to continue from it" },
    nodeFieldOptions: { description: 'The row' },
    pageInfoTypeOptions: { description: 'Paging state of a connection (Relay cursor connections)' },
    hasNextPageFieldOptions: { description: 'Whether rows follow this page: read on with `after: endCursor`' },
    hasPreviousPageFieldOptions: { description: 'Whether rows precede this page: read back with `before: startCursor`' },
    startCursorFieldOptions: { description: "The first row's cursor; null when the page is empty" },
    endCursorFieldOptions: { description: "The last row's cursor; null when the page is empty" },
  },
})

function missing(failure: AuthFailure, kind: 'scope' | 'power'): string | undefined {
  if (failure.kind === AuthScopeFailureType.AuthScope && failure.scope === kind) return String(failure.parameter)
  if (failure.kind === AuthScopeFailureType.AnyAuthScopes || failure.kind === AuthScopeFailureType.AllAuthScopes) {
    for (const inner of failure.failures) {
      const found = missing(inner, kind)
      if (found) return found
    }
  }
  return undefined
}

/** A 403 names what is missing: the scope (and, for a person, their role), or the portal power. */
function forbiddenMessage(failure: AuthFailure, principal: Principal): string {
  const role = principal.kind === 'session' ? ` (your role: ${principal.role})` : ''
  const scope = missing(failure, 'scope')
  if (scope) return `Insufficient scope: ${scope} required${role}`
  const power = missing(failure, 'power')
  if (power && principal.kind === 'session') return `Not allowed: ${power} required${role}`
  const viaScope = power && POWER_SCOPES[power as Power]
  if (viaScope) return `Insufficient scope: ${viaScope} required`
  return 'Not allowed for this caller'
}

builder.queryType({ description: "Reads; each sees only the caller's account, except the operator's fields (ADMIN_TOKEN)" })
builder.mutationType({ description: "Writes, each limited to the caller's account; the operator's fields need ADMIN_TOKEN" })

builder.scalarType('DateTime', {
  description: 'An ISO 8601 timestamp in UTC, e.g. 2026-11-23T14:05:00.000Z',
  serialize: (value) => (value instanceof Date ? value.toISOString() : String(value)),
  parseValue: (value) => parseDateTime(value),
  parseLiteral: (ast) => parseDateTime(ast.kind === Kind.STRING ? ast.value : undefined),
})

/** `input.firstName` reads as `firstName`: most operations take one input object. */
const fieldPath = (path: PropertyKey[]) => (path[0] === 'input' && path.length > 1 ? path.slice(1) : path).join('.')
const segmentOf = (segment: PropertyKey | { key: PropertyKey }) => (typeof segment === 'object' ? segment.key : segment)

function parseDateTime(value: unknown): Date {
  // REST rows hand over the Date their body rule parsed.
  if (value instanceof Date && !Number.isNaN(value.getTime())) return value
  const date = typeof value === 'string' && /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(value) ? new Date(value) : null
  if (!date || Number.isNaN(date.getTime())) throw new GraphQLError(`Invalid DateTime: ${JSON.stringify(value)} (use ISO 8601)`)
  return date
}

builder.scalarType('JSON', {
  description: 'Any JSON value',
  serialize: (value) => value,
  parseValue: (value) => value,
})
