/**
 * The server as a value: one Hono router with its middleware, handing /graphql to Yoga and
 * mounting the REST rows, provider callbacks, the API reference and the portal. main.ts listens;
 * tests call `app.fetch(new Request(...))` with no port.
 */
import { Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { methodNotAllowed } from 'hono/method-not-allowed'
import { secureHeaders } from 'hono/secure-headers'
import { type Logger, pino } from 'pino'
import { redisTimeouts } from './context/limiters.js'
import { redisClient } from './context/redis.js'
import { mountCallbacks } from './endpoints/callbacks.js'
import { mountDocs } from './endpoints/docs.js'
import { createGraphQL, mountGraphQL } from './endpoints/graphql.js'
import { mountHealth } from './endpoints/health.js'
import { mountMetrics } from './endpoints/metrics.js'
import { mountPortal, PORTAL_BASE } from './endpoints/portal.js'
import type { Config } from './env.js'
import { MAX_BODY_BYTES, tooLarge } from './http/body.js'
import { corsPolicy } from './http/cors.js'
import { type AppEnv, requestState } from './http/state.js'
import { answerError } from './rest/errors.js'
import { mountSurfaces } from './rest/handler.js'
import { errorResponse, surfaces } from './rest/surfaces.js'
import { schema } from './schema/index.js'

export interface App {
  fetch(request: Request, env?: AppEnv['Bindings']): Promise<Response>
  config: Config
  logger: Logger
}

export function createApp(config: Config, logger: Logger = pino({ level: config.LOG_LEVEL })): App {
  const yoga = createGraphQL(config, logger)
  // Connected now, not on the first counted request: readiness reports it and its state changes are logged.
  if (config.REDIS_URL) redisClient(config.REDIS_URL, redisTimeouts(config), logger)
  const app = new Hono<AppEnv>({ strict: false })

  const apiPaths = ['/graphql', ...surfaces.map((surface) => `${surface.prefix}/*`)]
  app.use(requestState(logger))
  // Hono hands only Error values to onError; a body stream may reject with another value (an
  // abort reason), which would otherwise escape the handler and the request log.
  app.use(async (_c, next) => {
    try {
      await next()
    } catch (thrown) {
      throw thrown instanceof Error ? thrown : new Error(String(thrown), { cause: thrown })
    }
  })
  // Cross-origin reads of API answers are governed by CORS below, so no Cross-Origin-Resource-Policy.
  app.use(secureHeaders({ xFrameOptions: 'DENY', referrerPolicy: 'same-origin', crossOriginResourcePolicy: false }))
  // Before the 405 check: a preflight (OPTIONS) is answered here for every API path.
  const cors = corsPolicy(config)
  for (const path of apiPaths) app.use(path, cors)
  app.use(
    methodNotAllowed({
      app,
      onMethodNotAllowed: (c, methods) =>
        errorResponse(c.req.path, 405, `Method ${c.req.method} is not allowed here`, { Allow: methods.join(', ') }),
    }),
  )
  const limit = bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: () => {
      throw tooLarge()
    },
  })
  for (const path of apiPaths) app.use(path, limit)

  app.get('/', (c) => c.redirect(`${PORTAL_BASE}/`))
  mountHealth(app, config, logger)
  mountMetrics(app, config)
  mountGraphQL(app, yoga)
  mountSurfaces(app, surfaces, yoga)
  mountCallbacks(app, config, logger)
  mountDocs(app, schema)
  mountPortal(app)

  app.notFound((c) => errorResponse(c.req.path, 404, `No route for ${c.req.path}`))
  app.onError((error, c) => answerError(error, c, logger))
  return { fetch: async (request, env) => app.fetch(request, env), config, logger }
}
