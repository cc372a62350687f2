/**
 * OpenAPI 3.1 documents, generated — never hand-written — from the route rows and the GraphQL
 * schema: paths and methods from the rows; parameters and bodies from the rows' zod schemas (the
 * same ones the handler validates with); success bodies from the operation's selection
 * (./result-schema.ts) passed through the row's result shape; error bodies from the surface's
 * error shape; the bearer scheme with each route's scope; rate-limit headers on every answer to a
 * known caller.
 */
import { type GraphQLSchema, type OperationDefinitionNode, parse } from 'graphql'
import type { z } from 'zod'
import { reasonPhrase } from '../../errors.js'
import { hasBody, isWrite, paramsSchema } from '../handler.js'
import type { AnyRoute, RestSurface } from '../route.js'
import { exampleFor } from './examples.js'
import { inputSchema, type JsonSchema } from './json-schema.js'
import { ResultSchemas } from './result-schema.js'

export interface ApiDescription {
  title: string
  version: string
  description: string
  surfaces: readonly RestSurface[]
  /** Event name → summary and the GET route whose item is the payload (`data`). */
  webhooks?: Record<string, { summary: string; payload: JsonSchema | ((results: ResultSchemas) => JsonSchema) }>
}

const rateLimitHeaders = {
  'RateLimit-Limit': { $ref: '#/components/headers/RateLimit-Limit' },
  'RateLimit-Remaining': { $ref: '#/components/headers/RateLimit-Remaining' },
  'RateLimit-Reset': { $ref: '#/components/headers/RateLimit-Reset' },
}

export function buildOpenApi(api: ApiDescription, schema: GraphQLSchema): Record<string, unknown> {
  const results = new ResultSchemas(schema)
  const paths: Record<string, Record<string, { operationId?: string }>> = {}
  const operationIds = new Set<string>()
  for (const surface of api.surfaces) {
    for (const route of surface.routes) {
      const path = surface.prefix + route.path.replace(/:([A-Za-z]+)/g, '{$1}')
      const op = operation(surface, route, results)
      // Two methods may run one GraphQL operation (PUT and POST of an integration).
      if (op.operationId && operationIds.has(op.operationId)) op.operationId += route.method[0] + route.method.slice(1).toLowerCase()
      if (op.operationId) operationIds.add(op.operationId)
      paths[path] ??= {}
      paths[path][route.method.toLowerCase()] = op
    }
  }
  const webhooks = api.webhooks && webhookItems(api.webhooks, results)
  return {
    openapi: '3.1.0',
    info: { title: api.title, version: api.version, description: api.description },
    servers: [{ url: '/', description: 'This server' }],
    security: [{ bearerAuth: [] }],
    paths,
    ...(webhooks ? { webhooks } : {}),
    components: {
      schemas: Object.fromEntries([...results.components].sort(([a], [b]) => a.localeCompare(b))),
      headers: {
        'RateLimit-Limit': { description: "Requests allowed per minute for the caller's account", schema: { type: 'integer' } },
        'RateLimit-Remaining': { description: 'Requests left in the current window', schema: { type: 'integer', minimum: 0 } },
        'RateLimit-Reset': { description: 'Seconds until the window ends', schema: { type: 'integer', minimum: 0 } },
      },
      securitySchemes: {
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          description: 'An API key from the portal: `obq_live_…` or `obq_test_…`. Each operation lists the scope it needs.',
        },
      },
    },
  }
}

function operation(surface: RestSurface, route: AnyRoute, results: ResultSchemas) {
  const document = parse(String(route.document))
  const params = paramsSchema(route) as z.ZodObject
  const query = route.query?.shape ?? {}
  const body = hasBody(route.method) && route.body ? inputSchema(route.body) : undefined
  const parameters = [
    ...Object.entries(params.shape).map(([name, rule]) => ({ name, in: 'path', required: true, schema: inputSchema(rule as z.ZodType) })),
    ...Object.entries(query).map(([name, rule]) => {
      const schema = inputSchema(rule as z.ZodType)
      const { description, ...rest } = schema
      return {
        name,
        in: 'query',
        required: !(rule as z.ZodType).safeParse(undefined).success,
        ...(description ? { description } : {}),
        schema: rest,
      }
    }),
    ...(isWrite(route.method)
      ? [
          {
            name: 'Idempotency-Key',
            in: 'header',
            required: false,
            description:
              'Retry safely: within 24 h, the same key with the same request returns the first successful answer without a second effect; a failed attempt leaves nothing, so it can be retried with the key',
            schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x21-\\x7e]+$' },
          },
        ]
      : []),
  ]
  const operationName = document.definitions.find((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition')?.name?.value
  return {
    operationId: operationName ? operationName[0].toLowerCase() + operationName.slice(1) : undefined,
    summary: route.summary,
    tags: [surface.name],
    security: [{ bearerAuth: route.scope ? [route.scope] : [] }],
    ...(route.scope ? { description: `Needs the \`${route.scope}\` scope.` } : {}),
    ...(parameters.length ? { parameters } : {}),
    ...(body ? { requestBody: { required: true, content: { 'application/json': { schema: body } } } } : {}),
    responses: {
      ...successResponses(surface, route, results.of(document), results),
      ...errorResponses(surface, route, { hasParams: Object.keys(params.shape).length > 0, hasQuery: Object.keys(query).length > 0 }),
    },
  }
}

function successResponses(surface: RestSurface, route: AnyRoute, data: JsonSchema, results: ResultSchemas) {
  const described = route.result.describe(data, surface, results.components)
  const example = route.method === 'GET' ? exampleFor(route.method, surface.prefix + route.path) : undefined
  const content = Object.fromEntries(
    Object.entries(described.content).map(([type, schema]) => [
      type,
      { schema, ...(example !== undefined && type === 'application/json' ? { example } : {}) },
    ]),
  )
  const response = { description: route.summary, headers: rateLimitHeaders, content }
  return {
    [described.status]: response,
    ...(described.alsoStatus ? { [described.alsoStatus]: { ...response, description: 'Updated an existing record' } } : {}),
  }
}

function errorResponses(surface: RestSurface, route: AnyRoute, shape: { hasParams: boolean; hasQuery: boolean }) {
  // 503: the database is unreachable or did not answer in time (src/db/outage.ts); retry after Retry-After.
  const statuses = new Set<number>([401, 429, 500, 503, ...(route.errors ?? [])])
  const writes = hasBody(route.method)
  // An Idempotency-Key reused with another request, or while its first request still runs.
  if (isWrite(route.method)) statuses.add(409)
  if (route.scope) statuses.add(403)
  if (writes || shape.hasQuery || shape.hasParams) statuses.add(400)
  if (shape.hasParams || route.notFound) statuses.add(404)
  if (writes) {
    statuses.add(413)
    statuses.add(415)
  }
  const schema = errorSchema(surface)
  return Object.fromEntries(
    [...statuses].sort().map((status) => [
      status,
      {
        description: reasonPhrase[status] ?? 'Error',
        // A caller whose key was refused is not known, so it has no budget to report.
        ...(status === 401 ? {} : { headers: headersFor(status) }),
        content: { 'application/json': { schema, example: surface.errorBody(status, exampleMessage(status, route)) } },
      },
    ]),
  )
}

const retryAfter = { description: 'Seconds until the budget refills', schema: { type: 'integer', minimum: 1 } }
const retryOutage = { description: 'Seconds to wait before trying again', schema: { type: 'integer', minimum: 1 } }

function headersFor(status: number) {
  if (status === 429) return { ...rateLimitHeaders, 'Retry-After': retryAfter }
  // The database may fail before the caller is known and counted: no budget to report then.
  if (status === 503) return { 'Retry-After': retryOutage }
  return rateLimitHeaders
}

function exampleMessage(status: number, route: AnyRoute) {
  if (status === 404 && route.notFound) return route.notFound
  if (status === 403 && route.scope) return `Insufficient scope: ${route.scope} required`
  if (status === 401) return 'Invalid API key'
  if (status === 429) return 'Rate limit exceeded. Max 100 requests per minute.'
  if (status === 413) return 'Request body exceeds 1 MB'
  if (status === 503) return 'The database is unavailable; try again shortly'
  return reasonPhrase[status] ?? 'Error'
}

function errorSchema(surface: RestSurface): JsonSchema {
  const sample = surface.errorBody(400, 'message') as Record<string, unknown>
  const properties = Object.fromEntries(Object.keys(sample).map((k) => [k, { type: 'string' }]))
  return { type: 'object', properties, required: Object.keys(properties) }
}

const webhookHeaders = [
  { name: 'X-Webhook-Event', in: 'header', required: true, schema: { type: 'string' }, description: 'The event name' },
  {
    name: 'X-Webhook-Signature',
    in: 'header',
    required: true,
    schema: { type: 'string', pattern: '^[0-9a-f]{64}$' },
    description: 'Lowercase hex HMAC-SHA256 of the raw body, keyed with the endpoint secret',
  },
  {
    name: 'webhook-id',
    in: 'header',
    required: true,
    schema: { type: 'string' },
    description: 'Standard Webhooks: unique per delivery (the same on retries)',
  },
  {
    name: 'webhook-timestamp',
    in: 'header',
    required: true,
    schema: { type: 'string' },
    description: 'Standard Webhooks: Unix seconds when signed',
  },
  {
    name: 'webhook-signature',
    in: 'header',
    required: true,
    schema: { type: 'string' },
    description: 'Standard Webhooks: `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`',
  },
]

function webhookItems(events: NonNullable<ApiDescription['webhooks']>, results: ResultSchemas) {
  return Object.fromEntries(
    Object.entries(events).map(([event, { summary, payload }]) => [
      event,
      {
        post: {
          summary,
          parameters: webhookHeaders,
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: {
                    event: { const: event },
                    timestamp: { type: 'string', format: 'date-time' },
                    data: typeof payload === 'function' ? payload(results) : payload,
                  },
                  required: ['event', 'timestamp', 'data'],
                },
              },
            },
          },
          responses: { '200': { description: 'Any 2xx acknowledges the delivery; anything else is retried' } },
        },
      },
    ]),
  )
}
