/**
 * The server as a value: Yoga (GraphQL) + request context + REST route tables + health, behind
 * one fetch function. main.ts listens; tests call `app.fetch(new Request(...))` with no port.
 */
import { useGraphQlJit } from '@envelop/graphql-jit'
import { createYoga } from 'graphql-yoga'
import { type Logger, pino } from 'pino'
import { type Context, createContext, type RequestState } from './context/context.js'
import { db } from './db.js'
import type { Config } from './env.js'
import { type AppError, errorCodeOf } from './errors.js'
import { MAX_BODY_BYTES, readBody } from './http/body.js'
import { handleCallback, isCallbackPath } from './http/callbacks.js'
import { createDocs } from './http/docs.js'
import { isPortalPath, servePortal } from './http/portal.js'
import { requestIdFor } from './http/request-id.js'
import { createRestRouter } from './rest/handler.js'
import { hubSurface } from './rest/hub.js'
import { leadsSurface } from './rest/leads.js'
import { v1Surface } from './rest/v1.js'
import { schema } from './schema/index.js'

export interface App {
  fetch(request: Request, server?: { clientIp?: string }): Promise<Response>
  config: Config
  logger: Logger
}

export function createApp(config: Config, logger: Logger = pino({ level: config.LOG_LEVEL })): App {
  const yoga = createYoga<{ http: RequestState }, Context>({
    schema,
    context: ({ request, http }) => createContext(request, http, config),
    graphqlEndpoint: '/graphql',
    graphiql: config.NODE_ENV !== 'production' ? { title: 'CRM GraphQL' } : false,
    // Loaded on first use: the bundled GraphiQL page costs ~75 MB of memory once imported.
    renderGraphiQL: async (options) => (await import('@graphql-yoga/render-graphiql')).renderGraphiQL(options),
    landingPage: false,
    logging: false,
    // REST route operations are fixed documents: compile each once into plain JavaScript
    // (list responses skip most of the generic executor's per-field work; see README,
    // Performance). /graphql keeps the reference executor, whose request-error statuses
    // follow the GraphQL-over-HTTP spec exactly.
    plugins: [useGraphQlJit({}, { enableIf: (args) => (args.contextValue as { viaRest?: boolean }).viaRest === true })],
    maskedErrors: true,
  })
  const rest = createRestRouter([v1Surface, hubSurface, leadsSurface], yoga)
  const docs = createDocs(schema)

  async function route(request: Request, http: RequestState): Promise<Response> {
    const { pathname } = new URL(request.url)
    if (pathname === '/health') return Response.json({ status: 'ok' })
    if (pathname === '/health/ready') return readiness()
    if (pathname === '/graphql') return graphql(request, http)
    if (rest.match(pathname)) return rest.handle(request, http)
    if (isCallbackPath(pathname)) return handleCallback(request, config, logger)
    if (docs.matches(pathname)) return docs.serve(pathname)
    if (isPortalPath(pathname)) return servePortal(request)
    return Response.json({ error: 'Not Found', message: `No route for ${pathname}` }, { status: 404 })
  }

  /** Buffers the body within the size limit, so Yoga never reads an unbounded stream. */
  async function graphql(request: Request, http: RequestState): Promise<Response> {
    let body: string | undefined
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      try {
        body = await readBody(request, MAX_BODY_BYTES)
      } catch (error) {
        if (errorCodeOf(error) !== 'PAYLOAD_TOO_LARGE') throw error
        return Response.json(
          { errors: [{ message: (error as AppError).message, extensions: { code: 'PAYLOAD_TOO_LARGE' } }] },
          { status: 413 },
        )
      }
    }
    return yoga.fetch(new Request(request.url, { method: request.method, headers: request.headers, body }), { http })
  }

  async function fetch(request: Request, server: { clientIp?: string } = {}): Promise<Response> {
    const started = performance.now()
    const http: RequestState = { requestId: requestIdFor(request), clientIp: server.clientIp ?? 'local', setCookies: [], headers: {} }
    let response: Response
    try {
      response = await route(request, http)
    } catch (error) {
      logger.error({ err: error, request_id: http.requestId }, 'unhandled error')
      response = Response.json({ error: 'Internal Server Error', message: 'Unexpected error' }, { status: 500 })
    }
    response = withHeaders(response, http)
    const url = new URL(request.url)
    logger.info({
      method: request.method,
      path: url.pathname,
      status: response.status,
      duration_ms: Math.round((performance.now() - started) * 100) / 100,
      account_id: http.accountId ?? null,
      request_id: http.requestId,
    })
    return response
  }

  return { fetch, config, logger }
}

async function readiness(): Promise<Response> {
  try {
    await db.$queryRaw`SELECT 1`
    return Response.json({ status: 'ok', database: 'up' })
  } catch {
    return Response.json({ status: 'unavailable', database: 'down' }, { status: 503 })
  }
}

/** Adds the request id, cookies and any per-request headers; copies if the headers are frozen. */
function withHeaders(response: Response, http: RequestState): Response {
  let headers: Headers
  try {
    headers = response.headers
    headers.set('X-Request-Id', http.requestId)
  } catch {
    response = new Response(response.body, { status: response.status, statusText: response.statusText, headers: response.headers })
    headers = response.headers
    headers.set('X-Request-Id', http.requestId)
  }
  for (const cookie of http.setCookies) headers.append('Set-Cookie', cookie)
  for (const [name, value] of Object.entries(http.headers)) headers.set(name, value)
  return response
}
