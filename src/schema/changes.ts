/**
 * The change feed: every create, update, delete and restore of the account's records, in the
 * order they became visible, read by cursor (services/changes/feed.ts, decision 0016).
 */
import { badRequest } from '../errors.js'
import {
  CURSOR_FORMAT,
  DEFAULT_FEED_PAGE,
  type FEED_ACTIONS,
  FEED_OBJECT_TYPES,
  type FeedChange,
  feedHead,
  MAX_FEED_PAGE,
  readChanges,
} from '../services/changes/feed.js'
import { RESTORE_DAYS } from '../services/deletes.js'
import { builder } from './builder.js'
import { accountOf } from './tenancy.js'

const ChangeActor = builder.objectRef<FeedChange['actor']>('ChangeActor').implement({
  description: 'Who made a change',
  fields: (t) => ({
    type: t.exposeString('type', { description: 'api_key, portal, operator, provider, worker or system' }),
    id: t.exposeString('id', { nullable: true, description: "The API key's id, the portal session's id, or the provider's name" }),
  }),
})

const ChangeAction = builder.enumType('ChangeAction', {
  description: 'What happened to the record',
  values: {
    created: { description: 'The record was created' },
    updated: { description: 'Some of its fields changed (see previous)' },
    deleted: { description: `It was deleted (restorable for ${RESTORE_DAYS} days when soft-deleted)` },
    restored: { description: 'A deleted record was restored' },
  } satisfies Record<(typeof FEED_ACTIONS)[number], { description: string }>,
})

export const Change = builder.objectRef<FeedChange>('Change').implement({
  description: 'One create, update, delete or restore of a record',
  fields: (t) => ({
    cursor: t.exposeString('cursor', { description: "This change's place in the feed: pass it as `after` to read what follows" }),
    objectType: t.exposeString('object_type', { description: FEED_OBJECT_TYPES.join(', ') }),
    objectId: t.exposeID('object_id', { description: 'The id of the record that changed' }),
    action: t.field({
      type: ChangeAction,
      description: 'What happened to the record',
      resolve: (change) => change.action as (typeof FEED_ACTIONS)[number],
    }),
    data: t.field({
      type: 'JSON',
      nullable: true,
      description: 'The record after the change, snake_case as the REST surfaces show it; for a delete, a tombstone {id, deleted: true}',
      resolve: (change) => change.data,
    }),
    previous: t.field({
      type: 'JSON',
      nullable: true,
      description: "The changed fields' values before the change (every field, for a hard delete); null for a create",
      resolve: (change) => change.previous,
    }),
    actor: t.field({ type: ChangeActor, description: 'Who made the change', resolve: (change) => change.actor }),
    requestId: t.exposeString('request_id', { nullable: true, description: 'X-Request-Id of the request that made it, if one did' }),
    changedAt: t.field({ type: 'DateTime', description: 'When the change was made', resolve: (change) => new Date(change.changed_at) }),
  }),
})

builder.queryFields((t) => ({
  changes: t.connection(
    {
      type: Change,
      description: `Changes after the cursor \`after\` (none: the oldest kept, \`now\`: only what happens next), oldest first; at most ${MAX_FEED_PAGE} per page (default ${DEFAULT_FEED_PAGE}). pageInfo.endCursor is where to resume, also when the page is empty`,
      authScopes: { scope: 'read:hub' },
      // What the GraphQL cost limit prices a page at.
      extensions: { pageSize: { defaultLimit: DEFAULT_FEED_PAGE, maxLimit: MAX_FEED_PAGE } },
      args: { objectTypes: t.arg.stringList({ required: false, description: `Only these object types: ${FEED_OBJECT_TYPES.join(', ')}` }) },
      resolve: async (_root, args, ctx) => {
        const accountId = accountOf(ctx)
        if (args.last != null || args.before != null) throw badRequest('The change feed reads forward only: use first and after')
        const first = args.first ?? DEFAULT_FEED_PAGE
        if (first < 1 || first > MAX_FEED_PAGE) throw badRequest(`first must be between 1 and ${MAX_FEED_PAGE}`)
        if (args.after != null && !CURSOR_FORMAT.test(args.after)) throw badRequest('after must be a cursor of the change feed, or now')
        const unknown = (args.objectTypes ?? []).filter((type) => !(FEED_OBJECT_TYPES as readonly string[]).includes(type))
        if (unknown.length) throw badRequest(`Unknown object type: ${unknown.join(', ')}. Known: ${FEED_OBJECT_TYPES.join(', ')}`)
        const after = args.after === 'now' ? await feedHead(accountId) : (args.after ?? '0')
        const page = await readChanges(accountId, { after: BigInt(after), limit: first, objectTypes: args.objectTypes ?? undefined })
        return {
          edges: page.changes.map((change) => ({ cursor: change.cursor, node: change })),
          pageInfo: {
            hasNextPage: page.hasMore,
            hasPreviousPage: false,
            startCursor: page.changes[0]?.cursor ?? null,
            endCursor: page.nextCursor,
          },
        }
      },
    },
    { name: 'ChangeConnection', description: 'A page of the change feed; pass endCursor as `after` for the next one' },
    { name: 'ChangeEdge', description: 'One change of a ChangeConnection page, with its cursor' },
  ),
}))

/** What the REST row validates its query with, as the field does. */
export { CURSOR_FORMAT, FEED_OBJECT_TYPES }
