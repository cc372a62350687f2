/**
 * The one generic REST handler. Each route row names a GraphQL operation; the handler matches
 * the path, maps the request onto variables, executes the operation in-process through Yoga's
 * enveloped pipeline (the same context, auth and error masking as /graphql, without a second
 * HTTP round trip or a re-parse) and shapes the surface's documented envelope and error body.
 */
import { type DocumentNode, type GraphQLError, type OperationDefinitionNode, parse, validate } from 'graphql'
import type { YogaServerInstance } from 'graphql-yoga'
import type { Context, RequestState } from '../context/context.js'
import { AppError, errorCodeOf, httpStatusByCode } from '../errors.js'
import { readBody } from '../http/body.js'
import { jsonResponse, respond } from '../http/respond.js'
import { idempotent, requestFingerprint } from './idempotency.js'
import type { HttpMethod, RestInput, RestResult, RestRoute, RestSurface } from './route.js'

interface CompiledRoute {
  route: RestRoute
  pattern: RegExp
  paramNames: string[]
  document: DocumentNode
  operationName?: string
}

interface CompiledSurface {
  surface: RestSurface
  routes: CompiledRoute[]
}

type Yoga = YogaServerInstance<{ http: RequestState }, Context>

export interface RestRouter {
  /** The surface whose prefix the request's path falls under, if any. */
  match(pathname: string): boolean
  handle(request: Request, http: RequestState): Promise<Response>
}

/** Compiles every row once; an operation that does not validate against the schema fails start-up. */
export function createRestRouter(surfaces: RestSurface[], yoga: Yoga): RestRouter {
  const { schema } = yoga.getEnveloped({} as never)
  const compiled: CompiledSurface[] = surfaces.map((surface) => ({
    surface,
    routes: surface.routes.map((route) => compileRoute(surface, route, schema)),
  }))
  const surfaceOf = (pathname: string) =>
    compiled.find(({ surface }) => pathname === surface.prefix || pathname.startsWith(`${surface.prefix}/`))

  return {
    match: (pathname) => surfaceOf(pathname) !== undefined,
    async handle(request, http) {
      const url = new URL(request.url)
      const target = surfaceOf(url.pathname)!
      try {
        return await dispatch(target, request, url, http, yoga)
      } catch (error) {
        const code = errorCodeOf(error) ?? 'INTERNAL_SERVER_ERROR'
        const headers = (error as GraphQLError).extensions?.http as { headers?: Record<string, string> } | undefined
        const message = code === 'INTERNAL_SERVER_ERROR' ? 'Unexpected error' : (error as Error).message
        return errorResponse(target.surface, httpStatusByCode[code], message, headers?.headers)
      }
    },
  }
}

function compileRoute(surface: RestSurface, route: RestRoute, schema: Parameters<typeof validate>[0]): CompiledRoute {
  const document = parse(String(route.document))
  const errors = validate(schema, document)
  if (errors.length > 0) {
    throw new Error(`${route.method} ${surface.prefix}${route.path}: ${errors.map((e) => e.message).join('; ')}`)
  }
  const paramNames: string[] = []
  const source = route.path.replace(/:([A-Za-z]+)/g, (_, name: string) => {
    paramNames.push(name)
    return '([^/]+)'
  })
  const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition')
  return { route, document, paramNames, pattern: new RegExp(`^${surface.prefix}${source}/?$`), operationName: operation?.name?.value }
}

async function dispatch(target: CompiledSurface, request: Request, url: URL, http: RequestState, yoga: Yoga): Promise<Response> {
  const { surface } = target
  const method = request.method.toUpperCase()
  if (surface.readOnly && method !== 'GET' && method !== 'HEAD') {
    return errorResponse(surface, 405, `${surface.prefix} is read-only: only GET and HEAD are allowed`, { Allow: 'GET, HEAD' })
  }
  const candidates = target.routes.filter((r) => r.pattern.test(url.pathname))
  if (candidates.length === 0) return errorResponse(surface, 404, `No route for ${url.pathname}`)
  const effective = method === 'HEAD' ? 'GET' : method
  const compiled = candidates.find((r) => r.route.method === effective)
  if (!compiled) {
    const allowed = [...new Set(candidates.flatMap((r) => (r.route.method === 'GET' ? ['GET', 'HEAD'] : [r.route.method])))]
    return errorResponse(surface, 405, `Method ${method} is not allowed here`, { Allow: allowed.join(', ') })
  }

  const input: RestInput = {
    params: pathParams(compiled, url.pathname),
    url,
    query: url.searchParams,
    body: hasBody(compiled.route.method) ? await jsonBody(request) : {},
    headers: request.headers,
  }
  // Authenticate (and count the request against the account's rate limit) before mapping input,
  // so a bad key is a 401 before any 400 and every answer to a known caller has RateLimit headers.
  const { contextFactory, execute, schema } = yoga.getEnveloped({ request, http, viaRest: true } as never)
  const contextValue = (await contextFactory()) as Context
  const variables = compiled.route.variables?.(input) ?? {}
  const run = async () => {
    const result = await execute({
      schema,
      document: compiled.document,
      variableValues: variables,
      contextValue,
      operationName: compiled.operationName,
    })
    if ('errors' in result && result.errors?.length) throw restError(result.errors[0])
    const shaped = compiled.route.respond((result as { data: Record<string, unknown> }).data, input)
    if (shaped === null) return errorResponse(surface, 404, compiled.route.notFound ?? 'Not found')
    const response = toResponse(shaped)
    return method === 'HEAD' ? respond(null, response.status, response.headers) : response
  }
  // Keys are per account, known only once the context has authenticated the caller.
  const key = surface.idempotent && hasBody(compiled.route.method) ? request.headers.get('idempotency-key') : null
  if (key === null || !contextValue.accountId) return run()
  return idempotent(contextValue.accountId, key, requestFingerprint(method, url.pathname, input.body), run)
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

const hasBody = (method: HttpMethod) => method === 'POST' || method === 'PUT' || method === 'PATCH'

async function jsonBody(request: Request): Promise<Record<string, unknown>> {
  const text = await readBody(request)
  if (!text.trim()) return {}
  const type = request.headers.get('content-type') ?? 'application/json'
  if (!/^application\/([\w.+-]*\+)?json\b/i.test(type)) {
    throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'Send the request body as JSON with Content-Type: application/json')
  }
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    throw new AppError('BAD_REQUEST', 'Request body is not valid JSON')
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new AppError('BAD_REQUEST', 'Request body must be a JSON object')
  return body as Record<string, unknown>
}

function pathParams(compiled: CompiledRoute, pathname: string): Record<string, string> {
  const match = compiled.pattern.exec(pathname)!
  const params: Record<string, string> = {}
  compiled.paramNames.forEach((name, i) => {
    try {
      params[name] = decodeURIComponent(match[i + 1])
    } catch {
      throw new AppError('BAD_REQUEST', `Malformed path parameter ${name}`)
    }
  })
  return params
}

function toResponse(result: RestResult): Response {
  if ('text' in result) return respond(result.text, result.status ?? 200, { 'Content-Type': result.contentType })
  return jsonResponse(result.body, result.status ?? 200, result.headers)
}

function errorResponse(surface: RestSurface, status: number, message: string, headers?: Record<string, string>): Response {
  return jsonResponse(surface.errorBody(status, message), status, headers)
}
