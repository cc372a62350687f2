import type { Scope } from '../context/principal.js'

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

/** What a route row sees of the request. */
export interface RestInput {
  params: Record<string, string>
  query: URLSearchParams
  /** The parsed JSON body ({} when there is none). */
  body: Record<string, unknown>
  headers: Headers
}

export type RestResult =
  | { status?: number; body: unknown; headers?: Record<string, string> }
  | { status?: number; text: string; contentType: string }

/**
 * One documented REST route: which GraphQL operation it runs and how the HTTP request and
 * response map onto it. Rows are data; src/rest/handler.ts executes them all the same way.
 */
export interface RestRoute {
  method: HttpMethod
  /** Relative to the surface prefix, with `:name` path parameters: `/conversations/:conversationId`. */
  path: string
  summary: string
  /** The scope the operation requires (the schema enforces it; listed here for docs). */
  scope?: Scope
  /** A GraphQL operation on the shared schema, parsed and validated once at start-up. */
  document: string
  /** Maps path, query and body onto the operation's variables; throws AppError on bad input. */
  variables?: (input: RestInput) => Record<string, unknown>
  /** Maps the operation's data onto the documented response; `null` means "not found". */
  respond: (data: Record<string, any>, input: RestInput) => RestResult | null
  /** The 404 message when `respond` returns null. */
  notFound?: string
}

/** A REST surface: a prefix, its routes and its documented error body. */
export interface RestSurface {
  name: string
  prefix: string
  routes: RestRoute[]
  /** Only GET and HEAD exist under this prefix; anything else is 405 `Allow: GET, HEAD`. */
  readOnly?: boolean
  errorBody: (status: number, message: string) => unknown
}
