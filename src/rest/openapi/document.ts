/**
 * OpenAPI 3.1 documents, generated — never hand-written — from the route tables and the GraphQL
 * schema: paths and methods from the rows, parameters and bodies from what each row reads (see
 * probe.ts), success bodies from the operation's selection (result-schema.ts) passed through the
 * row's own envelope, error bodies from the surface's error shape, and the bearer scheme with each
 * route's scope.
 */
import {
  type DocumentNode,
  type GraphQLInputType,
  type GraphQLSchema,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  type OperationDefinitionNode,
  parse,
  typeFromAST,
} from 'graphql'
import { reasonPhrase } from '../../errors.js'
import type { RestRoute, RestSurface } from '../route.js'
import { exampleFor } from './examples.js'
import { probeRoute } from './probe.js'
import { type JsonSchema, resultSchema } from './result-schema.js'

export interface ApiDescription {
  title: string
  version: string
  description: string
  surfaces: RestSurface[]
  webhooks?: Record<string, { summary: string; payload: JsonSchema }>
}

const snake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)

export function buildOpenApi(api: ApiDescription, schema: GraphQLSchema): Record<string, unknown> {
  const paths: Record<string, Record<string, { operationId?: string }>> = {}
  const operationIds = new Set<string>()
  for (const surface of api.surfaces) {
    for (const route of surface.routes) {
      const path = surface.prefix + route.path.replace(/:([A-Za-z]+)/g, '{$1}')
      const op = operation(surface, route, schema)
      // Two methods may run one GraphQL operation (PUT and POST of an integration).
      if (op.operationId && operationIds.has(op.operationId)) op.operationId += route.method[0] + route.method.slice(1).toLowerCase()
      if (op.operationId) operationIds.add(op.operationId)
      paths[path] ??= {}
      paths[path][route.method.toLowerCase()] = op
    }
  }
  return {
    openapi: '3.1.0',
    info: { title: api.title, version: api.version, description: api.description },
    servers: [{ url: '/', description: 'This server' }],
    security: [{ bearerAuth: [] }],
    paths,
    ...(api.webhooks ? { webhooks: webhooks(api.webhooks) } : {}),
    components: {
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

function operation(surface: RestSurface, route: RestRoute, schema: GraphQLSchema) {
  const document = parse(String(route.document))
  const pathParams = [...route.path.matchAll(/:([A-Za-z]+)/g)].map((m) => m[1])
  const contract = probeRoute(route, resultSchema(schema, document), pathParams)
  const hasBody = route.method === 'POST' || route.method === 'PUT' || route.method === 'PATCH'
  const body = hasBody ? (contract.body ?? graphqlBody(schema, document, pathParams)) : undefined
  const parameters = [
    ...pathParams.map((name) => ({ name, in: 'path', required: true, schema: { type: 'string' } })),
    ...[...contract.query].map(([name, schema]) => ({ name, in: 'query', required: false, schema })),
    ...(surface.idempotent && hasBody
      ? [
          {
            name: 'Idempotency-Key',
            in: 'header',
            required: false,
            description: 'Retry safely: the same key and body within 24 h return the first answer',
            schema: { type: 'string', maxLength: 255 },
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
    ...(body ? { requestBody: { required: true, content: { 'application/json': { schema: stripMeta(body) } } } } : {}),
    responses: {
      ...successResponses(contract, route, exampleFor(route.method, surface.prefix + route.path)),
      ...errorResponses(surface, route, { pathParams, hasBody, hasQuery: contract.query.size > 0 }),
    },
  }
}

function successResponses(contract: ReturnType<typeof probeRoute>, route: RestRoute, example: unknown) {
  const content: Record<string, unknown> = {}
  if (contract.response.kind === 'json') content['application/json'] = { schema: contract.response.schema, ...(example ? { example } : {}) }
  if (contract.response.kind === 'text') content[contract.response.contentType] = { schema: { type: 'string' } }
  // A row that can answer text too (the transcript's ?format=text) documents both.
  const format = contract.query.get('format') as { enum?: string[] } | undefined
  if (format?.enum?.includes('text')) content['text/plain; charset=utf-8'] = { schema: { type: 'string' } }
  const responses: Record<string, unknown> = { [contract.status]: { description: route.summary, content } }
  // Upserts answer 201 when they create and 200 when they update, with the same body.
  if (/\bcreated\b/.test(String(route.document)) && contract.status === 201)
    responses['200'] = { description: 'Updated an existing record', content }
  return responses
}

function errorResponses(surface: RestSurface, route: RestRoute, shape: { pathParams: string[]; hasBody: boolean; hasQuery: boolean }) {
  const statuses = new Set<number>([401, 429, 500, ...(route.errors ?? [])])
  if (route.scope) statuses.add(403)
  if (shape.hasBody || shape.hasQuery || shape.pathParams.length) statuses.add(400)
  if (shape.pathParams.length || route.notFound) statuses.add(404)
  if (shape.hasBody) {
    statuses.add(404) // a write may name a record (a customer, project, lead…) that does not exist here
    statuses.add(413)
    statuses.add(415)
    if (surface.idempotent) statuses.add(409)
  }
  const schema = errorSchema(surface)
  return Object.fromEntries(
    [...statuses].sort().map((status) => [
      status,
      {
        description: reasonPhrase[status] ?? 'Error',
        ...(status === 429
          ? { headers: { 'Retry-After': { schema: { type: 'integer' }, description: 'Seconds until the budget refills' } } }
          : {}),
        content: {
          'application/json': {
            schema,
            example: surface.errorBody(status, status === 404 && route.notFound ? route.notFound : exampleMessage(status, route)),
          },
        },
      },
    ]),
  )
}

function exampleMessage(status: number, route: RestRoute) {
  if (status === 403 && route.scope) return `Insufficient scope: ${route.scope} required`
  if (status === 401) return 'Invalid API key'
  return reasonPhrase[status] ?? 'Error'
}

function errorSchema(surface: RestSurface): JsonSchema {
  const sample = surface.errorBody(400, 'message') as Record<string, unknown>
  const properties = Object.fromEntries(Object.keys(sample).map((k) => [k, { type: 'string' }]))
  return { type: 'object', properties, required: Object.keys(properties) }
}

/** A body for rows that pass fields straight to GraphQL: the operation's variables, in snake_case. */
function graphqlBody(schema: GraphQLSchema, document: DocumentNode, pathParams: string[]): JsonSchema | undefined {
  const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition')!
  const properties: Record<string, JsonSchema> = {}
  const required: string[] = []
  for (const variable of operation.variableDefinitions ?? []) {
    const name = variable.variable.name.value
    if (pathParams.includes(name) || name === 'id') continue
    const type = typeFromAST(schema, variable.type as never) as GraphQLInputType | undefined
    if (!type) continue
    const named = getNamedType(type)
    if (isInputObjectType(named) && !isListType(isNonNullType(type) ? type.ofType : type)) {
      for (const [field, def] of Object.entries(named.getFields())) {
        properties[snake(field)] = inputSchema(def.type)
        if (isNonNullType(def.type)) required.push(snake(field))
      }
    } else {
      properties[snake(name)] = inputSchema(type)
      if (isNonNullType(type)) required.push(snake(name))
    }
  }
  return Object.keys(properties).length ? { type: 'object', properties, ...(required.length ? { required } : {}) } : undefined
}

function inputSchema(type: GraphQLInputType): JsonSchema {
  const inner = isNonNullType(type) ? type.ofType : type
  if (isListType(inner)) return { type: 'array', items: inputSchema(inner.ofType) }
  const named = getNamedType(inner)
  if (isEnumType(named)) return { type: 'string', enum: named.getValues().map((v) => v.value) }
  switch (named.name) {
    case 'Int':
      return { type: 'integer' }
    case 'Float':
      return { type: 'number' }
    case 'Boolean':
      return { type: 'boolean' }
    case 'JSON':
      return {}
    case 'DateTime':
      return { type: 'string', format: 'date-time' }
    default:
      return isInputObjectType(named)
        ? {
            type: 'object',
            properties: Object.fromEntries(Object.entries(named.getFields()).map(([k, f]) => [snake(k), inputSchema(f.type)])),
          }
        : { type: 'string' }
  }
}

function webhooks(events: NonNullable<ApiDescription['webhooks']>) {
  const headers = [
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
  return Object.fromEntries(
    Object.entries(events).map(([event, { summary, payload }]) => [
      event,
      {
        post: {
          summary,
          parameters: headers,
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: { event: { const: event }, timestamp: { type: 'string', format: 'date-time' }, data: payload },
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

function stripMeta(schema: JsonSchema): JsonSchema {
  const { $schema: _ignored, ...rest } = schema
  return rest
}
