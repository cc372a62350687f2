/**
 * How a row turns its operation's data into the documented answer. Each shape does two things
 * from one declaration: `shape` builds the answer at request time, and `describe` gives the
 * OpenAPI generator the answer's schema from the schema of the operation's data — so the
 * document and the answer cannot drift. Paths are dotted field names of the data.
 */
import type { JsonSchema } from './openapi/json-schema.js'
import type { CursorPage, Page, RestInput, RestSurface } from './route.js'

export type RestResult =
  | { status?: number; body: unknown; headers?: Record<string, string> }
  | { status?: number; text: string; contentType: string }

export interface Described {
  status: number
  /** Another success status answered with the same body (an upsert's 200). */
  alsoStatus?: number
  /** Media type → schema. */
  content: Record<string, JsonSchema>
}

export interface ResultShape<TResult = unknown> {
  /** The answer, or null for "not found" (the row's `notFound` message, 404). */
  shape(data: TResult, input: RestInput, surface: RestSurface): RestResult | null
  /** `components`: the resource schemas made so far, by name (`Customer`), to build on one. */
  describe(data: JsonSchema, surface: RestSurface, components?: ReadonlyMap<string, JsonSchema>): Described
}

/** `{"data": <the value at path>}`; a null value is a 404. */
export const item = (path: string, status = 200): ResultShape => ({
  shape: (data) => {
    const value = at(data, path)
    return value == null ? null : { status, body: { data: value } }
  },
  describe: (schema) => ({ status, content: json(objectOf({ data: nonNull(schemaAt(schema, path)) })) }),
})

/** The connection a cursor page reads, as the document selects it (src/rest/sync.ts). */
interface Connection {
  edges: { node: unknown }[]
  pageInfo: { hasNextPage: boolean; endCursor: string | null }
  totalCount?: number
}

/**
 * The surface's list envelope around the offset page at `path`, or, when the request pages by
 * cursor, around the connection at `connectionPath`; a null parent is a 404.
 */
export const page = (path: string, connectionPath?: string): ResultShape => ({
  shape: (data, input, surface) => {
    const connection = connectionPath ? (at(data, connectionPath) as Connection | null | undefined) : undefined
    if (connection) return { body: surface.cursorEnvelope(cursorPage(connection, input), input.query) }
    const value = at(data, path) as Page | null
    return value == null ? null : { body: surface.pageEnvelope(value, input.query) }
  },
  describe: (schema, surface) => {
    const items = (nonNull(schemaAt(schema, `${path}.items`)).items ?? {}) as JsonSchema
    if (!connectionPath) return { status: 200, content: json(surface.pageSchema(items)) }
    return { status: 200, content: json({ oneOf: [surface.pageSchema(items), surface.cursorSchema(items)] }) }
  },
})

function cursorPage(connection: Connection, input: RestInput): CursorPage {
  const given = (input.query.cursor || input.query.starting_after || null) as string | null
  return {
    items: connection.edges.map((edge) => edge.node),
    hasMore: connection.pageInfo.hasNextPage,
    nextCursor: connection.pageInfo.endCursor ?? given,
    ...(connection.totalCount === undefined ? {} : { total: connection.totalCount }),
  }
}

/** An upsert: 201 `{"data": record}` when `created`, 200 when it updated. */
export const saved = (path: string, record: string): ResultShape => ({
  shape: (data) => {
    const value = at(data, path) as { created: boolean } & Record<string, unknown>
    return { status: value.created ? 201 : 200, body: { data: value[record] } }
  },
  describe: (schema) => ({
    status: 201,
    alsoStatus: 200,
    content: json(objectOf({ data: nonNull(schemaAt(schema, `${path}.${record}`)) })),
  }),
})

/**
 * A delete or restore: `{"data": <the record at path.record>, …the payload's other fields}`, so the
 * record keeps the shape of a read and what went with it sits beside it. A null payload is a 404.
 */
export const withRecord = (path: string, record: string): ResultShape => ({
  shape: (data) => {
    const payload = at(data, path) as Record<string, unknown> | null
    if (payload?.[record] == null) return null
    const { [record]: value, ...beside } = payload
    return { body: { data: value, ...beside } }
  },
  describe: (schema) => {
    const { [record]: recordSchema, ...beside } = nonNull(schemaAt(schema, path)).properties as Record<string, JsonSchema>
    return { status: 200, content: json(objectOf({ data: nonNull(recordSchema), ...beside })) }
  },
})

/** An answer of the row's own making, with its schema made from the data's. */
export const custom = <TResult>(
  shape: (data: TResult, input: RestInput) => RestResult | null,
  describe: (data: JsonSchema) => Described,
): ResultShape<TResult> => ({ shape: (data, input) => shape(data, input), describe })

// ───────── helpers for shapes and their schemas ─────────

export const json = (schema: JsonSchema) => ({ 'application/json': schema })

export const objectOf = (properties: Record<string, JsonSchema>): JsonSchema => ({
  type: 'object',
  properties,
  required: Object.keys(properties),
  additionalProperties: false,
})

export function at(value: unknown, path: string): unknown {
  let current = value
  for (const key of path.split('.')) current = (current as Record<string, unknown> | null | undefined)?.[key]
  return current
}

/** The schema of the value at `path`; a path the data does not have is a programming error. */
export function schemaAt(schema: JsonSchema, path: string): JsonSchema {
  let current = schema
  for (const key of path.split('.')) {
    const properties = nonNull(current).properties as Record<string, JsonSchema> | undefined
    if (!properties?.[key]) throw new Error(`The operation's data has no field ${path}`)
    current = properties[key]
  }
  return current
}

/** The schema without its `null` alternative: what a present value looks like. */
export function nonNull(schema: JsonSchema): JsonSchema {
  if (Array.isArray(schema.anyOf)) {
    const rest = (schema.anyOf as JsonSchema[]).filter((s) => s.type !== 'null')
    return rest.length === 1 ? rest[0] : { ...schema, anyOf: rest }
  }
  if (Array.isArray(schema.type)) {
    const types = (schema.type as string[]).filter((t) => t !== 'null')
    const enumValues = Array.isArray(schema.enum) ? { enum: (schema.enum as unknown[]).filter((v) => v !== null) } : {}
    return { ...schema, ...enumValues, type: types.length === 1 ? types[0] : types }
  }
  return schema
}
