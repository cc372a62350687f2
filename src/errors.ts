/**
 * One error class with a code, and one table from code to HTTP status. Resolvers throw
 * AppError; GraphQL shows the code as `extensions.code`, and the REST handler maps the same code
 * to its status and to the surface's documented body. Anything that is not an AppError (or a
 * GraphQL validation error) is a fault and stays masked.
 */
import { GraphQLError } from 'graphql'

export const httpStatusByCode = {
  BAD_REQUEST: 400,
  /** A GraphQL operation over the cost limit (src/endpoints/graphql-cost.ts). */
  COST_LIMIT_EXCEEDED: 400,
  /** A GraphQL operation over the depth, alias, directive or token limit (src/endpoints/graphql-limits.ts). */
  OPERATION_LIMIT_EXCEEDED: 400,
  UNAUTHENTICATED: 401,
  PAYMENT_REQUIRED: 402,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  CONFLICT: 409,
  GONE: 410,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  INTERNAL_SERVER_ERROR: 500,
  PROVIDER_ERROR: 502,
  SERVICE_UNAVAILABLE: 503,
} as const

export type ErrorCode = keyof typeof httpStatusByCode

export class AppError extends GraphQLError {
  readonly code: ErrorCode
  constructor(code: ErrorCode, message: string, options: { headers?: Record<string, string> } = {}) {
    super(message, {
      extensions: {
        code,
        // graphql-yoga reads extensions.http to answer GraphQL-over-HTTP requests.
        http: { status: httpStatusByCode[code], ...(options.headers ? { headers: options.headers } : {}) },
      },
    })
    this.code = code
  }
}

export const badRequest = (message: string) => new AppError('BAD_REQUEST', message)
export const notFound = (message: string) => new AppError('NOT_FOUND', message)
export const conflict = (message: string) => new AppError('CONFLICT', message)
export const gone = (message: string) => new AppError('GONE', message)

/** A write Prisma refused for a unique index another row already holds (P2002). */
export const isUniqueViolation = (error: unknown) => (error as { code?: string } | undefined)?.code === 'P2002'

/** The code carried by a GraphQL error, if it is one of ours. */
export function errorCodeOf(error: unknown): ErrorCode | undefined {
  const code = (error as GraphQLError | undefined)?.extensions?.code
  return typeof code === 'string' && code in httpStatusByCode ? (code as ErrorCode) : undefined
}

/** Standard reason phrases, for the CRM surfaces' `{"error": "<reason>"}` bodies. */
export const reasonPhrase: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  402: 'Payment Required',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  410: 'Gone',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
}

/**
 * A PostgreSQL data exception (SQLSTATE class 22: U+0000 in text, a value too long or out of
 * range) raised by a value from the request, as Prisma's driver adapters report it. Field rules
 * refuse such values first; one that slips through is the caller's bad input, answered 400.
 */
export function dataExceptionOf(error: unknown): AppError | undefined {
  const cause = (error as { meta?: { driverAdapterError?: { cause?: { originalCode?: unknown } } } } | undefined)?.meta?.driverAdapterError
    ?.cause
  const code = typeof cause?.originalCode === 'string' ? cause.originalCode : undefined
  if (!code?.startsWith('22')) return undefined
  return badRequest(
    code === '22021' || code === '22P05'
      ? 'Text must not contain the character U+0000'
      : 'A value in the request does not fit its field (too long, out of range or malformed)',
  )
}
