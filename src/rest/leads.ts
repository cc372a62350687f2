/**
 * The lead/quote API under /api/v1 (shared spec leads-api.md). It keeps the conventions of the
 * API it reimplements so existing clients only change their base URL: `{"error": "…"}` bodies,
 * `page`/`per_page` pages with a `meta` block, snake_case fields (aliases below), and the lead
 * embedded in appointments under the plural key `leads`.
 */

import { badRequest } from '../errors.js'
import { graphql } from '../generated/gql/index.js'
import { AiStatus, AppointmentType, LeadStage, QuoteStatus } from '../generated/prisma/enums.js'
import { describe, enumParam, stringParam } from './params.js'
import { defineRoute, type RestInput, type RestSurface } from './route.js'

graphql(`
  fragment LeadRest on Lead {
    id name first_name: firstName last_name: lastName email phone pipeline_stage: pipelineStage ai_status: aiStatus ai_score: aiScore ai_summary: aiSummary ai_enabled: aiEnabled source custom_data: customData metadata created_at: createdAt updated_at: updatedAt
  }
`)

graphql(`
  fragment QuoteListRest on Quote {
    id quote_number: quoteNumber status subtotal tax total currency lead_id: leadId valid_until: validUntil created_at: createdAt sent_at: sentAt viewed_at: viewedAt accepted_at: acceptedAt declined_at: declinedAt
  }
`)

graphql(`
  fragment QuoteRest on Quote {
    ...QuoteListRest line_items: lineItems { description quantity unit_price: unitPrice } metadata
  }
`)

graphql(`
  fragment AppointmentRest on Appointment {
    id title status appointment_type: appointmentType start_time: startTime end_time: endTime booked_by: bookedBy lead_id: leadId location notes created_at: createdAt leads: lead { name phone email }
  }
`)

const PER_PAGE = { default: 25, max: 100 }
const MAX_PAGE = 1_000_000

/** Lenient, as documented: out-of-range values are clamped, unparsable ones fall back to the default. */
function lenientInt(raw: string | null, fallback: number, min: number, max: number): number {
  if (raw === null || !/^\s*[+-]?\d+\s*$/.test(raw)) return fallback
  return Math.min(max, Math.max(min, Number(raw)))
}

function pageOf({ query }: RestInput) {
  describe(query, 'page', { type: 'integer', minimum: 1, default: 1, description: 'From 1; out-of-range values are clamped' })
  describe(query, 'per_page', {
    type: 'integer',
    minimum: 1,
    maximum: PER_PAGE.max,
    default: PER_PAGE.default,
    description: 'Values above 100 are clamped',
  })
  const page = lenientInt(query.get('page'), 1, 1, MAX_PAGE)
  const perPage = lenientInt(query.get('per_page'), PER_PAGE.default, 1, PER_PAGE.max)
  return { page, perPage, limit: perPage, offset: (page - 1) * perPage }
}

const windowOf = (input: RestInput) => {
  const { limit, offset } = pageOf(input)
  return { limit, offset }
}

const pageEnvelope = (items: unknown[], total: number, input: RestInput) => {
  const { page, perPage } = pageOf(input)
  return { body: { data: items, meta: { page, per_page: perPage, total } } }
}

/**
 * `search` as the client typed it: a literal `+` stays a `+` (in `+1555…` or `jane+roof@…`)
 * when the term is a phone or an email, where form decoding would have turned it into a space.
 */
function searchTerm(input: RestInput): string | undefined {
  const decoded = stringParam(input.query, 'search')
  const raw = input.url.search
    .slice(1)
    .split('&')
    .find((pair) => pair.startsWith('search='))
    ?.slice('search='.length)
  if (decoded === undefined || raw === undefined || !raw.includes('+')) return decoded
  let typed: string
  try {
    typed = decodeURIComponent(raw)
  } catch {
    return decoded
  }
  return /@/.test(typed) || /^\+[\d\s().-]+$/.test(typed) ? typed : decoded
}

/** Body fields of a lead write: snake_case in, GraphQL input out; unknown fields are ignored. */
const writableLeadFields = {
  name: 'name',
  first_name: 'firstName',
  last_name: 'lastName',
  email: 'email',
  phone: 'phone',
  pipeline_stage: 'pipelineStage',
  source: 'source',
  custom_data: 'customData',
  metadata: 'metadata',
} as const

const objectFields = new Set(['custom_data', 'metadata'])

/** A wrong type on a known field is a 400 naming the field as the client spelled it. */
function checkType(key: string, value: unknown) {
  if (value === null) return
  const expected = objectFields.has(key) ? 'object' : key === 'ai_enabled' ? 'boolean' : 'string'
  const actual = Array.isArray(value) ? 'array' : typeof value
  if (actual !== expected) throw badRequest(`${key} must be ${expected === 'object' ? 'a JSON object' : `a ${expected}`}`)
}

function leadInput(body: Record<string, unknown>, extra: Record<string, string> = {}): Record<string, unknown> {
  const fields: Record<string, string> = { ...writableLeadFields, ...extra }
  const input: Record<string, unknown> = {}
  for (const [key, name] of Object.entries(fields)) {
    if (!(key in body)) continue
    const value = body[key]
    checkType(key, value)
    if (key === 'pipeline_stage' && value !== null && !(Object.values(LeadStage) as unknown[]).includes(value)) {
      throw badRequest(`Invalid pipeline_stage "${String(value).slice(0, 40)}": expected one of ${Object.values(LeadStage).join(', ')}`)
    }
    input[name] = value
  }
  return input
}

function smsVariables({ body }: RestInput) {
  const { lead_id: leadId, message } = body
  if (leadId === undefined || leadId === null || leadId === '' || message === undefined || message === null || message === '') {
    throw badRequest("'lead_id' and 'message' are required")
  }
  if (typeof leadId !== 'string') throw badRequest("'lead_id' must be a string")
  if (typeof message !== 'string') throw badRequest("'message' must be a string")
  return { leadId, message }
}

const routes = [
  defineRoute({
    method: 'GET',
    path: '/leads',
    summary: 'List leads, newest first; filters stage, ai_status, search',
    scope: 'leads:read',
    document: graphql(`query ApiListLeads($stage: LeadStage, $aiStatus: AiStatus, $search: String, $limit: Int, $offset: Int) {
      leadPage(stage: $stage, aiStatus: $aiStatus, search: $search, limit: $limit, offset: $offset) { items { ...LeadRest } total }
    }`),
    variables: (input) => ({
      stage: enumParam(input.query, 'stage', Object.values(LeadStage)),
      aiStatus: enumParam(input.query, 'ai_status', Object.values(AiStatus)),
      search: searchTerm(input),
      ...windowOf(input),
    }),
    respond: (data, input) => pageEnvelope(data.leadPage.items, data.leadPage.total, input),
  }),
  defineRoute({
    method: 'POST',
    path: '/leads',
    summary: "Create a lead (needs 'name' or 'phone'); fires lead.created",
    scope: 'leads:write',
    document: graphql(`mutation ApiCreateLead($input: LeadInput!) { createLead(input: $input) { ...LeadRest } }`),
    variables: ({ body }) => ({ input: leadInput(body) }),
    respond: (data) => ({ status: 201, body: { data: data.createLead } }),
  }),
  defineRoute({
    method: 'GET',
    path: '/leads/:id',
    summary: 'Fetch one lead',
    scope: 'leads:read',
    document: graphql(`query ApiGetLead($id: ID!) { lead(id: $id) { ...LeadRest } }`),
    variables: ({ params }) => ({ id: params.id }),
    respond: (data) => (data.lead ? { body: { data: data.lead } } : null),
    notFound: 'Lead not found',
  }),
  defineRoute({
    method: 'PATCH',
    path: '/leads/:id',
    summary: 'Partially update a lead; fires lead.updated, and sale.completed on a move to closed_won',
    scope: 'leads:write',
    document: graphql(`mutation ApiUpdateLead($id: ID!, $input: LeadPatch!) { updateLead(id: $id, input: $input) { ...LeadRest } }`),
    variables: ({ params, body }) => {
      const input = leadInput(body, { ai_enabled: 'aiEnabled' })
      if (Object.keys(input).length === 0) throw badRequest('No valid fields to update')
      return { id: params.id, input }
    },
    respond: (data) => ({ body: { data: data.updateLead } }),
  }),
  defineRoute({
    method: 'GET',
    path: '/quotes',
    summary: 'List quotes, newest first, without line items and metadata; filter status',
    scope: 'quotes:read',
    document: graphql(`query ApiListQuotes($status: QuoteStatus, $limit: Int, $offset: Int) {
      quotePage(status: $status, limit: $limit, offset: $offset) { items { ...QuoteListRest } total }
    }`),
    variables: (input) => ({ status: enumParam(input.query, 'status', Object.values(QuoteStatus)), ...windowOf(input) }),
    respond: (data, input) => pageEnvelope(data.quotePage.items, data.quotePage.total, input),
  }),
  defineRoute({
    method: 'GET',
    path: '/quotes/:id',
    summary: 'Fetch one quote with its line items and metadata',
    scope: 'quotes:read',
    document: graphql(`query ApiGetQuote($id: ID!) { quote(id: $id) { ...QuoteRest } }`),
    variables: ({ params }) => ({ id: params.id }),
    respond: (data) => (data.quote ? { body: { data: data.quote } } : null),
    notFound: 'Quote not found',
  }),
  defineRoute({
    method: 'POST',
    path: '/sms',
    errors: [402, 502],
    summary: 'Send an SMS to a lead for one SMS credit',
    scope: 'sms:send',
    document: graphql(
      `mutation ApiSendSms($leadId: ID!, $message: String!) { sendSms(leadId: $leadId, message: $message) { success message messageId } }`,
    ),
    variables: smsVariables,
    respond: (data) => ({ body: { success: true, message: data.sendSms.message, message_id: data.sendSms.messageId } }),
  }),
  defineRoute({
    method: 'GET',
    path: '/appointments',
    summary: 'List appointments, newest first, each with its lead under `leads`; filter type',
    scope: 'appointments:read',
    document: graphql(`query ApiListAppointments($type: AppointmentType, $limit: Int, $offset: Int) {
      appointmentPage(type: $type, limit: $limit, offset: $offset) { items { ...AppointmentRest } total }
    }`),
    variables: (input) => ({ type: enumParam(input.query, 'type', Object.values(AppointmentType)), ...windowOf(input) }),
    respond: (data, input) => pageEnvelope(data.appointmentPage.items, data.appointmentPage.total, input),
  }),
  defineRoute({
    method: 'GET',
    path: '/pipeline',
    summary: 'Lead counts per pipeline stage, every stage present',
    scope: 'pipeline:read',
    document: graphql(`query ApiPipeline { pipeline {
      new_lead: newLead follow_up: followUp quote_in_progress: quoteInProgress quoted closed_won: closedWon closed_lost: closedLost
    } }`),
    respond: (data) => ({ body: { data: data.pipeline } }),
  }),
]

export const leadsSurface: RestSurface = {
  name: 'leads',
  prefix: '/api/v1',
  errorBody: (_status, message) => ({ error: message }),
  routes,
}
