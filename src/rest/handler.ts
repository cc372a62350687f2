/**
 * The one generic REST handler. Every row of every surface becomes a route of the app's router;
 * a request is authenticated (and counted against the rate limit), its path, query and body are
 * validated by the row's schemas, the row's GraphQL operation runs in-process through Yoga's
 * enveloped pipeline (the same context, auth and error masking as /graphql, without an HTTP
 * round trip or a re-parse), and the result takes the row's documented shape. Errors are thrown
 * and answered in the surface's shape by the app's error handler (./errors.ts).
 */
import { type DocumentNode, type GraphQLError, type GraphQLSchema, type OperationDefinitionNode, parse, validate } from 'graphql'
import type { YogaServerInstance } from 'graphql-yoga'
import type { Hono } from 'hono'
import { z } from 'zod'
import type { Context } from '../context/context.js'
import { AppError, errorCodeOf } from '../errors.js'
import { jsonObjectBody } from '../http/body.js'
import { jsonResponse } from '../http/respond.js'
import type { AppEnv, RequestState } from '../http/state.js'
import { id, parseOr400 } from '../schema/rules.js'
import { fingerprint, idempotent, idempotentRequest } from '../services/idempotency.js'
import { restExecution, restRequestText } from './idempotency.js'
import { queryObject } from './params.js'
import type { RestResult } from './results.js'
import type { AnyRoute, HttpMethod, RestInput, RestSurface } from './route.js'

type Yoga = YogaServerInstance<{ http: RequestState }, Context>

interface CompiledRoute {
  surface: RestSurface
  route: AnyRoute
  document: DocumentNode
  operationName?: string
  params: z.ZodType
  query: z.ZodType
  body?: z.ZodType
}

const snakeName = (path: PropertyKey[]) => path.join('.')
export const hasBody = (method: HttpMethod) => method === 'POST' || method === 'PUT' || method === 'PATCH'
/** Writes honour an `Idempotency-Key` header. */
export const isWrite = (method: HttpMethod) => method !== 'GET'

/** Path parameters are ids unless a row says otherwise. */
export const pathParams = (path: string) => [...path.matchAll(/:([A-Za-z]+)/g)].map((m) => m[1])
export const paramsSchema = (route: AnyRoute): z.ZodType =>
  route.params ?? z.object(Object.fromEntries(pathParams(route.path).map((name) => [name, id])))

/** Registers every row; an operation that does not validate against the schema stops start-up. */
export function mountSurfaces(app: Hono<AppEnv>, surfaces: readonly RestSurface[], yoga: Yoga): void {
  const { schema } = yoga.getEnveloped({} as never)
  for (const surface of surfaces) {
    if (surface.readOnly) {
      // A middleware, not a route: the router's 405 for a known path must still list GET and HEAD.
      app.use(`${surface.prefix}/*`, async (c, next) => {
        if (c.req.method === 'GET' || c.req.method === 'HEAD' || c.req.method === 'OPTIONS') return next()
        throw new AppError('METHOD_NOT_ALLOWED', `${surface.prefix} is read-only: only GET and HEAD are allowed`, {
          headers: { Allow: 'GET, HEAD' },
        })
      })
    }
    for (const route of surface.routes) {
      const compiled = compileRoute(surface, route, schema)
      app.on(route.method, surface.prefix + route.path, (c) => run(compiled, c.req.raw, c.req.param(), c.var.state, yoga))
    }
  }
}

function compileRoute(surface: RestSurface, route: AnyRoute, schema: GraphQLSchema): CompiledRoute {
  const document = parse(String(route.document))
  const errors = validate(schema, document)
  if (errors.length > 0) throw new Error(`${route.method} ${surface.prefix}${route.path}: ${errors.map((e) => e.message).join('; ')}`)
  const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition')
  return {
    surface,
    route,
    document,
    operationName: operation?.name?.value,
    params: paramsSchema(route),
    query: route.query ?? z.object({}),
    body: hasBody(route.method) ? (route.body ?? z.object({})) : undefined,
  }
}

async function run(compiled: CompiledRoute, request: Request, rawParams: Record<string, string>, http: RequestState, yoga: Yoga) {
  const { surface, route } = compiled
  // The caller is known (and counted against the rate limit) before anything else is looked at,
  // so a bad key is a 401 before any 400, and every answer to a known caller has RateLimit headers.
  const { contextFactory, execute, schema } = yoga.getEnveloped({ request, http, viaRest: true } as never)
  const contextValue = (await contextFactory()) as Context
  const url = new URL(request.url)
  const rawBody = compiled.body ? await jsonObjectBody(request) : {}
  const input: RestInput = {
    params: parseOr400(compiled.params, rawParams, snakeName) as Record<string, string>,
    query: parseOr400(compiled.query, queryObject(url), snakeName) as Record<string, unknown>,
    body: (compiled.body ? parseOr400(compiled.body, rawBody, snakeName) : {}) as Record<string, unknown>,
    url,
  }
  const variables = route.variables?.(input as never) ?? {}
  const perform = async () => {
    const result = await execute({
      schema,
      document: compiled.document,
      variableValues: variables,
      contextValue,
      operationName: compiled.operationName,
    })
    if ('errors' in result && result.errors?.length) throw restError(result.errors[0])
    const shaped = route.result.shape((result as { data: unknown }).data, input, surface)
    if (shaped === null) throw new AppError('NOT_FOUND', route.notFound ?? 'Not found')
    return toResponse(shaped)
  }
  // Keys are per account, known only once the context has authenticated the caller.
  const key = isWrite(route.method) ? request.headers.get('idempotency-key') : null
  if (key === null || !contextValue.accountId) return perform()
  const same = fingerprint(restRequestText(route.method, url.pathname, rawBody))
  return idempotent(idempotentRequest(contextValue, key, same), restExecution(perform))
}

/**
 * Errors of our own carry a code. GraphQL's own errors without one (a variable the schema
 * refused) are the caller's fault: 400 with GraphQL's message. Everything else was masked by
 * Yoga and stays a plain 500.
 */
function restError(error: GraphQLError): Error {
  if (errorCodeOf(error)) return error
  // A variable of the wrong type (`"name": 42`) arrives wrapping the scalar's own GraphQLError.
  const fromGraphQL = !error.originalError || error.originalError.name === 'GraphQLError'
  if (fromGraphQL && !error.path) return new AppError('BAD_REQUEST', error.message)
  return error
}

function toResponse(result: RestResult): Response {
  if ('text' in result) return new Response(result.text, { status: result.status ?? 200, headers: { 'Content-Type': result.contentType } })
  return jsonResponse(result.body, result.status ?? 200, result.headers)
}
