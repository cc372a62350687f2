/**
 * The CRM hub under /hub/v1 (shared spec crm-api.md): customers, projects and their events,
 * communications and their dispatch, templates, providers, integrations and campaigns, and the
 * webhook endpoints (./hub-webhooks.ts). Reads need `read:hub`, writes `write:hub` (webhooks:
 * `webhooks:read`, `webhooks:write`); every write honours `Idempotency-Key`. Field aliases produce the
 * documented snake_case shapes; JSON values (metadata, data, config) pass through untouched.
 */

import type { ResultOf } from '@graphql-typed-document-node/core'
import { z } from 'zod'
import type { ListChangesDocument } from '../generated/gql/graphql.js'
import { graphql } from '../generated/gql/index.js'
import { CampaignStatus, Channel, CommunicationStatus } from '../generated/prisma/enums.js'
import { adjustRules, campaignSort } from '../schema/campaigns.js'
import { CURSOR_FORMAT, FEED_OBJECT_TYPES } from '../schema/changes.js'
import { communicationRules, communicationSort } from '../schema/communications.js'
import { customerIdentity, customerRules, customerSort } from '../schema/customers.js'
import { eventRules, eventSort } from '../schema/events.js'
import { knownProvider } from '../schema/integrations.js'
import { projectIdentity, projectRules, projectSort, statusRules } from '../schema/projects.js'
import { jsonObject } from '../schema/rules.js'
import { templateSort } from '../schema/templates.js'
import { restBody, toInput } from './bodies.js'
import { crmConventions, crmWindow } from './crm.js'
import { auditRoutes } from './hub-audit.js'
import { webhookRoutes } from './hub-webhooks.js'
import type { JsonSchema } from './openapi/json-schema.js'
import { documented, enumParam, intParam, textParam } from './params.js'
import { custom, item, json, nonNull, objectOf, page, saved, schemaAt, withRecord } from './results.js'
import { defineRoute, type RestSurface } from './route.js'
import { syncQuery, syncVariables } from './sync.js'

graphql(`
  fragment CustomerRest on Customer {
    id external_id: externalId name first_name: firstName last_name: lastName email phone address metadata
  created_at: createdAt updated_at: updatedAt
  }
`)
graphql(`
  fragment ProjectRest on Project {
    id external_id: externalId customer_id: customerId name pipeline_stage: pipelineStage project_status: projectStatus address value
  build_date: buildDate metadata created_at: createdAt updated_at: updatedAt
  }
`)
graphql(`
  fragment EventRest on ProjectEvent {
    id project_id: projectId event_type: eventType data source occurred_at: occurredAt created_at: createdAt updated_at: updatedAt
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

graphql(`
  fragment ChangeRest on Change {
    cursor object_type: objectType object_id: objectId action data previous actor { type id } request_id: requestId
  changed_at: changedAt
  }
`)

const values = <T extends Record<string, string>>(object: T) => Object.values(object) as [T[keyof T], ...T[keyof T][]]
const idParam = (description: string) => textParam(100, description).optional()

const integrationWrite = (method: 'PUT' | 'POST') =>
  defineRoute({
    method,
    path: '/integrations/:provider',
    summary: "Store a provider's settings (secrets encrypted, answered masked); 201 the first time, 200 when replaced",
    scope: 'write:hub',
    params: z.object({ provider: textParam(40, 'sendblue, vapi, twilio or email') }),
    body: z.object({ config: jsonObject.describe("The provider's settings (see the integration guide)") }),
    document: graphql(`mutation SaveIntegration($provider: IntegrationProvider!, $config: JSON!) {
      saveIntegration(provider: $provider, config: $config) { created integration { ...IntegrationRest } }
    }`),
    variables: ({ params, body }) => ({ provider: knownProvider(params.provider), config: body.config }),
    result: saved('saveIntegration', 'integration'),
    errors: [404],
  })

export const hubSurface: RestSurface = {
  name: 'crm-hub',
  prefix: '/hub/v1',
  ...crmConventions,
  routes: [
    defineRoute({
      method: 'GET',
      path: '/customers',
      summary: 'List customers, newest first',
      scope: 'read:hub',
      query: z.object({
        search: textParam(200, 'Case-insensitive substring of the name, phone or email').optional(),
        external_id: textParam(200, "Your system's id").optional(),
        ...crmWindow,
        ...syncQuery(customerSort),
      }),
      document: graphql(`query ListCustomers($search: String, $externalId: String, $limit: Int, $offset: Int,
        $updatedSince: DateTime, $sort: CustomerSort, $order: SortOrder, $cursorMode: Boolean! = false, $after: String, $count: Boolean! = false) {
        customerPage(search: $search, externalId: $externalId, updatedSince: $updatedSince, sort: $sort, order: $order, limit: $limit, offset: $offset)
          @skip(if: $cursorMode) { items { ...CustomerRest } total limit offset }
        customers(search: $search, externalId: $externalId, updatedSince: $updatedSince, sort: $sort, order: $order, first: $limit, after: $after)
          @include(if: $cursorMode) { edges { node { ...CustomerRest } } pageInfo { hasNextPage endCursor } totalCount @include(if: $count) }
      }`),
      variables: ({ query, url }) => ({
        search: query.search,
        externalId: query.external_id,
        limit: query.limit,
        offset: query.offset,
        ...syncVariables(query, url, 'offset'),
      }),
      result: page('customerPage', 'customers'),
    }),
    defineRoute({
      method: 'GET',
      path: '/customers/:customerId',
      summary: 'Fetch one customer',
      scope: 'read:hub',
      document: graphql(`query GetCustomer($id: ID!) { customer(id: $id) { ...CustomerRest } }`),
      variables: ({ params }) => ({ id: params.customerId }),
      result: item('customer'),
      notFound: 'Customer not found',
    }),
    defineRoute({
      method: 'POST',
      path: '/customers',
      summary: 'Upsert a customer by id or external_id (201 created, 200 updated)',
      scope: 'write:hub',
      errors: [404],
      body: restBody(customerRules, { oneOf: customerIdentity }),
      document: graphql(
        `mutation UpsertCustomer($input: CustomerInput!) { upsertCustomer(input: $input) { created customer { ...CustomerRest } } }`,
      ),
      variables: ({ body }) => ({ input: toInput(body) }),
      result: saved('upsertCustomer', 'customer'),
    }),
    defineRoute({
      method: 'DELETE',
      path: '/customers/:customerId',
      summary: 'Delete a customer with its projects; pending messages to them are cancelled (restorable for 30 days)',
      scope: 'write:hub',
      errors: [404],
      document: graphql(`mutation DeleteCustomer($id: ID!) {
        deleteCustomer(id: $id) {
          customer { ...CustomerRest deleted_at: deletedAt } restorable_until: restorableUntil
          cascade { projects_deleted: projects communications_cancelled: communicationsCancelled conversations_kept: conversationsKept }
        }
      }`),
      variables: ({ params }) => ({ id: params.customerId }),
      result: withRecord('deleteCustomer', 'customer'),
    }),
    defineRoute({
      method: 'POST',
      path: '/customers/:customerId/restore',
      summary: 'Restore a customer deleted less than 30 days ago, with the projects deleted with it',
      scope: 'write:hub',
      errors: [404, 409],
      document: graphql(`mutation RestoreCustomer($id: ID!) {
        restoreCustomer(id: $id) { customer { ...CustomerRest } cascade { projects_restored: projects } }
      }`),
      variables: ({ params }) => ({ id: params.customerId }),
      result: withRecord('restoreCustomer', 'customer'),
    }),
    defineRoute({
      method: 'POST',
      path: '/customers/:customerId/erase',
      summary: "Erase a customer's personal data everywhere it was copied (irreversible)",
      scope: 'write:hub',
      errors: [404],
      document: graphql(`mutation EraseCustomer($id: ID!) { eraseCustomer(id: $id) { id erased { place rows } } }`),
      variables: ({ params }) => ({ id: params.customerId }),
      result: item('eraseCustomer'),
    }),
    defineRoute({
      method: 'GET',
      path: '/projects',
      summary: 'List projects, newest first',
      scope: 'read:hub',
      query: z.object({
        pipeline_stage: textParam(100).optional(),
        project_status: textParam(100).optional(),
        customer_id: idParam("Only this customer's projects"),
        external_id: textParam(200, "Your system's id").optional(),
        search: textParam(200, 'Case-insensitive substring of the name, address or external id').optional(),
        ...crmWindow,
        ...syncQuery(projectSort),
      }),
      document:
        graphql(`query ListProjects($pipelineStage: String, $projectStatus: String, $customerId: ID, $externalId: String, $search: String,
        $limit: Int, $offset: Int, $updatedSince: DateTime, $sort: ProjectSort, $order: SortOrder, $cursorMode: Boolean! = false,
        $after: String, $count: Boolean! = false) {
        projectPage(pipelineStage: $pipelineStage, projectStatus: $projectStatus, customerId: $customerId, externalId: $externalId,
          search: $search, updatedSince: $updatedSince, sort: $sort, order: $order, limit: $limit, offset: $offset) @skip(if: $cursorMode) {
          items { ...ProjectRest } total limit offset
        }
        projects(pipelineStage: $pipelineStage, projectStatus: $projectStatus, customerId: $customerId, externalId: $externalId,
          search: $search, updatedSince: $updatedSince, sort: $sort, order: $order, first: $limit, after: $after) @include(if: $cursorMode) {
          edges { node { ...ProjectRest } } pageInfo { hasNextPage endCursor } totalCount @include(if: $count)
        }
      }`),
      variables: ({ query, url }) => ({
        pipelineStage: query.pipeline_stage,
        projectStatus: query.project_status,
        customerId: query.customer_id,
        externalId: query.external_id,
        search: query.search,
        limit: query.limit,
        offset: query.offset,
        ...syncVariables(query, url, 'offset'),
      }),
      result: page('projectPage', 'projects'),
    }),
    defineRoute({
      method: 'GET',
      path: '/projects/:projectId',
      summary: 'Fetch one project with its customer',
      scope: 'read:hub',
      document: graphql(`query GetProject($id: ID!) { project(id: $id) { ...ProjectRest customer { ...CustomerRest } } }`),
      variables: ({ params }) => ({ id: params.projectId }),
      result: item('project'),
      notFound: 'Project not found',
    }),
    defineRoute({
      method: 'POST',
      path: '/projects',
      summary: 'Create a project, or update it by id, or upsert it by external_id (201 created, 200 updated)',
      scope: 'write:hub',
      errors: [404],
      body: restBody(projectRules, { oneOf: projectIdentity }),
      document: graphql(
        `mutation SaveProject($input: ProjectInput!) { saveProject(input: $input) { created project { ...ProjectRest } } }`,
      ),
      variables: ({ body }) => ({ input: toInput(body) }),
      result: saved('saveProject', 'project'),
    }),
    defineRoute({
      method: 'PATCH',
      path: '/projects/:projectId/status',
      summary: "Change a project's status or stage; automation statuses queue messages",
      scope: 'write:hub',
      errors: [404],
      body: restBody(statusRules, { oneOf: [['projectStatus'], ['pipelineStage']] }),
      document: graphql(`mutation UpdateProjectStatus($id: ID!, $projectStatus: String, $pipelineStage: String) {
        updateProjectStatus(id: $id, projectStatus: $projectStatus, pipelineStage: $pipelineStage) {
          project { ...ProjectRest } event { ...EventRest } communications { ...CommunicationRest }
        }
      }`),
      variables: ({ params, body }) => ({ id: params.projectId, ...toInput(body) }),
      result: item('updateProjectStatus'),
    }),
    defineRoute({
      method: 'DELETE',
      path: '/projects/:projectId',
      summary: 'Delete a project; its pending messages are cancelled (restorable for 30 days)',
      scope: 'write:hub',
      errors: [404],
      document: graphql(`mutation DeleteProject($id: ID!) {
        deleteProject(id: $id) {
          project { ...ProjectRest deleted_at: deletedAt } restorable_until: restorableUntil
          cascade { communications_cancelled: communicationsCancelled }
        }
      }`),
      variables: ({ params }) => ({ id: params.projectId }),
      result: withRecord('deleteProject', 'project'),
    }),
    defineRoute({
      method: 'POST',
      path: '/projects/:projectId/restore',
      summary: 'Restore a project deleted less than 30 days ago (its customer must not be deleted)',
      scope: 'write:hub',
      errors: [404, 409],
      document: graphql(`mutation RestoreProject($id: ID!) { restoreProject(id: $id) { project { ...ProjectRest } } }`),
      variables: ({ params }) => ({ id: params.projectId }),
      result: withRecord('restoreProject', 'project'),
    }),
    defineRoute({
      method: 'GET',
      path: '/projects/:projectId/events',
      summary: "A project's event history, newest first",
      scope: 'read:hub',
      query: z.object({ ...crmWindow, ...syncQuery(eventSort) }),
      document: graphql(`query ListProjectEvents($id: ID!, $limit: Int, $offset: Int,
        $updatedSince: DateTime, $sort: ProjectEventSort, $order: SortOrder, $cursorMode: Boolean! = false, $after: String, $count: Boolean! = false) {
        project(id: $id) {
          eventPage(updatedSince: $updatedSince, sort: $sort, order: $order, limit: $limit, offset: $offset) @skip(if: $cursorMode) {
            items { ...EventRest } total limit offset
          }
          events(updatedSince: $updatedSince, sort: $sort, order: $order, first: $limit, after: $after) @include(if: $cursorMode) {
            edges { node { ...EventRest } } pageInfo { hasNextPage endCursor } totalCount @include(if: $count)
          }
        }
      }`),
      variables: ({ params, query, url }) => ({
        id: params.projectId,
        limit: query.limit,
        offset: query.offset,
        ...syncVariables(query, url, 'offset'),
      }),
      result: page('project.eventPage', 'project.events'),
      notFound: 'Project not found',
    }),
    defineRoute({
      method: 'POST',
      path: '/events',
      summary: 'Record a project event and queue its automation messages',
      scope: 'write:hub',
      errors: [404],
      body: restBody(eventRules),
      document: graphql(`mutation RecordEvent($input: EventInput!) {
        recordEvent(input: $input) { event { ...EventRest } communications { ...CommunicationRest } }
      }`),
      variables: ({ body }) => ({ input: toInput(body) }),
      result: item('recordEvent', 201),
    }),
    defineRoute({
      method: 'GET',
      path: '/communications',
      summary: 'Queued and sent messages, newest first',
      scope: 'read:hub',
      query: z.object({
        status: enumParam(values(CommunicationStatus)).optional(),
        channel: enumParam(values(Channel)).optional(),
        project_id: idParam("Only this project's messages"),
        customer_id: idParam("Only this customer's messages"),
        campaign_id: idParam("Only this campaign's messages"),
        ...crmWindow,
        ...syncQuery(communicationSort),
      }),
      document:
        graphql(`query ListCommunications($status: CommunicationStatus, $channel: Channel, $projectId: ID, $customerId: ID, $campaignId: ID,
        $limit: Int, $offset: Int,
        $updatedSince: DateTime, $sort: CommunicationSort, $order: SortOrder, $cursorMode: Boolean! = false, $after: String, $count: Boolean! = false) {
        communicationPage(status: $status, channel: $channel, projectId: $projectId, customerId: $customerId, campaignId: $campaignId,
          updatedSince: $updatedSince, sort: $sort, order: $order, limit: $limit, offset: $offset) @skip(if: $cursorMode) {
          items { ...CommunicationRest } total limit offset
        }
        communications(status: $status, channel: $channel, projectId: $projectId, customerId: $customerId, campaignId: $campaignId,
          updatedSince: $updatedSince, sort: $sort, order: $order, first: $limit, after: $after) @include(if: $cursorMode) {
          edges { node { ...CommunicationRest } } pageInfo { hasNextPage endCursor } totalCount @include(if: $count)
        }
      }`),
      variables: ({ query, url }) => ({
        status: query.status,
        channel: query.channel,
        projectId: query.project_id,
        customerId: query.customer_id,
        campaignId: query.campaign_id,
        limit: query.limit,
        offset: query.offset,
        ...syncVariables(query, url, 'offset'),
      }),
      result: page('communicationPage', 'communications'),
    }),
    defineRoute({
      method: 'GET',
      path: '/communications/:id',
      summary: 'Fetch one communication',
      scope: 'read:hub',
      document: graphql(`query GetCommunication($id: ID!) { communication(id: $id) { ...CommunicationRest } }`),
      variables: ({ params }) => ({ id: params.id }),
      result: item('communication'),
      notFound: 'Communication not found',
    }),
    defineRoute({
      method: 'POST',
      path: '/communications',
      summary: 'Queue one message (scheduled when scheduled_for is given)',
      scope: 'write:hub',
      errors: [404],
      body: restBody(communicationRules),
      document: graphql(
        `mutation QueueCommunication($input: CommunicationInput!) { queueCommunication(input: $input) { ...CommunicationRest } }`,
      ),
      variables: ({ body }) => ({ input: toInput(body) }),
      result: item('queueCommunication', 201),
    }),
    defineRoute({
      method: 'POST',
      path: '/communications/:id/dispatch',
      summary: 'Send a message now through its provider',
      scope: 'write:hub',
      errors: [404, 409, 502],
      document: graphql(`mutation DispatchCommunication($id: ID!) { dispatchCommunication(id: $id) { ...CommunicationRest } }`),
      variables: ({ params }) => ({ id: params.id }),
      result: item('dispatchCommunication'),
    }),
    defineRoute({
      method: 'POST',
      path: '/communications/:id/mark-sent',
      summary: 'Mark a message sent outside this server',
      scope: 'write:hub',
      errors: [404, 409],
      document: graphql(`mutation MarkCommunicationSent($id: ID!) { markCommunicationSent(id: $id) { ...CommunicationRest } }`),
      variables: ({ params }) => ({ id: params.id }),
      result: item('markCommunicationSent'),
    }),
    defineRoute({
      method: 'GET',
      path: '/templates',
      summary: "The account's message templates",
      scope: 'read:hub',
      query: z.object({
        event_type: textParam(100).optional(),
        channel: enumParam(values(Channel)).optional(),
        ...crmWindow,
        ...syncQuery(templateSort),
      }),
      document: graphql(`query ListTemplates($eventType: String, $channel: Channel, $limit: Int, $offset: Int,
        $updatedSince: DateTime, $sort: TemplateSort, $order: SortOrder, $cursorMode: Boolean! = false, $after: String, $count: Boolean! = false) {
        templatePage(eventType: $eventType, channel: $channel, updatedSince: $updatedSince, sort: $sort, order: $order, limit: $limit, offset: $offset)
          @skip(if: $cursorMode) { items { ...TemplateRest } total limit offset }
        templates(eventType: $eventType, channel: $channel, updatedSince: $updatedSince, sort: $sort, order: $order, first: $limit, after: $after)
          @include(if: $cursorMode) { edges { node { ...TemplateRest } } pageInfo { hasNextPage endCursor } totalCount @include(if: $count) }
      }`),
      variables: ({ query, url }) => ({
        eventType: query.event_type,
        channel: query.channel,
        limit: query.limit,
        offset: query.offset,
        ...syncVariables(query, url, 'offset'),
      }),
      result: page('templatePage', 'templates'),
    }),
    defineRoute({
      method: 'GET',
      path: '/providers',
      summary: 'Supported providers and whether each is configured',
      scope: 'read:hub',
      document: graphql(`query ListProviders { providers { name channels configured } }`),
      result: item('providers'),
    }),
    defineRoute({
      method: 'GET',
      path: '/integrations',
      summary: 'Configured integrations, secrets masked',
      scope: 'read:hub',
      document: graphql(`query ListIntegrations { integrations { ...IntegrationRest } }`),
      result: item('integrations'),
    }),
    integrationWrite('PUT'),
    integrationWrite('POST'),
    defineRoute({
      method: 'GET',
      path: '/campaigns',
      summary: 'Campaigns with their status and pending messages',
      scope: 'read:hub',
      query: z.object({
        status: enumParam(values(CampaignStatus)).optional(),
        project_id: idParam("Only this project's campaigns"),
        ...crmWindow,
        ...syncQuery(campaignSort),
      }),
      document: graphql(`query ListCampaigns($status: CampaignStatus, $projectId: ID, $limit: Int, $offset: Int,
        $updatedSince: DateTime, $sort: CampaignSort, $order: SortOrder, $cursorMode: Boolean! = false, $after: String, $count: Boolean! = false) {
        campaignPage(status: $status, projectId: $projectId, updatedSince: $updatedSince, sort: $sort, order: $order, limit: $limit, offset: $offset)
          @skip(if: $cursorMode) { items { ...CampaignRest } total limit offset }
        campaigns(status: $status, projectId: $projectId, updatedSince: $updatedSince, sort: $sort, order: $order, first: $limit, after: $after)
          @include(if: $cursorMode) { edges { node { ...CampaignRest } } pageInfo { hasNextPage endCursor } totalCount @include(if: $count) }
      }`),
      variables: ({ query, url }) => ({
        status: query.status,
        projectId: query.project_id,
        limit: query.limit,
        offset: query.offset,
        ...syncVariables(query, url, 'offset'),
      }),
      result: page('campaignPage', 'campaigns'),
    }),
    defineRoute({
      method: 'POST',
      path: '/campaigns/adjust',
      summary: 'Pause, resume or cancel a campaign',
      scope: 'write:hub',
      errors: [404, 409],
      body: restBody(adjustRules),
      document: graphql(`mutation AdjustCampaign($campaignId: ID!, $action: CampaignAction!) {
        adjustCampaign(campaignId: $campaignId, action: $action) { ...CampaignRest }
      }`),
      variables: ({ body }) => toInput(body),
      result: item('adjustCampaign'),
    }),
    defineRoute({
      method: 'GET',
      path: '/changes',
      summary:
        "The change feed: every create, update, delete and restore of the account's records after `cursor`, oldest first (kept 30 days)",
      scope: 'read:hub',
      errors: [410],
      query: z.object({
        cursor: documented(z.string().regex(CURSOR_FORMAT, 'must be a next_cursor of this feed, or now'), {
          type: 'string',
          description: 'Resume after this change (a next_cursor); absent: from the oldest kept change; `now`: only what happens next',
        }).optional(),
        limit: intParam({
          min: 1,
          message: 'must be between 1 and 500',
          default: 100,
          description: 'Changes per page, at most 500',
        }).optional(),
        object_type: documented(z.string().regex(/^[a-z_]+(,[a-z_]+)*$/, 'must be object types separated by commas'), {
          type: 'string',
          description: `Only these object types, separated by commas: ${FEED_OBJECT_TYPES.join(', ')}`,
        }).optional(),
      }),
      document: graphql(`query ListChanges($after: String, $first: Int, $objectTypes: [String!]) {
        changes(after: $after, first: $first, objectTypes: $objectTypes) { edges { node { ...ChangeRest } } pageInfo { hasNextPage endCursor } }
      }`),
      variables: ({ query }) => ({ after: query.cursor, first: query.limit, objectTypes: query.object_type?.split(',') }),
      result: custom(
        (data: ResultOf<typeof ListChangesDocument>) => ({
          body: {
            data: data.changes.edges.map((edge) => edge.node),
            next_cursor: data.changes.pageInfo.endCursor,
            has_more: data.changes.pageInfo.hasNextPage,
          },
        }),
        (schema) => ({
          status: 200,
          content: json(
            objectOf({
              data: { type: 'array', items: schemaAt(nonNull(nonNull(schemaAt(schema, 'changes.edges')).items as JsonSchema), 'node') },
              next_cursor: { type: 'string', description: 'Where to resume: pass it as cursor (also when data is empty)' },
              has_more: { type: 'boolean', description: 'Whether more changes are waiting past this page' },
            }),
          ),
        }),
      ),
    }),
    ...webhookRoutes,
    ...auditRoutes,
  ],
}
