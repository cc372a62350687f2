/**
 * `/graphql`: the schema served by graphql-yoga. REST rows run their operations through the same
 * instance's enveloped pipeline (src/rest/handler.ts), so both share context, auth, limits and
 * error masking. A fault inside a resolver is masked for the caller and logged here with its cause
 * and the request id.
 */
import { GraphQLError } from 'graphql'
import { createYoga, type MaskError, maskError, type Plugin, type YogaServerInstance } from 'graphql-yoga'
import type { Hono } from 'hono'
import type { Logger } from 'pino'
import { type Context, createContext } from '../context/context.js'
import { databaseFailure } from '../db/outage.js'
import type { Config } from '../env.js'
import { dataExceptionOf, errorCodeOf, httpStatusByCode } from '../errors.js'
import type { AppEnv, RequestState } from '../http/state.js'
import { schema } from '../schema/index.js'
import { logLiveFailuresTo } from '../services/live/subscriptions.js'
import { executionPlugins } from './graphql-execution.js'
import { useIdempotencyKey } from './graphql-idempotency.js'
import { limitPlugins } from './graphql-limits.js'
import { useLiveEvents } from './graphql-sse.js'
import { useInputRefusals } from './input-refusals.js'

export type Yoga = YogaServerInstance<{ http: RequestState }, Context>

export function createGraphQL(config: Config, logger: Logger): Yoga {
  logLiveFailuresTo(logger)
  return createYoga<{ http: RequestState }, Context>({
    schema,
    context: ({ request, http }) => createContext(request, http, config),
    graphqlEndpoint: '/graphql',
    graphiql: config.NODE_ENV !== 'production' ? { title: 'CRM GraphQL' } : false,
    // Loaded on first use: the bundled GraphiQL page costs ~75 MB of memory once imported.
    renderGraphiQL: async (options) => (await import('@graphql-yoga/render-graphiql')).renderGraphiQL(options),
    landingPage: false,
    logging: false,
    // The router answers CORS (src/http/cors.ts), with credentials for the portal's origin only.
    cors: false,
    plugins: [
      ...limitPlugins(config),
      useInputRefusals(),
      ...executionPlugins(),
      useFaultLog(logger),
      useIdempotencyKey(),
      // Subscriptions over SSE: event ids to resume from, heartbeats (graphql-sse.ts).
      useLiveEvents(config.SSE_HEARTBEAT_MS),
    ],
    maskedErrors: { maskError: maskDataExceptions(maskOutages) },
  })
}

/**
 * Masks faults as Yoga does, except the database's: an outage or a statement past its timeout is
 * answered SERVICE_UNAVAILABLE (HTTP 503 with Retry-After), since it is not the caller's error.
 * useFaultLog logs it with the request id.
 */
const maskOutages: MaskError = (error, message, isDev) => databaseFailure(error) ?? maskError(error, message, isDev)

/** Logs every error that is not the caller's (no code of ours, not GraphQL's own) with its cause. */
const useFaultLog = (logger: Logger): Plugin<Context> => ({
  // Building the context (authentication) can fail too, before any resolver runs.
  onPluginInit: ({ registerContextErrorHandler }) =>
    registerContextErrorHandler(({ context, error }) => {
      if (errorCodeOf(error) || (error as Error | undefined)?.name === 'GraphQLError') return
      const requestId = (context as Partial<Context>).http?.requestId
      if (databaseFailure(error)) logger.warn({ err: error, request_id: requestId }, 'database could not serve the request: answered 503')
      else logger.error({ err: error, request_id: requestId }, 'unexpected error while authenticating')
    }),
  onExecute: () => ({
    onExecuteDone: ({ args, result }) => {
      const errors = 'errors' in result ? (result.errors ?? []) : []
      for (const error of errors) {
        const cause = error.originalError
        const code = errorCodeOf(error)
        if (code && httpStatusByCode[code] >= 500) {
          // A provider that failed: not our fault, but a 5xx, so its cause is on record.
          logger.warn({ err: error, path: error.path, request_id: args.contextValue.http.requestId }, 'answered with a 5xx')
          continue
        }
        if (!cause || code || cause.name === 'GraphQLError') continue
        // The client went away: resolvers stop (src/schema/abort-checks.ts), which is not a fault.
        if (cause === args.contextValue.request.signal.reason) continue
        if (databaseFailure(cause)) {
          // Not a fault of ours: maskOutages answers 503.
          logger.warn(
            { err: cause, path: error.path, request_id: args.contextValue.http.requestId },
            'database could not serve the request: answered 503',
          )
          continue
        }
        if (dataExceptionOf(cause)) {
          // Answered 400; logged because a field rule should have refused the value first.
          logger.warn({ err: cause, path: error.path, request_id: args.contextValue.http.requestId }, 'database refused a value')
          continue
        }
        logger.error({ err: cause, path: error.path, request_id: args.contextValue.http.requestId }, 'unexpected error in a resolver')
      }
    },
  }),
})

/** A database data exception is the caller's bad value (400 BAD_REQUEST); anything else goes to `next`. */
const maskDataExceptions =
  (next: MaskError): MaskError =>
  (error, message, isDev) => {
    const refused = error instanceof GraphQLError ? dataExceptionOf(error.originalError) : undefined
    if (!refused || !(error instanceof GraphQLError)) return next(error, message, isDev)
    return new GraphQLError(refused.message, { nodes: error.nodes, path: error.path, extensions: refused.extensions })
  }

export function mountGraphQL(app: Hono<AppEnv>, yoga: Yoga): void {
  app.on(['GET', 'POST'], '/graphql', async (c) => {
    const answer = await yoga.fetch(c.req.raw, { http: c.var.state })
    return singleResult(answer) ? new Response(await answer.text(), { status: answer.status, headers: answer.headers }) : answer
  })
}

/**
 * A single JSON result (every query and mutation) is handed on as text in a Response of the
 * running platform: the Node adapter writes such a body straight to the socket, where Yoga's own
 * Response would be read back through a web stream. Streams (subscriptions, GraphiQL) pass as they are.
 */
function singleResult(answer: Response): boolean {
  const type = answer.headers.get('content-type') ?? ''
  return type.startsWith('application/json') || type.startsWith('application/graphql-response+json')
}
