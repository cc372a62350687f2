/**
 * The server as a value: one Hono router with its middleware, handing /graphql to Yoga and
 * mounting the REST rows, provider callbacks, the API reference and the portal. main.ts listens;
 * tests call `app.fetch(new Request(...))` with no port.
 */
import { Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { methodNotAllowed } from 'hono/method-not-allowed'
import { type Logger, pino } from 'pino'
import { mountCallbacks } from './endpoints/callbacks.js'
import { mountDocs } from './endpoints/docs.js'
import { createGraphQL, mountGraphQL } from './endpoints/graphql.js'
import { mountHealth } from './endpoints/health.js'
import { mountPortal, PORTAL_BASE } from './endpoints/portal.js'
import type { Config } from './env.js'
import { MAX_BODY_BYTES, tooLarge } from './http/body.js'
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
  const app = new Hono<AppEnv>({ strict: false })

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
  for (const prefix of ['/graphql', ...surfaces.map((surface) => `${surface.prefix}/*`)]) app.use(prefix, limit)

  app.get('/', (c) => c.redirect(`${PORTAL_BASE}/`))
  mountHealth(app, logger)
  mountGraphQL(app, yoga)
  mountSurfaces(app, surfaces, yoga)
  mountCallbacks(app, config, logger)
  mountDocs(app, schema)
  mountPortal(app)

  app.notFound((c) => errorResponse(c.req.path, 404, `No route for ${c.req.path}`))
  app.onError((error, c) => answerError(error, c, logger))
  return { fetch: async (request, env) => app.fetch(request, env), config, logger }
}
