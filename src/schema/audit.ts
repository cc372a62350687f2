/**
 * The audit log: who changed keys, users, roles, integrations, webhooks, templates, settings and
 * credits, who signed in, and every delete (decision 0021). Entries are written by triggers that
 * read the change feed's actor tags, so the two never disagree on who did something; this file
 * only reads them.
 */

import { db } from '../db/client.js'
import type { Prisma } from '../generated/prisma/client.js'
import { builder } from './builder.js'
import { connectionType, resourceQueries } from './lists.js'
import { pageType } from './paging.js'
import { listSort } from './sorting.js'

const AuditActor = builder.objectRef<{ type: string; id: string | null }>('AuditActor').implement({
  description: 'Who did it, as the change feed names them',
  fields: (t) => ({
    type: t.exposeString('type', {
      description: 'user, portal (the access code), api_key, operator, provider (a callback), worker (automations) or system',
    }),
    id: t.exposeString('id', { nullable: true, description: "The user's, session's or key's id, or the provider's name" }),
  }),
})

const AuditEntry = builder.prismaObject('AuditEntry', {
  description: 'One thing someone did: a change, a sign-in, a delete',
  fields: (t) => ({
    id: t.exposeID('id', { description: "The entry's id" }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it happened' }),
    action: t.exposeString('action', {
      description: '<object type>.<what>: created, updated, deleted, restored; session.signed_in, session.ended',
    }),
    objectType: t.exposeString('objectType', {
      description: 'api_key, user, user_link, session, integration, webhook_endpoint, template, account, or a deleted record’s type',
    }),
    objectId: t.exposeString('objectId', { nullable: true, description: 'The id of what changed' }),
    actor: t.field({
      type: AuditActor,
      description: 'Who did it',
      select: { actor: true },
      resolve: ({ actor }) => {
        const [type, ...rest] = actor.split(':')
        return { type, id: rest.length ? rest.join(':') : null }
      },
    }),
    address: t.exposeString('address', { nullable: true, description: "The caller's address" }),
    requestId: t.exposeString('requestId', { nullable: true, description: 'X-Request-Id of the request that did it' }),
    changes: t.field({
      type: 'JSON',
      nullable: true,
      description: 'Changed fields as {field: {from, to}} (a create has only to, a delete only from); a secret shows only {changed: true}',
      select: { changes: true },
      resolve: (entry) => entry.changes,
    }),
  }),
})

const AuditEntryPage = pageType('AuditEntry', () => db.auditEntry)
const AuditEntryConnection = connectionType('AuditEntry', AuditEntry)
export const auditSort = listSort('AuditEntry', ['createdAt'], 'desc', false)

interface AuditFilter {
  actor?: string | null
  objectType?: string | null
  objectId?: string | null
  since?: Date | null
  until?: Date | null
}

const auditFilter = (accountId: string, args: AuditFilter): Prisma.AuditEntryWhereInput => ({
  accountId,
  ...(args.actor ? { actor: args.actor } : {}),
  ...(args.objectType ? { objectType: args.objectType } : {}),
  ...(args.objectId ? { objectId: args.objectId } : {}),
  ...(args.since || args.until
    ? { createdAt: { ...(args.since ? { gte: args.since } : {}), ...(args.until ? { lt: args.until } : {}) } }
    : {}),
})

resourceQueries({
  model: 'AuditEntry',
  sort: auditSort,
  delegate: () => db.auditEntry,
  names: { one: 'auditEntry', many: 'auditLog', page: 'auditLogPage' },
  description: 'The audit log of who did what, newest first (kept at least a year)',
  scope: 'audit:read',
  connection: AuditEntryConnection,
  page: AuditEntryPage,
  args: (t) => ({
    actor: t.arg.string({ description: 'Only what this actor did, as type:id (user:…, api_key:…, portal:…) or operator, worker, system' }),
    objectType: t.arg.string({ description: 'Only entries about this object type (api_key, user, integration, …)' }),
    objectId: t.arg.string({ description: 'Only entries about this object' }),
    since: t.arg({ type: 'DateTime', description: 'Only entries at or after this time' }),
    until: t.arg({ type: 'DateTime', description: 'Only entries before this time' }),
  }),
  where: auditFilter,
})
