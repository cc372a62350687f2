/**
 * `/graphql`: the schema served by graphql-yoga. REST rows run their operations through the same
 * instance's enveloped pipeline (src/rest/handler.ts), so both share context, auth, limits and
 * error masking. A fault inside a resolver is masked for the caller and logged here with its cause
 * and the request id.
 */
import { useGraphQlJit } from '@envelop/graphql-jit'
import type { GraphQLError } from 'graphql'
import { createYoga, type MaskError, maskError, type Plugin, type YogaServerInstance } from 'graphql-yoga'
import type { Hono } from 'hono'
import type { Logger } from 'pino'
import { type Context, createContext } from '../context/context.js'
import { databaseFailure } from '../db/outage.js'
import type { Config } from '../env.js'
import { errorCodeOf } from '../errors.js'
import { type AppEnv, currentRequest, type RequestState } from '../http/state.js'
import { schema } from '../schema/index.js'
import { useIdempotencyKey } from './graphql-idempotency.js'
import { limitPlugins } from './graphql-limits.js'

export type Yoga = YogaServerInstance<{ http: RequestState }, Context>

export function createGraphQL(config: Config, logger: Logger): Yoga {
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
      // REST rows run fixed documents: each is compiled once into plain JavaScript, which skips most of
      // the generic executor's per-field work. /graphql keeps the reference executor, whose request-error
      // statuses follow the GraphQL-over-HTTP spec exactly.
      useGraphQlJit({}, { enableIf: (args) => (args.contextValue as { viaRest?: boolean }).viaRest === true }),
      ...limitPlugins(config),
      useFaultLog(logger),
      useIdempotencyKey(),
    ],
    maskedErrors: { maskError: maskOutages(logger) },
  })
}

/**
 * Masks faults as Yoga does, except the database's: an outage or a statement past its timeout is
 * answered SERVICE_UNAVAILABLE (HTTP 503 with Retry-After) and logged here with its cause, since it
 * is not the caller's error.
 */
const maskOutages =
  (logger: Logger): MaskError =>
  (error, message, isDev) => {
    const failure = databaseFailure(error)
    if (!failure) return maskError(error, message, isDev)
    const cause = (error as GraphQLError).originalError ?? error
    logger.warn({ err: cause, request_id: currentRequest()?.requestId }, 'database could not serve the request: answered 503')
    return failure
  }

/** Logs every error that is not the caller's (no code of ours, not GraphQL's own) with its cause. */
const useFaultLog = (logger: Logger): Plugin<Context> => ({
  onExecute: () => ({
    onExecuteDone: ({ args, result }) => {
      const errors = 'errors' in result ? (result.errors ?? []) : []
      for (const error of errors) {
        const cause = error.originalError
        // A database outage is not a fault of ours: maskOutages answers and logs it.
        if (!cause || errorCodeOf(error) || cause.name === 'GraphQLError' || databaseFailure(cause)) continue
        logger.error({ err: cause, path: error.path, request_id: args.contextValue.http.requestId }, 'unexpected error in a resolver')
      }
    },
  }),
})

export function mountGraphQL(app: Hono<AppEnv>, yoga: Yoga): void {
  app.on(['GET', 'POST'], '/graphql', (c) => yoga.fetch(c.req.raw, { http: c.var.state }))
}
