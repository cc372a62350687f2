import type { Scope } from '../context/principal.js'

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

/** What a route row sees of the request. */
export interface RestInput {
  params: Record<string, string>
  /** The request URL, for parameters whose raw spelling matters (a `+` typed into a search). */
  url: URL
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
/** A document string that carries its result type (graphql-codegen's TypedDocumentString). */
// biome-ignore lint/complexity/noBannedTypes: codegen's TypedDocumentString is a String object
export interface TypedDocument<TResult> extends String {
  __apiType?: (variables: never) => TResult
}

/** Declares a row with its result type inferred from a typed document. */
export const defineRoute = <TResult>(route: RestRoute<TResult>): RestRoute => route as RestRoute

export interface RestRoute<TResult = Record<string, any>> {
  method: HttpMethod
  /** Relative to the surface prefix, with `:name` path parameters: `/conversations/:conversationId`. */
  path: string
  summary: string
  /** The scope the operation requires (the schema enforces it; listed here for docs). */
  scope?: Scope
  /**
   * A GraphQL operation on the shared schema, parsed and validated once at start-up; a typed
   * document from `graphql(...)` (codegen.ts) makes `respond` see the operation's result type.
   */
  document: string | TypedDocument<TResult>
  /** Maps path, query and body onto the operation's variables; throws AppError on bad input. */
  variables?: (input: RestInput) => Record<string, unknown>
  /** Maps the operation's data onto the documented response; `null` means "not found". */
  respond: (data: TResult, input: RestInput) => RestResult | null
  /** The 404 message when `respond` returns null. */
  notFound?: string
  /** Error statuses beyond the ones every route can answer (for the OpenAPI documents). */
  errors?: number[]
}

/** A REST surface: a prefix, its routes and its documented error body. */
export interface RestSurface {
  name: string
  prefix: string
  routes: RestRoute[]
  /** Only GET and HEAD exist under this prefix; anything else is 405 `Allow: GET, HEAD`. */
  readOnly?: boolean
  /** Writes (POST, PUT, PATCH) honour an `Idempotency-Key` header (src/rest/idempotency.ts). */
  idempotent?: boolean
  errorBody: (status: number, message: string) => unknown
}
