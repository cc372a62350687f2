/**
 * /hub/v1/webhooks: webhook endpoints, their deliveries and replays, managed with an API key
 * (`webhooks:read`, `webhooks:write`) as the portal manages them. The rows run the same GraphQL
 * operations as the portal, so URL safety, event names and the endpoint limit are checked in one
 * place (src/schema/webhooks.ts). The signing secret is answered by the create and the rotation
 * only, beside the endpoint's fields.
 */
import { z } from 'zod'
import type { DeleteWebhookEndpointMutation } from '../generated/gql/graphql.js'
import { graphql } from '../generated/gql/index.js'
import { DeliveryStatus } from '../generated/prisma/enums.js'
import { deliverySort } from '../schema/webhook-deliveries.js'
import { endpointPatchRules, endpointRules } from '../schema/webhooks.js'
import { restBody, toInput } from './bodies.js'
import { crmWindow } from './crm.js'
import type { JsonSchema } from './openapi/json-schema.js'
import { enumParam } from './params.js'
import { at, custom, item, json, objectOf, page, type ResultShape } from './results.js'
import { defineRoute } from './route.js'
import { syncQuery, syncVariables } from './sync.js'

graphql(`
  fragment WebhookEndpointRest on WebhookEndpoint {
    id url events active created_at: createdAt updated_at: updatedAt
  }
`)
graphql(`
  fragment WebhookDeliveryRest on WebhookDelivery {
    id endpoint_id: endpointId event status attempts last_status_code: lastStatusCode last_error: lastError
  next_attempt_at: nextAttemptAt body created_at: createdAt delivered_at: deliveredAt updated_at: updatedAt
  attempt_log: attemptLog {
    attempt_number: attemptNumber status_code: statusCode duration_ms: durationMs response_excerpt: responseExcerpt error
    created_at: createdAt
  }
  }
`)

const SECRET: JsonSchema = {
  type: 'string',
  description: 'whsec_…: the signing secret, answered only here (docs/webhooks.md shows how to verify signatures)',
}

/** `{"data": {...endpoint, "secret"}}` from a `{ secret endpoint { ...WebhookEndpointRest } }` selection. */
const endpointWithSecret = (path: string, status: number): ResultShape => ({
  shape: (data) => {
    const value = at(data, path) as { secret: string; endpoint: Record<string, unknown> }
    return { status, body: { data: { ...value.endpoint, secret: value.secret } } }
  },
  describe: (_data, _surface, components) => {
    const endpoint = components?.get('WebhookEndpoint') as { properties: Record<string, JsonSchema>; required: string[] }
    const withSecret = { ...endpoint, properties: { ...endpoint.properties, secret: SECRET }, required: [...endpoint.required, 'secret'] }
    return { status, content: json(objectOf({ data: withSecret })) }
  },
})

const statuses = Object.values(DeliveryStatus) as [DeliveryStatus, ...DeliveryStatus[]]

export const webhookRoutes = [
  defineRoute({
    method: 'GET',
    path: '/webhooks',
    summary: "The account's webhook endpoints, newest first (at most 20)",
    scope: 'webhooks:read',
    document: graphql(`query ListWebhookEndpoints { webhookEndpoints { ...WebhookEndpointRest } }`),
    result: item('webhookEndpoints'),
  }),
  defineRoute({
    method: 'POST',
    path: '/webhooks',
    summary: 'Create a webhook endpoint; the answer carries its signing secret, shown only this once',
    scope: 'webhooks:write',
    body: restBody(endpointRules),
    document: graphql(`mutation CreateWebhookEndpoint($input: WebhookEndpointInput!) {
      createWebhookEndpoint(input: $input) { secret endpoint { ...WebhookEndpointRest } }
    }`),
    variables: ({ body }) => ({ input: toInput(body) }),
    result: endpointWithSecret('createWebhookEndpoint', 201),
  }),
  defineRoute({
    method: 'GET',
    path: '/webhooks/:endpointId',
    summary: 'Fetch one webhook endpoint',
    scope: 'webhooks:read',
    document: graphql(`query GetWebhookEndpoint($id: ID!) { webhookEndpoint(id: $id) { ...WebhookEndpointRest } }`),
    variables: ({ params }) => ({ id: params.endpointId }),
    result: item('webhookEndpoint'),
    notFound: 'Webhook endpoint not found',
  }),
  defineRoute({
    method: 'PATCH',
    path: '/webhooks/:endpointId',
    summary: "Change an endpoint's URL, events or active flag (inactive endpoints receive no new deliveries)",
    scope: 'webhooks:write',
    errors: [404],
    body: restBody(endpointPatchRules).meta({ minProperties: 1 }),
    document: graphql(`mutation UpdateWebhookEndpoint($id: ID!, $input: WebhookEndpointPatch!) {
      updateWebhookEndpoint(id: $id, input: $input) { ...WebhookEndpointRest }
    }`),
    variables: ({ params, body }) => ({ id: params.endpointId, input: toInput(body) }),
    result: item('updateWebhookEndpoint'),
  }),
  defineRoute({
    method: 'DELETE',
    path: '/webhooks/:endpointId',
    summary: 'Delete an endpoint with its deliveries and their log',
    scope: 'webhooks:write',
    errors: [404],
    document: graphql(`mutation DeleteWebhookEndpoint($id: ID!) { deleteWebhookEndpoint(id: $id) }`),
    variables: ({ params }) => ({ id: params.endpointId }),
    result: custom<DeleteWebhookEndpointMutation>(
      (_data, input) => ({ body: { data: { id: input.params.endpointId, deleted: true } } }),
      () => ({
        status: 200,
        content: json(objectOf({ data: objectOf({ id: { type: 'string' }, deleted: { type: 'boolean', const: true } }) })),
      }),
    ),
  }),
  defineRoute({
    method: 'POST',
    path: '/webhooks/:endpointId/rotate-secret',
    summary: 'Replace the signing secret at once; the answer carries the new one, shown only this once',
    scope: 'webhooks:write',
    errors: [404],
    document: graphql(`mutation RotateWebhookSecret($id: ID!) {
      rotateWebhookSecret(id: $id) { secret endpoint { ...WebhookEndpointRest } }
    }`),
    variables: ({ params }) => ({ id: params.endpointId }),
    result: endpointWithSecret('rotateWebhookSecret', 200),
  }),
  defineRoute({
    method: 'POST',
    path: '/webhooks/:endpointId/test',
    summary: 'Queue a delivery of event "test" to this endpoint',
    scope: 'webhooks:write',
    errors: [404],
    document: graphql(`mutation SendTestWebhook($id: ID!) { sendTestWebhook(endpointId: $id) { ...WebhookDeliveryRest } }`),
    variables: ({ params }) => ({ id: params.endpointId }),
    result: item('sendTestWebhook', 201),
  }),
  defineRoute({
    method: 'GET',
    path: '/webhooks/:endpointId/deliveries',
    summary: "An endpoint's deliveries, newest first, each with every attempt; by offset, or by cursor (docs/sync.md)",
    scope: 'webhooks:read',
    query: z.object({ status: enumParam(statuses, 'Only deliveries in this state').optional(), ...crmWindow, ...syncQuery(deliverySort) }),
    document: graphql(`query ListWebhookDeliveries($id: ID!, $status: WebhookDeliveryStatus, $limit: Int, $offset: Int,
      $updatedSince: DateTime, $sort: WebhookDeliverySort, $order: SortOrder, $cursorMode: Boolean! = false, $after: String, $count: Boolean! = false) {
      webhookEndpoint(id: $id) {
        deliveryPage(status: $status, updatedSince: $updatedSince, sort: $sort, order: $order, limit: $limit, offset: $offset) @skip(if: $cursorMode) {
          items { ...WebhookDeliveryRest } total limit offset
        }
        deliveries(status: $status, updatedSince: $updatedSince, sort: $sort, order: $order, first: $limit, after: $after) @include(if: $cursorMode) {
          edges { node { ...WebhookDeliveryRest } } pageInfo { hasNextPage endCursor } totalCount @include(if: $count)
        }
      }
    }`),
    variables: ({ params, query, url }) => ({
      id: params.endpointId,
      status: query.status,
      limit: query.limit,
      offset: query.offset,
      ...syncVariables(query, url, 'offset'),
    }),
    result: page('webhookEndpoint.deliveryPage', 'webhookEndpoint.deliveries'),
    notFound: 'Webhook endpoint not found',
  }),
  defineRoute({
    method: 'GET',
    path: '/webhooks/:endpointId/deliveries/:deliveryId',
    summary: 'Fetch one delivery with every attempt',
    scope: 'webhooks:read',
    document: graphql(`query GetWebhookDelivery($endpointId: ID!, $id: ID!) {
      webhookEndpoint(id: $endpointId) { delivery(id: $id) { ...WebhookDeliveryRest } }
    }`),
    variables: ({ params }) => ({ endpointId: params.endpointId, id: params.deliveryId }),
    result: item('webhookEndpoint.delivery'),
    notFound: 'Webhook delivery not found',
  }),
  defineRoute({
    method: 'POST',
    path: '/webhooks/:endpointId/deliveries/:deliveryId/replay',
    summary: 'Queue the delivery again: the same event and body, under a new webhook-id',
    scope: 'webhooks:write',
    errors: [404],
    document: graphql(`mutation ReplayWebhookDeliveryRest($endpointId: ID!, $id: ID!) {
      replayWebhookDelivery(id: $id, endpointId: $endpointId) { ...WebhookDeliveryRest }
    }`),
    variables: ({ params }) => ({ endpointId: params.endpointId, id: params.deliveryId }),
    result: item('replayWebhookDelivery', 201),
  }),
]
