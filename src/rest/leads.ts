/**
 * The lead/quote API under /api/v1 (shared spec leads-api.md). It keeps the conventions of the
 * API it reimplements so existing clients only change their base URL: `{"error": "…"}` bodies,
 * `page`/`per_page` pages with a `meta` block, snake_case fields (aliases below), and the lead
 * embedded in appointments under the plural key `leads`.
 */
import { z } from 'zod'
import { badRequest } from '../errors.js'
import type { ApiSendSmsMutation } from '../generated/gql/graphql.js'
import { graphql } from '../generated/gql/index.js'
import { AiStatus, AppointmentType, LeadStage, QuoteStatus } from '../generated/prisma/enums.js'
import { appointmentSort } from '../schema/appointments.js'
import { leadPatchRules, leadRules, leadSort } from '../schema/leads.js'
import { quoteSort } from '../schema/quotes.js'
import { sentence } from '../schema/rules.js'
import { smsRules } from '../schema/sms.js'
import { restBody, toInput } from './bodies.js'
import { documented, enumParam, lenientInt, textParam } from './params.js'
import { custom, item, json, objectOf, page, saved, schemaAt, withRecord } from './results.js'
import { type CursorPage, defineRoute, type Page, type RestSurface } from './route.js'
import { cursorFields, cursorPaginationSchema, syncQuery, syncVariables } from './sync.js'

graphql(`
  fragment LeadRest on Lead {
    id external_id: externalId name first_name: firstName last_name: lastName email phone pipeline_stage: pipelineStage ai_status: aiStatus ai_score: aiScore ai_summary: aiSummary ai_enabled: aiEnabled source custom_data: customData metadata created_at: createdAt updated_at: updatedAt
  }
`)

graphql(`
  fragment QuoteListRest on Quote {
    id quote_number: quoteNumber status subtotal tax total currency lead_id: leadId valid_until: validUntil created_at: createdAt updated_at: updatedAt sent_at: sentAt viewed_at: viewedAt accepted_at: acceptedAt declined_at: declinedAt
  }
`)

graphql(`
  fragment QuoteRest on Quote {
    ...QuoteListRest line_items: lineItems { description quantity unit_price: unitPrice } metadata
  }
`)

graphql(`
  fragment AppointmentRest on Appointment {
    id title status appointment_type: appointmentType start_time: startTime end_time: endTime booked_by: bookedBy lead_id: leadId location notes created_at: createdAt updated_at: updatedAt leads: leadContact { name phone email }
  }
`)

const values = <T extends Record<string, string>>(object: T) => Object.values(object) as [T[keyof T], ...T[keyof T][]]

const PER_PAGE = { default: 25, max: 100 }

/** `page` and `per_page`: lenient, as documented (out of range → clamped, unparsable → the default). */
const pageQuery = {
  page: lenientInt({ min: 1, max: 1_000_000, default: 1, description: 'From 1; out-of-range values are clamped' }),
  per_page: lenientInt({ min: 1, max: PER_PAGE.max, default: PER_PAGE.default, description: 'Values above 100 are clamped' }),
}
const windowOf = (query: { page: number; per_page: number }) => ({ limit: query.per_page, offset: (query.page - 1) * query.per_page })

/**
 * `search` as the client typed it: a literal `+` stays a `+` (in `+1555…` or `jane+roof@…`)
 * when the term is a phone or an email, where form decoding would have turned it into a space.
 */
function searchTerm(decoded: string | undefined, url: URL): string | undefined {
  const raw = url.search
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

/** A PATCH names at least one known field. */
function patchInput(body: Record<string, unknown>) {
  const input = toInput(body)
  if (Object.keys(input).length === 0) throw badRequest('No valid fields to update')
  return input
}

/** The original API's words for a missing or mistyped `lead_id`/`message`, before the rules proper. */
const present = (value: unknown) => value !== undefined && value !== null && value !== ''
const smsBody = documented(
  z
    .object({ lead_id: z.unknown().optional(), message: z.unknown().optional() })
    .refine((body) => present(body.lead_id) && present(body.message), sentence("'lead_id' and 'message' are required"))
    .refine((body) => typeof body.lead_id === 'string', sentence("'lead_id' must be a string"))
    .refine((body) => typeof body.message === 'string', sentence("'message' must be a string"))
    .pipe(restBody(smsRules)),
  {
    type: 'object',
    properties: { lead_id: { type: 'string', minLength: 1 }, message: { type: 'string', minLength: 1, maxLength: 1600 } },
    required: ['lead_id', 'message'],
  },
)

const routes = [
  defineRoute({
    method: 'GET',
    path: '/leads',
    summary: 'List leads, newest first; filters stage, ai_status, search, external_id',
    scope: 'leads:read',
    query: z.object({
      stage: enumParam(values(LeadStage)).optional(),
      ai_status: enumParam(values(AiStatus)).optional(),
      search: textParam(200, 'Case-insensitive substring of the name, phone or email').optional(),
      external_id: textParam(200, "Your system's id for the lead").optional(),
      ...pageQuery,
      ...syncQuery(leadSort),
    }),
    document:
      graphql(`query ApiListLeads($stage: LeadStage, $aiStatus: AiStatus, $search: String, $externalId: String, $limit: Int, $offset: Int,
      $updatedSince: DateTime, $sort: LeadSort, $order: SortOrder, $cursorMode: Boolean! = false, $after: String, $count: Boolean! = false) {
      leadPage(stage: $stage, aiStatus: $aiStatus, search: $search, externalId: $externalId, updatedSince: $updatedSince, sort: $sort, order: $order, limit: $limit, offset: $offset)
        @skip(if: $cursorMode) { items { ...LeadRest } total limit offset }
      leads(stage: $stage, aiStatus: $aiStatus, search: $search, externalId: $externalId, updatedSince: $updatedSince, sort: $sort, order: $order, first: $limit, after: $after)
        @include(if: $cursorMode) { edges { node { ...LeadRest } } pageInfo { hasNextPage endCursor } totalCount @include(if: $count) }
    }`),
    variables: ({ query, url }) => ({
      stage: query.stage,
      aiStatus: query.ai_status,
      search: searchTerm(query.search, url),
      externalId: query.external_id,
      ...windowOf(query),
      ...syncVariables(query, url, 'page'),
    }),
    result: page('leadPage', 'leads'),
  }),
  defineRoute({
    method: 'POST',
    path: '/leads',
    summary: "Create a lead (needs 'name' or 'phone'; 201, lead.created), or upsert by external_id (200 and lead.updated when it exists)",
    scope: 'leads:write',
    body: restBody(leadRules, { oneOf: [['name'], ['phone'], ['externalId']] }),
    document: graphql(`mutation ApiCreateLead($input: LeadInput!) { upsertLead(input: $input) { created lead { ...LeadRest } } }`),
    variables: ({ body }) => ({ input: toInput(body) }),
    result: saved('upsertLead', 'lead'),
  }),
  defineRoute({
    method: 'GET',
    path: '/leads/:id',
    summary: 'Fetch one lead',
    scope: 'leads:read',
    document: graphql(`query ApiGetLead($id: ID!) { lead(id: $id) { ...LeadRest } }`),
    variables: ({ params }) => ({ id: params.id }),
    result: item('lead'),
    notFound: 'Lead not found',
  }),
  defineRoute({
    method: 'PATCH',
    path: '/leads/:id',
    summary: 'Partially update a lead; fires lead.updated, and sale.completed on a move to closed_won',
    scope: 'leads:write',
    body: restBody(leadPatchRules).meta({ minProperties: 1 }),
    document: graphql(`mutation ApiUpdateLead($id: ID!, $input: LeadPatch!) { updateLead(id: $id, input: $input) { ...LeadRest } }`),
    variables: ({ params, body }) => ({ id: params.id, input: patchInput(body) }),
    result: item('updateLead'),
    errors: [404],
  }),
  defineRoute({
    method: 'DELETE',
    path: '/leads/:id',
    summary: 'Delete a lead with its quotes and appointments; pending messages to it are cancelled (restorable for 30 days)',
    scope: 'leads:write',
    errors: [404],
    document: graphql(`mutation ApiDeleteLead($id: ID!) {
      deleteLead(id: $id) {
        lead { ...LeadRest deleted_at: deletedAt } restorable_until: restorableUntil
        cascade { quotes_deleted: quotes appointments_deleted: appointments communications_cancelled: communicationsCancelled conversations_kept: conversationsKept }
      }
    }`),
    variables: ({ params }) => ({ id: params.id }),
    result: withRecord('deleteLead', 'lead'),
  }),
  defineRoute({
    method: 'POST',
    path: '/leads/:id/restore',
    summary: 'Restore a lead deleted less than 30 days ago, with the quotes and appointments deleted with it',
    scope: 'leads:write',
    errors: [404],
    document: graphql(`mutation ApiRestoreLead($id: ID!) {
      restoreLead(id: $id) { lead { ...LeadRest } cascade { quotes_restored: quotes appointments_restored: appointments } }
    }`),
    variables: ({ params }) => ({ id: params.id }),
    result: withRecord('restoreLead', 'lead'),
  }),
  defineRoute({
    method: 'POST',
    path: '/leads/:id/erase',
    summary: "Erase a lead's personal data everywhere it was copied (irreversible)",
    scope: 'leads:write',
    errors: [404],
    document: graphql(`mutation ApiEraseLead($id: ID!) { eraseLead(id: $id) { id erased { place rows } } }`),
    variables: ({ params }) => ({ id: params.id }),
    result: item('eraseLead'),
  }),
  defineRoute({
    method: 'GET',
    path: '/quotes',
    summary: 'List quotes, newest first, without line items and metadata; filter status',
    scope: 'quotes:read',
    query: z.object({ status: enumParam(values(QuoteStatus)).optional(), ...pageQuery, ...syncQuery(quoteSort) }),
    document: graphql(`query ApiListQuotes($status: QuoteStatus, $limit: Int, $offset: Int,
      $updatedSince: DateTime, $sort: QuoteSort, $order: SortOrder, $cursorMode: Boolean! = false, $after: String, $count: Boolean! = false) {
      quotePage(status: $status, updatedSince: $updatedSince, sort: $sort, order: $order, limit: $limit, offset: $offset)
        @skip(if: $cursorMode) { items { ...QuoteListRest } total limit offset }
      quotes(status: $status, updatedSince: $updatedSince, sort: $sort, order: $order, first: $limit, after: $after)
        @include(if: $cursorMode) { edges { node { ...QuoteListRest } } pageInfo { hasNextPage endCursor } totalCount @include(if: $count) }
    }`),
    variables: ({ query, url }) => ({ status: query.status, ...windowOf(query), ...syncVariables(query, url, 'page') }),
    result: page('quotePage', 'quotes'),
  }),
  defineRoute({
    method: 'GET',
    path: '/quotes/:id',
    summary: 'Fetch one quote with its line items and metadata',
    scope: 'quotes:read',
    document: graphql(`query ApiGetQuote($id: ID!) { quote(id: $id) { ...QuoteRest } }`),
    variables: ({ params }) => ({ id: params.id }),
    result: item('quote'),
    notFound: 'Quote not found',
  }),
  defineRoute({
    method: 'DELETE',
    path: '/quotes/:id',
    summary: 'Delete a quote (restorable for 30 days)',
    scope: 'leads:write',
    errors: [404],
    document: graphql(`mutation ApiDeleteQuote($id: ID!) {
      deleteQuote(id: $id) { quote { ...QuoteRest deleted_at: deletedAt } restorable_until: restorableUntil }
    }`),
    variables: ({ params }) => ({ id: params.id }),
    result: withRecord('deleteQuote', 'quote'),
  }),
  defineRoute({
    method: 'POST',
    path: '/quotes/:id/restore',
    summary: 'Restore a quote deleted less than 30 days ago (its lead must not be deleted)',
    scope: 'leads:write',
    errors: [404, 409],
    document: graphql(`mutation ApiRestoreQuote($id: ID!) { restoreQuote(id: $id) { quote { ...QuoteRest } } }`),
    variables: ({ params }) => ({ id: params.id }),
    result: withRecord('restoreQuote', 'quote'),
  }),
  defineRoute({
    method: 'POST',
    path: '/sms',
    errors: [402, 404, 502],
    summary: 'Send an SMS to a lead for one SMS credit',
    scope: 'sms:send',
    body: smsBody,
    document: graphql(
      `mutation ApiSendSms($leadId: ID!, $message: String!) { sendSms(leadId: $leadId, message: $message) { success message messageId } }`,
    ),
    variables: ({ body }) => ({ leadId: body.lead_id, message: body.message }),
    result: custom<ApiSendSmsMutation>(
      (data) => ({ body: { success: true, message: data.sendSms.message, message_id: data.sendSms.messageId } }),
      (schema) => ({
        status: 200,
        content: json(
          objectOf({
            success: { type: 'boolean', const: true },
            message: schemaAt(schema, 'sendSms.message'),
            message_id: schemaAt(schema, 'sendSms.messageId'),
          }),
        ),
      }),
    ),
  }),
  defineRoute({
    method: 'GET',
    path: '/appointments',
    summary: 'List appointments, newest first, each with its lead under `leads`; filter type',
    scope: 'appointments:read',
    query: z.object({ type: enumParam(values(AppointmentType)).optional(), ...pageQuery, ...syncQuery(appointmentSort) }),
    document: graphql(`query ApiListAppointments($type: AppointmentType, $limit: Int, $offset: Int,
      $updatedSince: DateTime, $sort: AppointmentSort, $order: SortOrder, $cursorMode: Boolean! = false, $after: String, $count: Boolean! = false) {
      appointmentPage(type: $type, updatedSince: $updatedSince, sort: $sort, order: $order, limit: $limit, offset: $offset)
        @skip(if: $cursorMode) { items { ...AppointmentRest } total limit offset }
      appointments(type: $type, updatedSince: $updatedSince, sort: $sort, order: $order, first: $limit, after: $after)
        @include(if: $cursorMode) { edges { node { ...AppointmentRest } } pageInfo { hasNextPage endCursor } totalCount @include(if: $count) }
    }`),
    variables: ({ query, url }) => ({ type: query.type, ...windowOf(query), ...syncVariables(query, url, 'page') }),
    result: page('appointmentPage', 'appointments'),
  }),
  defineRoute({
    method: 'DELETE',
    path: '/appointments/:id',
    summary: 'Delete an appointment (restorable for 30 days)',
    scope: 'leads:write',
    errors: [404],
    document: graphql(`mutation ApiDeleteAppointment($id: ID!) {
      deleteAppointment(id: $id) { appointment { ...AppointmentRest deleted_at: deletedAt } restorable_until: restorableUntil }
    }`),
    variables: ({ params }) => ({ id: params.id }),
    result: withRecord('deleteAppointment', 'appointment'),
  }),
  defineRoute({
    method: 'POST',
    path: '/appointments/:id/restore',
    summary: 'Restore an appointment deleted less than 30 days ago (its lead must not be deleted)',
    scope: 'leads:write',
    errors: [404, 409],
    document: graphql(`mutation ApiRestoreAppointment($id: ID!) { restoreAppointment(id: $id) { appointment { ...AppointmentRest } } }`),
    variables: ({ params }) => ({ id: params.id }),
    result: withRecord('restoreAppointment', 'appointment'),
  }),
  defineRoute({
    method: 'GET',
    path: '/pipeline',
    summary: 'Lead counts per pipeline stage, every stage present',
    scope: 'pipeline:read',
    document: graphql(`query ApiPipeline { pipeline {
      new_lead: newLead follow_up: followUp quote_in_progress: quoteInProgress quoted closed_won: closedWon closed_lost: closedLost
    } }`),
    result: item('pipeline'),
  }),
]

export const leadsSurface: RestSurface = {
  name: 'leads',
  prefix: '/api/v1',
  errorBody: (_status, message) => ({ error: message }),
  pageEnvelope: (page: Page, query) => ({ data: page.items, meta: { page: query.page, per_page: query.per_page, total: page.total } }),
  pageSchema: (items) =>
    objectOf({
      data: { type: 'array', items },
      meta: objectOf({
        page: { type: 'integer', minimum: 1 },
        per_page: { type: 'integer', minimum: 1, maximum: PER_PAGE.max },
        total: { type: 'integer', minimum: 0 },
      }),
    }),
  cursorEnvelope: (page: CursorPage, query) => ({ data: page.items, meta: { per_page: query.per_page, ...cursorFields(page) } }),
  cursorSchema: (items) =>
    objectOf({
      data: { type: 'array', items },
      meta: cursorPaginationSchema({ per_page: { type: 'integer', minimum: 1, maximum: PER_PAGE.max } }),
    }),
  routes,
}
