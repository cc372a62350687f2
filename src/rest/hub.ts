/**
 * The CRM hub under /hub/v1 (shared spec crm-api.md): customers, projects and their events,
 * communications and their dispatch, templates, providers, integrations and campaigns. Reads need
 * `read:hub`, writes `write:hub`; every write honours `Idempotency-Key`. Field aliases produce the
 * documented snake_case shapes; JSON values (metadata, data, config) pass through untouched.
 */
import { z } from 'zod'
import { graphql } from '../generated/gql/index.js'
import { CampaignStatus, Channel, CommunicationStatus } from '../generated/prisma/enums.js'
import { id, jsonObject, nullableString, parseBody, timestamp, toInput } from './body-schema.js'
import { enumParam, stringParam } from './params.js'
import { defineRoute, type RestRoute, type RestSurface } from './route.js'
import { crmErrorBody, crmWindow, pageEnvelope } from './v1.js'

graphql(`
  fragment CustomerRest on Customer {
    id external_id: externalId name first_name: firstName last_name: lastName email phone address metadata
  created_at: createdAt updated_at: updatedAt
  }
`)
graphql(`
  fragment ProjectRest on Project {
    id customer_id: customerId name pipeline_stage: pipelineStage project_status: projectStatus address value
  build_date: buildDate metadata created_at: createdAt updated_at: updatedAt
  }
`)
graphql(`
  fragment EventRest on ProjectEvent {
    id project_id: projectId event_type: eventType data source occurred_at: occurredAt created_at: createdAt
  communications: communicationIds
  }
`)
graphql(`
  fragment CommunicationRest on Communication {
    id channel status to subject content customer_id: customerId project_id: projectId lead_id: leadId
  template_id: templateId event_id: eventId campaign_id: campaignId provider provider_message_id: providerMessageId
  scheduled_for: scheduledFor sent_at: sentAt attempts last_error: lastError created_at: createdAt updated_at: updatedAt
  }
`)
graphql(`
  fragment TemplateRest on Template {
    id name event_type: eventType channel subject body delay_minutes: delayMinutes active
  unknown_placeholders: unknownPlaceholders created_at: createdAt updated_at: updatedAt
  }
`)
graphql(`
  fragment CampaignRest on Campaign {
    id project_id: projectId event_id: eventId name event_type: eventType status pending_count: pendingCount
  message_count: messageCount created_at: createdAt updated_at: updatedAt
  }
`)
graphql(`
  fragment IntegrationRest on Integration {
    id provider config created_at: createdAt updated_at: updatedAt
  }
`)

const one = (value: unknown) => (value ? { body: { data: value } } : null)
/** 201 when the write created the record, 200 when it updated one. */
const saved = (result: { created: boolean }, record: unknown) => ({ status: result.created ? 201 : 200, body: { data: record } })

const bodies = {
  customer: z.object({
    id: id.optional(),
    external_id: nullableString(200),
    name: nullableString(),
    first_name: nullableString(),
    last_name: nullableString(),
    email: nullableString(),
    phone: nullableString(),
    address: nullableString(),
    metadata: jsonObject.optional(),
  }),
  project: z.object({
    id: id.optional(),
    customer_id: id.optional(),
    name: nullableString(),
    pipeline_stage: nullableString(),
    project_status: nullableString(),
    address: nullableString(),
    value: z.number().nullable().optional(),
    build_date: nullableString(40),
    metadata: jsonObject.optional(),
  }),
  status: z.object({ project_status: z.string().max(100).optional(), pipeline_stage: z.string().max(100).optional() }),
  event: z.object({ project_id: id, event_type: z.string().max(200), data: jsonObject.optional(), occurred_at: timestamp.optional() }),
  communication: z.object({
    channel: z.enum(Channel),
    content: z.string(),
    subject: z.string().optional(),
    to: z.string().optional(),
    customer_id: id.optional(),
    project_id: id.optional(),
    campaign_id: id.optional(),
    scheduled_for: timestamp.optional(),
  }),
  adjust: z.object({ campaign_id: id, action: z.enum(['pause', 'resume', 'cancel']) }),
  integration: z.object({ config: jsonObject }),
}

const integrationWrite = (method: 'PUT' | 'POST'): RestRoute => ({
  method,
  path: '/integrations/:provider',
  summary: "Store a provider's settings (secrets encrypted, answered masked)",
  scope: 'write:hub',
  document: graphql(`mutation SaveIntegration($provider: String!, $config: JSON!) {
    saveIntegration(provider: $provider, config: $config) { created integration { ...IntegrationRest } }
  }`),
  variables: ({ params, body }) => ({ provider: params.provider, config: parseBody(bodies.integration, body).config }),
  respond: (data) => saved(data.saveIntegration, data.saveIntegration.integration),
})

export const hubSurface: RestSurface = {
  name: 'crm-hub',
  prefix: '/hub/v1',
  idempotent: true,
  errorBody: crmErrorBody,
  routes: [
    defineRoute({
      method: 'GET',
      path: '/customers',
      summary: 'List customers, newest first',
      scope: 'read:hub',
      document: graphql(`query ListCustomers($search: String, $externalId: String, $limit: Int, $offset: Int) {
        customerPage(search: $search, externalId: $externalId, limit: $limit, offset: $offset) { items { ...CustomerRest } total limit offset }
      }`),
      variables: (input) => ({
        search: stringParam(input.query, 'search'),
        externalId: stringParam(input.query, 'external_id'),
        ...crmWindow(input),
      }),
      respond: (data) => pageEnvelope(data.customerPage),
    }),
    defineRoute({
      method: 'GET',
      path: '/customers/:customerId',
      summary: 'Fetch one customer',
      scope: 'read:hub',
      document: graphql(`query GetCustomer($id: ID!) { customer(id: $id) { ...CustomerRest } }`),
      variables: ({ params }) => ({ id: params.customerId }),
      respond: (data) => one(data.customer),
      notFound: 'Customer not found',
    }),
    defineRoute({
      method: 'POST',
      path: '/customers',
      summary: 'Upsert a customer by id or external_id (201 created, 200 updated)',
      scope: 'write:hub',
      errors: [404],
      document: graphql(
        `mutation UpsertCustomer($input: CustomerInput!) { upsertCustomer(input: $input) { created customer { ...CustomerRest } } }`,
      ),
      variables: ({ body }) => ({ input: toInput(parseBody(bodies.customer, body)) }),
      respond: (data) => saved(data.upsertCustomer, data.upsertCustomer.customer),
    }),
    defineRoute({
      method: 'GET',
      path: '/projects',
      summary: 'List projects, newest first',
      scope: 'read:hub',
      document: graphql(`query ListProjects($pipelineStage: String, $projectStatus: String, $customerId: ID, $limit: Int, $offset: Int) {
        projectPage(pipelineStage: $pipelineStage, projectStatus: $projectStatus, customerId: $customerId, limit: $limit, offset: $offset) {
          items { ...ProjectRest } total limit offset
        }
      }`),
      variables: (input) => ({
        pipelineStage: stringParam(input.query, 'pipeline_stage', 100),
        projectStatus: stringParam(input.query, 'project_status', 100),
        customerId: stringParam(input.query, 'customer_id', 100),
        ...crmWindow(input),
      }),
      respond: (data) => pageEnvelope(data.projectPage),
    }),
    defineRoute({
      method: 'GET',
      path: '/projects/:projectId',
      summary: 'Fetch one project with its customer',
      scope: 'read:hub',
      document: graphql(`query GetProject($id: ID!) { project(id: $id) { ...ProjectRest customer { ...CustomerRest } } }`),
      variables: ({ params }) => ({ id: params.projectId }),
      respond: (data) => one(data.project),
      notFound: 'Project not found',
    }),
    defineRoute({
      method: 'POST',
      path: '/projects',
      summary: 'Create a project, or update it when id is given (201/200)',
      scope: 'write:hub',
      errors: [404],
      document: graphql(
        `mutation SaveProject($input: ProjectInput!) { saveProject(input: $input) { created project { ...ProjectRest } } }`,
      ),
      variables: ({ body }) => ({ input: toInput(parseBody(bodies.project, body)) }),
      respond: (data) => saved(data.saveProject, data.saveProject.project),
    }),
    defineRoute({
      method: 'PATCH',
      path: '/projects/:projectId/status',
      summary: "Change a project's status or stage; automation statuses queue messages",
      scope: 'write:hub',
      document: graphql(`mutation UpdateProjectStatus($id: ID!, $projectStatus: String, $pipelineStage: String) {
        updateProjectStatus(id: $id, projectStatus: $projectStatus, pipelineStage: $pipelineStage) {
          project { ...ProjectRest } event { ...EventRest } communications { ...CommunicationRest }
        }
      }`),
      variables: ({ params, body }) => ({ id: params.projectId, ...toInput(parseBody(bodies.status, body)) }),
      respond: (data) => ({ body: { data: data.updateProjectStatus } }),
    }),
    defineRoute({
      method: 'GET',
      path: '/projects/:projectId/events',
      summary: "A project's event history, newest first",
      scope: 'read:hub',
      document: graphql(`query ListProjectEvents($id: ID!, $limit: Int, $offset: Int) {
        project(id: $id) { eventPage(limit: $limit, offset: $offset) { items { ...EventRest } total limit offset } }
      }`),
      variables: (input) => ({ id: input.params.projectId, ...crmWindow(input) }),
      respond: (data) => (data.project ? pageEnvelope(data.project.eventPage) : null),
      notFound: 'Project not found',
    }),
    defineRoute({
      method: 'POST',
      path: '/events',
      summary: 'Record a project event and queue its automation messages',
      scope: 'write:hub',
      errors: [404],
      document: graphql(`mutation RecordEvent($input: EventInput!) {
        recordEvent(input: $input) { event { ...EventRest } communications { ...CommunicationRest } }
      }`),
      variables: ({ body }) => ({ input: toInput(parseBody(bodies.event, body)) }),
      respond: (data) => ({ status: 201, body: { data: data.recordEvent } }),
    }),
    defineRoute({
      method: 'GET',
      path: '/communications',
      summary: 'Queued and sent messages, newest first',
      scope: 'read:hub',
      document:
        graphql(`query ListCommunications($status: CommunicationStatus, $channel: Channel, $projectId: ID, $customerId: ID, $campaignId: ID, $limit: Int, $offset: Int) {
        communicationPage(status: $status, channel: $channel, projectId: $projectId, customerId: $customerId, campaignId: $campaignId, limit: $limit, offset: $offset) {
          items { ...CommunicationRest } total limit offset
        }
      }`),
      variables: (input) => ({
        status: enumParam(input.query, 'status', Object.values(CommunicationStatus)),
        channel: enumParam(input.query, 'channel', Object.values(Channel)),
        projectId: stringParam(input.query, 'project_id', 100),
        customerId: stringParam(input.query, 'customer_id', 100),
        campaignId: stringParam(input.query, 'campaign_id', 100),
        ...crmWindow(input),
      }),
      respond: (data) => pageEnvelope(data.communicationPage),
    }),
    defineRoute({
      method: 'GET',
      path: '/communications/:id',
      summary: 'Fetch one communication',
      scope: 'read:hub',
      document: graphql(`query GetCommunication($id: ID!) { communication(id: $id) { ...CommunicationRest } }`),
      variables: ({ params }) => ({ id: params.id }),
      respond: (data) => one(data.communication),
      notFound: 'Communication not found',
    }),
    defineRoute({
      method: 'POST',
      path: '/communications',
      summary: 'Queue one message (scheduled when scheduled_for is given)',
      scope: 'write:hub',
      errors: [404],
      document: graphql(
        `mutation QueueCommunication($input: CommunicationInput!) { queueCommunication(input: $input) { ...CommunicationRest } }`,
      ),
      variables: ({ body }) => ({ input: toInput(parseBody(bodies.communication, body)) }),
      respond: (data) => ({ status: 201, body: { data: data.queueCommunication } }),
    }),
    defineRoute({
      method: 'POST',
      path: '/communications/:id/dispatch',
      summary: 'Send a message now through its provider',
      scope: 'write:hub',
      errors: [409, 502],
      document: graphql(`mutation DispatchCommunication($id: ID!) { dispatchCommunication(id: $id) { ...CommunicationRest } }`),
      variables: ({ params }) => ({ id: params.id }),
      respond: (data) => ({ body: { data: data.dispatchCommunication } }),
    }),
    defineRoute({
      method: 'POST',
      path: '/communications/:id/mark-sent',
      summary: 'Mark a message sent outside this server',
      scope: 'write:hub',
      errors: [409],
      document: graphql(`mutation MarkCommunicationSent($id: ID!) { markCommunicationSent(id: $id) { ...CommunicationRest } }`),
      variables: ({ params }) => ({ id: params.id }),
      respond: (data) => ({ body: { data: data.markCommunicationSent } }),
    }),
    defineRoute({
      method: 'GET',
      path: '/templates',
      summary: "The account's message templates",
      scope: 'read:hub',
      document: graphql(`query ListTemplates($eventType: String, $channel: Channel, $limit: Int, $offset: Int) {
        templatePage(eventType: $eventType, channel: $channel, limit: $limit, offset: $offset) { items { ...TemplateRest } total limit offset }
      }`),
      variables: (input) => ({
        eventType: stringParam(input.query, 'event_type', 100),
        channel: enumParam(input.query, 'channel', Object.values(Channel)),
        ...crmWindow(input),
      }),
      respond: (data) => pageEnvelope(data.templatePage),
    }),
    defineRoute({
      method: 'GET',
      path: '/providers',
      summary: 'Supported providers and whether each is configured',
      scope: 'read:hub',
      document: graphql(`query ListProviders { providers { name channels configured } }`),
      respond: (data) => ({ body: { data: data.providers } }),
    }),
    defineRoute({
      method: 'GET',
      path: '/integrations',
      summary: 'Configured integrations, secrets masked',
      scope: 'read:hub',
      document: graphql(`query ListIntegrations { integrations { ...IntegrationRest } }`),
      respond: (data) => ({ body: { data: data.integrations } }),
    }),
    integrationWrite('PUT'),
    integrationWrite('POST'),
    defineRoute({
      method: 'GET',
      path: '/campaigns',
      summary: 'Campaigns with their status and pending messages',
      scope: 'read:hub',
      document: graphql(`query ListCampaigns($status: CampaignStatus, $projectId: ID, $limit: Int, $offset: Int) {
        campaignPage(status: $status, projectId: $projectId, limit: $limit, offset: $offset) { items { ...CampaignRest } total limit offset }
      }`),
      variables: (input) => ({
        status: enumParam(input.query, 'status', Object.values(CampaignStatus)),
        projectId: stringParam(input.query, 'project_id', 100),
        ...crmWindow(input),
      }),
      respond: (data) => pageEnvelope(data.campaignPage),
    }),
    defineRoute({
      method: 'POST',
      path: '/campaigns/adjust',
      summary: 'Pause, resume or cancel a campaign',
      scope: 'write:hub',
      errors: [404],
      document: graphql(`mutation AdjustCampaign($campaignId: ID!, $action: CampaignAction!) {
        adjustCampaign(campaignId: $campaignId, action: $action) { ...CampaignRest }
      }`),
      variables: ({ body }) => toInput(parseBody(bodies.adjust, body)),
      respond: (data) => ({ body: { data: data.adjustCampaign } }),
    }),
  ],
}
