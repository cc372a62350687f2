/**
 * Reads a route row's contract off the row itself, so the OpenAPI documents cannot drift from
 * what the handler runs: `variables` is called with a recording query string (the param helpers
 * describe what they read) and a probe body (parseBody hands over its zod schema); `respond` is
 * called with symbolic data built from the operation's result schema, and whatever envelope it
 * builds is turned back into a schema.
 */

import type { RestInput, RestRoute } from '../route.js'
import type { JsonSchema } from './result-schema.js'

const SCHEMA = Symbol('schema')

/** A query string that records which parameters a row reads, and how. */
export class ParamRecorder extends URLSearchParams {
  readonly described = new Map<string, JsonSchema>()
  override get(name: string): string | null {
    if (!this.described.has(name)) this.described.set(name, { type: 'string' })
    return null
  }
  describe(name: string, schema: JsonSchema) {
    this.described.set(name, schema)
  }
}

const BODY_PROBE = Symbol('body probe')
class ProbeStop extends Error {}

/** Called by parseBody: a probe body records the schema and stops the row there. */
export function probeBody(body: Record<string, unknown>, schema: () => JsonSchema): void {
  const record = (body as { [BODY_PROBE]?: (s: JsonSchema) => void })[BODY_PROBE]
  if (!record) return
  record(schema())
  throw new ProbeStop()
}

export interface RouteContract {
  query: Map<string, JsonSchema>
  body?: JsonSchema
  status: number
  response: { kind: 'json'; schema: JsonSchema } | { kind: 'text'; contentType: string } | { kind: 'none' }
}

export function probeRoute(route: RestRoute, dataSchema: JsonSchema, pathParams: string[]): RouteContract {
  const query = new ParamRecorder()
  let body: JsonSchema | undefined
  const input: RestInput = {
    params: Object.fromEntries(pathParams.map((p) => [p, `{${p}}`])),
    url: new URL('http://probe/'),
    query,
    body: { [BODY_PROBE]: (schema: JsonSchema) => (body = schema) } as Record<string, unknown>,
    headers: new Headers(),
  }
  try {
    route.variables?.(input)
  } catch {
    // A probe stop, or a row rejecting the empty probe input: what it read so far is recorded.
  }
  const shaped = route.respond(symbolic(dataSchema) as Record<string, never>, { ...input, query: new ParamRecorder(), body: {} })
  if (shaped === null) return { query: query.described, body, status: 404, response: { kind: 'none' } }
  if ('text' in shaped)
    return { query: query.described, body, status: shaped.status ?? 200, response: { kind: 'text', contentType: shaped.contentType } }
  return { query: query.described, body, status: shaped.status ?? 200, response: { kind: 'json', schema: schemaOf(shaped.body) } }
}

/** Plain objects whose properties are symbolic children; lists hold one symbolic item. */
function symbolic(schema: JsonSchema): unknown {
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type
  let value: object
  if (type === 'object' && schema.properties) {
    value = Object.fromEntries(Object.entries(schema.properties as Record<string, JsonSchema>).map(([k, v]) => [k, symbolic(v)]))
  } else if (type === 'array') {
    value = [symbolic(schema.items as JsonSchema)]
  } else {
    value = {}
  }
  Object.defineProperty(value, SCHEMA, { value: schema, enumerable: false })
  return value
}

/** The schema of what `respond` built: symbolic values keep theirs, literals become consts. */
function schemaOf(value: unknown): JsonSchema {
  if (value !== null && typeof value === 'object' && SCHEMA in value) return (value as { [SCHEMA]: JsonSchema })[SCHEMA]
  if (Array.isArray(value)) return { type: 'array', items: value.length ? schemaOf(value[0]) : {} }
  if (value !== null && typeof value === 'object') {
    const properties = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, schemaOf(v)]))
    return { type: 'object', properties, required: Object.keys(properties) }
  }
  if (typeof value === 'boolean') return { type: 'boolean', const: value }
  if (typeof value === 'number') return { type: Number.isInteger(value) ? 'integer' : 'number' }
  if (typeof value === 'string') return { type: 'string' }
  return {}
}
