/**
 * Requests the Node adaptor cannot turn into a fetch Request (a `Host` header with port 99999, a
 * path that is not a URL) never reach the router: they are answered here, 400 with a JSON body
 * like every other refusal and an info line saying why. Anything else thrown at this level is a
 * fault, logged with its stack.
 */
import { RequestError } from '@hono/node-server'
import type { Logger } from 'pino'
import { jsonResponse } from './respond.js'

export function answerUnreadableRequest(error: unknown, logger: Logger): Response {
  if (error instanceof RequestError) {
    logger.info({ status: 400, reason: error.message }, 'refused a request that is not valid HTTP')
    return jsonResponse({ error: 'Bad Request', message: `${error.message}` }, 400)
  }
  logger.error({ err: error }, 'unexpected error before the router')
  return jsonResponse({ error: 'Internal Server Error', message: 'Unexpected error' }, 500)
}
