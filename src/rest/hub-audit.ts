/**
 * /hub/v1/audit-log: who did what in the account (decision 0021), read with `audit:read`, as the
 * portal's audit page reads it. Offset pages, or cursor pages for a client that keeps a copy
 * (decision 0014); newest first unless `order=asc`.
 */
import { z } from 'zod'
import { graphql } from '../generated/gql/index.js'
import { auditSort } from '../schema/audit.js'
import { timestamp } from '../schema/rules.js'
import { crmWindow } from './crm.js'
import { documented, textParam } from './params.js'
import { page } from './results.js'
import { defineRoute } from './route.js'
import { syncQuery, syncVariables } from './sync.js'

graphql(`
  fragment AuditEntryRest on AuditEntry {
    id created_at: createdAt action object_type: objectType object_id: objectId actor { type id } address
  request_id: requestId changes
  }
`)

// The log has no updated_at: an entry never changes.
const { updated_since: _none, ...auditSync } = syncQuery(auditSort)
const at = (description: string) => documented(timestamp, { type: 'string', format: 'date-time', description }).optional()

export const auditRoutes = [
  defineRoute({
    method: 'GET',
    path: '/audit-log',
    summary: 'The audit log: who changed keys, users, integrations, webhooks, templates, settings and credits, who signed in, every delete',
    scope: 'audit:read',
    query: z.object({
      actor: textParam(200, 'Only what this actor did: user:<id>, api_key:<id>, portal:<session id>, operator, worker, system').optional(),
      object_type: textParam(100, 'Only entries about this object type: api_key, user, integration, webhook_endpoint, …').optional(),
      object_id: textParam(100, 'Only entries about this object').optional(),
      since: at('Only entries at or after this ISO 8601 time'),
      until: at('Only entries before this ISO 8601 time'),
      ...crmWindow,
      ...auditSync,
    }),
    document: graphql(`query ListAuditLog($actor: String, $objectType: String, $objectId: String, $since: DateTime, $until: DateTime,
      $limit: Int, $offset: Int, $sort: AuditEntrySort, $order: SortOrder, $cursorMode: Boolean! = false, $after: String, $count: Boolean! = false) {
      auditLogPage(actor: $actor, objectType: $objectType, objectId: $objectId, since: $since, until: $until, sort: $sort, order: $order,
        limit: $limit, offset: $offset) @skip(if: $cursorMode) { items { ...AuditEntryRest } total limit offset }
      auditLog(actor: $actor, objectType: $objectType, objectId: $objectId, since: $since, until: $until, sort: $sort, order: $order,
        first: $limit, after: $after) @include(if: $cursorMode) { edges { node { ...AuditEntryRest } } pageInfo { hasNextPage endCursor } totalCount @include(if: $count) }
    }`),
    variables: ({ query, url }) => {
      const { updatedSince: _unused, ...sync } = syncVariables(query, url, 'offset')
      return {
        actor: query.actor,
        objectType: query.object_type,
        objectId: query.object_id,
        since: query.since,
        until: query.until,
        limit: query.limit,
        offset: query.offset,
        ...sync,
      }
    },
    result: page('auditLogPage', 'auditLog'),
  }),
]
