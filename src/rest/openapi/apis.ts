/**
 * The two published API documents: the CRM API (/v1 + /hub/v1) and the lead/quote API (/api/v1,
 * with its outgoing webhooks). Built from the route tables and the schema at start-up, served at
 * /openapi/*.json, and written to disk by `npm run generate`.
 */
import { type GraphQLSchema, parse } from 'graphql'
import { hubSurface } from '../hub.js'
import { leadsSurface } from '../leads.js'
import type { RestSurface } from '../route.js'
import { v1Surface } from '../v1.js'
import { buildOpenApi } from './document.js'
import { probeRoute } from './probe.js'
import { type JsonSchema, resultSchema } from './result-schema.js'

const VERSION = '1.0.0'

/** The `data` a GET row answers, for describing webhook payloads with the same shapes. */
function dataOf(schema: GraphQLSchema, surface: RestSurface, path: string): JsonSchema {
  const route = surface.routes.find((r) => r.method === 'GET' && r.path === path)!
  const params = [...route.path.matchAll(/:([A-Za-z]+)/g)].map((m) => m[1])
  const contract = probeRoute(route, resultSchema(schema, parse(String(route.document))), params)
  if (contract.response.kind !== 'json') return {}
  const data = (contract.response.schema.properties as Record<string, JsonSchema>).data
  return data.type === 'array' ? (data.items as JsonSchema) : data
}

export function crmOpenApi(schema: GraphQLSchema) {
  return buildOpenApi(
    {
      title: 'Contractor CRM API',
      version: VERSION,
      description: [
        'The read-only `/v1` API (conversations, messages, transcripts) and the `/hub/v1` API (customers, projects, events,',
        'communications, templates, campaigns, providers, integrations).',
        '',
        'Every `/v1` path answers only `GET` and `HEAD`; any other method is a 405 with `Allow: GET, HEAD`.',
        'Lists take `limit` (default 50, values above 200 are clamped) and `offset`, and answer',
        '`{"data": [...], "pagination": {"limit", "offset", "total"}}`, newest first.',
        'Errors are `{"error": "<reason phrase>", "message": "<detail>"}`; another account\'s id is a 404.',
        'Every POST/PUT/PATCH under `/hub/v1` accepts an `Idempotency-Key` header.',
        '',
        'Webhook endpoints (managed in the portal) receive the events listed under `webhooks`, signed as the lead/quote API describes.',
      ].join('\n'),
      surfaces: [v1Surface, hubSurface],
      webhooks: {
        'project.status_changed': {
          summary: "A project's status or stage changed; `previous` holds the old project_status and pipeline_stage",
          payload: dataOf(schema, hubSurface, '/projects'),
        },
        'communication.sent': {
          summary: 'A message was sent through its provider',
          payload: dataOf(schema, hubSurface, '/communications/:id'),
        },
        'communication.failed': {
          summary: 'A send failed; `last_error` says why',
          payload: dataOf(schema, hubSurface, '/communications/:id'),
        },
      },
    },
    schema,
  )
}

export function leadsOpenApi(schema: GraphQLSchema) {
  const lead = dataOf(schema, leadsSurface, '/leads/:id')
  const quote = dataOf(schema, leadsSurface, '/quotes/:id')
  const appointment = dataOf(schema, leadsSurface, '/appointments')
  const leadUpdated: JsonSchema = {
    ...lead,
    properties: { ...(lead.properties as object), previous: { type: 'object', description: "The changed fields' old values" } },
  }
  return buildOpenApi(
    {
      title: 'Lead and quote API',
      version: VERSION,
      description: [
        'Leads, quotes, SMS, appointments and the pipeline, mounted under `/api/v1` (a client of the original `/v1`',
        'lead API changes only its base URL).',
        '',
        'Lists take `page` (from 1) and `per_page` (default 25, max 100; out-of-range values are clamped, unparsable',
        'ones fall back to the default) and answer `{"data": [...], "meta": {"page", "per_page", "total"}}`, newest first.',
        'Errors are `{"error": "<message>"}`. 100 requests per minute per account (configurable), across all keys and',
        'surfaces; every answer carries `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset`.',
        '',
        'Outgoing webhooks are listed under `webhooks`: verify `X-Webhook-Signature` (hex HMAC-SHA256 of the raw body',
        'with the endpoint secret) or the Standard Webhooks headers.',
      ].join('\n'),
      surfaces: [leadsSurface],
      webhooks: {
        'lead.created': { summary: 'A lead was created', payload: lead },
        'lead.updated': { summary: "A lead changed; `data.previous` holds the changed fields' old values", payload: leadUpdated },
        'sale.completed': { summary: 'A lead moved to closed_won', payload: lead },
        'quote.accepted': { summary: 'A quote was accepted', payload: quote },
        'quote.declined': { summary: 'A quote was declined', payload: quote },
        'appointment.booked': { summary: 'An appointment was booked', payload: appointment },
        test: { summary: 'Sent by sendTestWebhook to check an endpoint', payload: { type: 'object' } },
      },
    },
    schema,
  )
}
