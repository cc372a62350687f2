/**
 * The router's error handler: an error of ours (a code from src/errors.ts) is answered with its
 * status in the shape of the surface the path belongs to; a client that went away gets nothing
 * and is not an error; a database outage is 503 with Retry-After; anything else is a fault, logged with its cause and the request id, and
 * answered 500 without detail.
 */
import type { Context } from 'hono'
import type { Logger } from 'pino'
import { databaseFailure } from '../db/outage.js'
import { dataExceptionOf, errorCodeOf, httpStatusByCode } from '../errors.js'
import type { AppEnv } from '../http/state.js'
import { errorResponse } from './surfaces.js'

export function answerError(error: Error, c: Context<AppEnv>, logger: Logger): Response {
  const code = errorCodeOf(error)
  if (code) {
    const http = (error as { extensions?: { http?: { headers?: Record<string, string> } } }).extensions?.http
    return errorResponse(c.req.path, httpStatusByCode[code], error.message, http?.headers)
  }
  const requestId = c.var.state?.requestId
  const refused = dataExceptionOf(error)
  if (refused) {
    logger.warn({ err: error, request_id: requestId }, 'database refused a value')
    return errorResponse(c.req.path, 400, refused.message)
  }
  if (c.req.raw.signal.aborted) {
    logger.info({ request_id: requestId }, 'client closed the request')
    return new Response(null, { status: 499 })
  }
  const failure = databaseFailure(error)
  if (failure) {
    logger.warn({ err: error, request_id: requestId }, 'database could not serve the request: answered 503')
    return answerError(failure, c, logger)
  }
  logger.error({ err: error, request_id: requestId }, 'unexpected error')
  return errorResponse(c.req.path, 500, 'Unexpected error')
}
