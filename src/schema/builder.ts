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
import { hasScope, type Scope } from '../context/principal.js'
import { db } from '../db/client.js'
import { AppError, badRequest } from '../errors.js'
import type PrismaTypes from '../generated/pothos-types.js'
import { getDatamodel } from '../generated/pothos-types.js'
import { describeIssue } from './rules.js'

export const builder = new SchemaBuilder<{
  Context: Context
  PrismaTypes: PrismaTypes
  AuthScopes: {
    /** The caller holds this scope (portal sessions hold every scope of their account). */
    scope: Scope
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
    authScopes: (ctx) => ({
      scope: (scope) => {
        ctx.http?.scopesUsed?.add(scope)
        return hasScope(ctx.principal, scope)
      },
      account: ctx.accountId !== null,
      session: ctx.principal.kind === 'session',
      admin: ctx.principal.kind === 'admin',
    }),
    unauthorizedError: (_parent, ctx, _info, result) =>
      ctx.principal.kind === 'anonymous'
        ? new AppError('UNAUTHENTICATED', 'Authentication required: send Authorization: Bearer <API key>')
        : new AppError('FORBIDDEN', forbiddenMessage(result.failure)),
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
    nodeQueryOptions: false,
    nodesQueryOptions: false,
  },
})

function missingScope(failure: AuthFailure): string | undefined {
  if (failure.kind === AuthScopeFailureType.AuthScope && failure.scope === 'scope') return String(failure.parameter)
  if (failure.kind === AuthScopeFailureType.AnyAuthScopes || failure.kind === AuthScopeFailureType.AllAuthScopes) {
    for (const inner of failure.failures) {
      const found = missingScope(inner)
      if (found) return found
    }
  }
  return undefined
}

function forbiddenMessage(failure: AuthFailure): string {
  const scope = missingScope(failure)
  return scope ? `Insufficient scope: ${scope} required` : 'Not allowed for this caller'
}

builder.queryType({})
builder.mutationType({})

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
