/**
 * The two published API documents: the CRM API (/v1 + /hub/v1) and the lead/quote API (/api/v1,
 * with its outgoing webhooks). Built from the route rows and the schema at start-up, served at
 * /openapi/*.json, and written to disk by `npm run generate`.
 */
import type { GraphQLSchema } from 'graphql'
import { type DocumentName, documents } from '../surfaces.js'
import { type ApiDescription, buildOpenApi } from './document.js'
import type { JsonSchema } from './json-schema.js'
import type { ResultSchemas } from './result-schema.js'

const VERSION = '1.0.0'

/** A webhook payload that is one of the documented resources. */
const resource = (name: string) => () => ({ $ref: `#/components/schemas/${name}` })
/** A resource with more properties beside its own (`lead.updated`'s `previous`). */
const extended = (name: string, more: Record<string, JsonSchema>) => (results: ResultSchemas) => {
  const own = results.components.get(name) as { properties: Record<string, JsonSchema>; required: string[] }
  return { ...own, properties: { ...own.properties, ...more }, required: [...own.required, ...Object.keys(more)] }
}

/** A change-feed event's `data`: the record as `GET /hub/v1/changes` shows it; the body adds the change's facts. */
const changeRecord: JsonSchema = {
  type: 'object',
  description:
    'The record after the change, as GET /hub/v1/changes shows it (a tombstone {id, deleted: true} for a delete). ' +
    "The body also carries previous (the changed fields' old values), object_type, object_id, action, cursor, actor and request_id.",
}

const feedEvent = (summary: string) => ({ summary, payload: changeRecord })
const lifecycle = (type: string, label: string) =>
  Object.fromEntries(
    (['created', 'updated', 'deleted', 'restored'] as const).map((action) => [`${type}.${action}`, feedEvent(`A ${label} was ${action}`)]),
  )

/** The events made from the change feed (src/services/webhooks/feed-events.ts). */
const feedEvents = {
  ...lifecycle('customer', 'customer'),
  ...lifecycle('project', 'project'),
  'lead.deleted': feedEvent('A lead was deleted'),
  'lead.restored': feedEvent('A lead was restored'),
  ...lifecycle('quote', 'quote'),
  ...lifecycle('appointment', 'appointment'),
  'communication.queued': feedEvent('A communication was queued'),
  'communication.delivered': feedEvent('A communication was delivered'),
  'communication.cancelled': feedEvent('A communication was cancelled'),
  'message.received': feedEvent('An inbound message arrived'),
  'call.completed': feedEvent('A voice call ended (its conversation)'),
  'transcript.ready': {
    summary: "A call's transcript was recorded",
    payload: { type: 'object', properties: { conversation_id: { type: 'string' }, entries: { type: 'array', items: { type: 'object' } } } },
  },
  'opt_out.changed': {
    summary: 'A phone number opted out of SMS (or back in)',
    payload: {
      type: 'object',
      properties: {
        phone_hash: { type: 'string', description: 'SHA-256 (hex) of "<account id>:<E.164 phone>"' },
        opted_out: { type: 'boolean' },
      },
    },
  },
}

const descriptions: Record<DocumentName, Omit<ApiDescription, 'surfaces'>> = {
  crm: {
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
      'Every write (POST, PUT, PATCH, DELETE) accepts an `Idempotency-Key` header.',
      'Every answer to a known caller carries `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset`.',
      '',
      'Webhook endpoints (managed in the portal, or under `/hub/v1/webhooks` with the `webhooks:read` and `webhooks:write` scopes)',
      'receive the events listed under `webhooks`, signed as the lead/quote API describes.',
    ].join('\n'),
    webhooks: {
      'project.status_changed': {
        summary: "A project's status or stage changed; `previous` holds the old project_status and pipeline_stage",
        payload: resource('Project'),
      },
      'communication.sent': { summary: 'A message was sent through its provider', payload: resource('Communication') },
      'communication.failed': { summary: 'A send failed; `last_error` says why', payload: resource('Communication') },
      ...feedEvents,
    },
  },
  leads: {
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
      'Every write (POST, PUT, PATCH, DELETE) accepts an `Idempotency-Key` header.',
      '',
      'Outgoing webhooks are listed under `webhooks`: verify `X-Webhook-Signature` (hex HMAC-SHA256 of the raw body',
      'with the endpoint secret) or the Standard Webhooks headers.',
    ].join('\n'),
    webhooks: {
      'lead.created': { summary: 'A lead was created', payload: resource('Lead') },
      'lead.updated': {
        summary: "A lead changed; `data.previous` holds the changed fields' old values",
        payload: extended('Lead', { previous: { type: 'object', description: "The changed fields' old values" } }),
      },
      'sale.completed': { summary: 'A lead moved to closed_won', payload: resource('Lead') },
      'quote.accepted': { summary: 'A quote was accepted', payload: resource('Quote') },
      'quote.declined': { summary: 'A quote was declined', payload: resource('Quote') },
      'appointment.booked': { summary: 'An appointment was booked', payload: resource('Appointment') },
      test: { summary: 'Sent by sendTestWebhook to check an endpoint', payload: { type: 'object' } },
    },
  },
}

export const openApiDocument = (name: DocumentName, schema: GraphQLSchema) =>
  buildOpenApi({ ...descriptions[name], surfaces: documents[name] }, schema)
