/**
 * What a REST route row is. Rows are data: each names a GraphQL operation and declares, with zod,
 * the path parameters, query string and body it accepts; src/rest/handler.ts validates and runs
 * them all the same way, and src/rest/openapi/ describes them from the same declarations.
 */
import type { z } from 'zod'
import type { Scope } from '../context/principal.js'
import type { ResultShape } from './results.js'

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

/** A document string that carries its result type (graphql-codegen's TypedDocumentString). */
// biome-ignore lint/complexity/noBannedTypes: codegen's TypedDocumentString is a String object
export interface TypedDocument<TResult> extends String {
  __apiType?: (variables: never) => TResult
}

type AnyObject = z.ZodObject<z.ZodRawShape>
type Output<T> = T extends z.ZodType ? z.output<T> : Record<string, never>

/** The request as a row sees it, validated by the row's own schemas. */
export interface RestInput<P = Record<string, string>, Q = Record<string, unknown>, B = Record<string, unknown>> {
  params: P
  query: Q
  body: B
  /** The raw query string, for parameters whose exact spelling matters (a `+` typed into a search). */
  url: URL
}

export interface RestRoute<
  TResult = unknown,
  P extends AnyObject | undefined = AnyObject | undefined,
  Q extends AnyObject | undefined = AnyObject | undefined,
  B extends z.ZodType | undefined = z.ZodType | undefined,
> {
  method: HttpMethod
  /** Relative to the surface prefix, with `:name` path parameters: `/conversations/:conversationId`. */
  path: string
  summary: string
  /** The scope the operation needs (the schema enforces it; listed for the documents). */
  scope?: Scope
  /** Path parameters; by default each `:name` is an id (src/schema/rules.ts). */
  params?: P
  query?: Q
  /** The JSON body of a POST, PUT or PATCH. */
  body?: B
  /** A GraphQL operation on the shared schema, parsed and validated once at start-up. */
  document: TypedDocument<TResult>
  /** Maps the validated input onto the operation's variables. */
  variables?: (input: RestInput<Output<P>, Output<Q>, Output<B>>) => Record<string, unknown>
  /** Shapes the operation's data into the documented answer (and describes it for OpenAPI). */
  result: ResultShape<TResult>
  /** The 404 message when the result is missing. */
  notFound?: string
  /** Error statuses beyond the ones every route can answer (for the documents). */
  errors?: number[]
}

/** Declares a row, typing `variables` from its schemas and `result` from its document. */
export const defineRoute = <
  TResult,
  P extends AnyObject | undefined = undefined,
  Q extends AnyObject | undefined = undefined,
  B extends z.ZodType | undefined = undefined,
>(
  route: RestRoute<TResult, P, Q, B>,
): AnyRoute => route as unknown as AnyRoute

// biome-ignore lint/suspicious/noExplicitAny: rows of every result type live in one table
export type AnyRoute = RestRoute<any>

/** A page of rows as the schema's page fields give it. */
export interface Page {
  items: unknown[]
  total: number
  limit: number
  offset: number
}

/** A cursor page: the rows, whether more follow, where to continue, and the total only when asked. */
export interface CursorPage {
  items: unknown[]
  hasMore: boolean
  /** The last row's cursor; the request's own cursor when the page is empty (null on an empty first page). */
  nextCursor: string | null
  total?: number
}

/** A REST surface: a prefix, its rows and its documented conventions. */
export interface RestSurface {
  name: string
  prefix: string
  routes: AnyRoute[]
  /** Only GET and HEAD exist under this prefix; anything else is 405 `Allow: GET, HEAD`. */
  readOnly?: boolean
  /** The surface's error body. */
  errorBody: (status: number, message: string) => unknown
  /** The surface's list envelope around a page, and its schema. */
  pageEnvelope: (page: Page, query: Record<string, unknown>) => unknown
  pageSchema: (items: Record<string, unknown>) => Record<string, unknown>
  /** The same list's envelope around a cursor page (src/rest/sync.ts), and its schema. */
  cursorEnvelope: (page: CursorPage, query: Record<string, unknown>) => unknown
  cursorSchema: (items: Record<string, unknown>) => Record<string, unknown>
}
