/**
 * The uniform graph's entry point: every record a client can hold an id of implements `Node`,
 * and `node(id:)` / `nodes(ids:)` refetch records by that id alone.
 *
 * A record's `id` is its database id, a UUID, and already unique across every table — so it is the
 * Node id as it is: REST answers, the portal's links and every `*Id` foreign key carry the same
 * value a client can hand to `node` (docs/decisions/0018-uniform-graph.md). Finding the type of an
 * id takes one statement over the node tables, confined to the caller's account (raw SQL is not
 * rewritten by the tenancy extension, so the statement filters by account itself); the rows are then
 * read per type with the selection the query asked for, so `nodes` costs one statement per type
 * found, whatever the number of ids.
 */
import { queryFromInfo } from '@pothos/plugin-prisma'
import type { GraphQLResolveInfo } from 'graphql'
import type { Context } from '../context/context.js'
import { hasScope, type Scope } from '../context/principal.js'
import { db } from '../db/client.js'
import { SOFT_DELETED } from '../db/soft-delete.js'
import { AppError, badRequest } from '../errors.js'
import type PrismaTypes from '../generated/pothos-types.js'
import { Prisma } from '../generated/prisma/client.js'
import { builder } from './builder.js'
import { accountOf } from './tenancy.js'

type Model = keyof PrismaTypes

/** The most ids one `nodes` call takes (the cost limit prices the field at this many rows). */
const MAX_NODE_IDS = 100

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

interface NodeType {
  model: Model
  table: string
  scope: Scope
}

const nodeTypes = new Map<string, NodeType>()

/** The GraphQL type of each row `node`/`nodes` returned, for the interface's resolveType. */
const typeOfRow = new WeakMap<object, string>()

export const Node = builder.interfaceRef<{ id: string }>('Node').implement({
  description:
    'A record that can be refetched by its id alone with `node(id:)` or `nodes(ids:)`. The id is the same UUID the REST API and every `*Id` field carry.',
  resolveType: (row) => typeOfRow.get(row) ?? null,
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The record id (a UUID), unique across all record types' }),
  }),
})

/** Declares that `model` (stored in `table`, read with `scope`) is a Node. Its object type lists `interfaces: [Node]`. */
export function nodeType(model: Model, table: string, scope: Scope): void {
  nodeTypes.set(model, { model, table, scope })
}

/** Ids must be UUIDs: anything else is a 400 naming the id, not a lookup that finds nothing. */
function checkedIds(ids: readonly (string | number)[]): string[] {
  if (ids.length > MAX_NODE_IDS) throw badRequest(`nodes takes at most ${MAX_NODE_IDS} ids (${ids.length} given)`)
  return ids.map((given) => {
    const id = String(given)
    if (!UUID.test(id)) throw badRequest(`Invalid id "${id.slice(0, 100)}": ids are UUIDs, as every id field returns them`)
    return id.toLowerCase()
  })
}

/** Which node type each of `ids` is, among the caller's own live records. */
async function typesOf(accountId: string, ids: string[]): Promise<Map<string, NodeType>> {
  const parts = [...nodeTypes.values()].map(
    (node) =>
      Prisma.sql`SELECT ${node.model} AS type, id FROM ${Prisma.raw(node.table)} WHERE id = ANY(${ids}::text[]) AND account_id = ${accountId}${
        SOFT_DELETED.has(node.model) ? Prisma.sql` AND deleted_at IS NULL` : Prisma.empty
      }`,
  )
  const found = await db.$queryRaw<{ type: string; id: string }[]>`${Prisma.join(parts, ' UNION ALL ')}`
  return new Map(found.map((row) => [row.id, nodeTypes.get(row.type)!]))
}

/** The records of `ids`, in their order; null where the caller's account has no such record. */
async function loadNodes(ids: string[], ctx: Context, info: GraphQLResolveInfo): Promise<(object | null)[]> {
  if (ids.length === 0) return []
  const types = await typesOf(accountOf(ctx), ids)
  const byType = new Map<NodeType, string[]>()
  for (const [id, type] of types) byType.set(type, [...(byType.get(type) ?? []), id])
  const rows = new Map<string, object>()
  for (const [type, typeIds] of byType) {
    ctx.http?.scopesUsed?.add(type.scope)
    if (!hasScope(ctx.principal, type.scope)) throw new AppError('FORBIDDEN', `Insufficient scope: ${type.scope} required`)
    const query = queryFromInfo({ context: ctx, info, typeName: type.model })
    const delegate = (db as unknown as Record<string, { findMany(args: object): Promise<{ id: string }[]> }>)[lowerFirst(type.model)]
    for (const row of await delegate.findMany({ ...query, where: { id: { in: typeIds } } })) {
      typeOfRow.set(row, type.model)
      rows.set(row.id, row)
    }
  }
  return ids.map((id) => rows.get(id) ?? null)
}

const lowerFirst = (name: string) => name[0].toLowerCase() + name.slice(1)

builder.queryFields((t) => ({
  node: t.field({
    type: Node,
    nullable: true,
    description:
      "The record with this id, whatever its type; null when the caller's account has none with it (another account's id is not found either). Needs the read scope of the record's type. A malformed id is a BAD_REQUEST error (400).",
    authScopes: { account: true },
    args: { id: t.arg.id({ required: true, description: 'A record id (a UUID), as any `id` or `*Id` field returns it' }) },
    resolve: async (_root, args, ctx, info) => (await loadNodes(checkedIds([args.id]), ctx, info))[0] as never,
  }),
  nodes: t.field({
    type: [Node],
    nullable: { list: false, items: true },
    description: `The records with these ids, in the order given; null for each id the caller's account has no record with. At most ${MAX_NODE_IDS} ids. Needs the read scope of each type found.`,
    authScopes: { account: true },
    extensions: { listRows: MAX_NODE_IDS },
    args: { ids: t.arg.idList({ required: true, description: `Record ids (UUIDs), at most ${MAX_NODE_IDS}` }) },
    resolve: (_root, args, ctx, info) => loadNodes(checkedIds(args.ids), ctx, info) as never,
  }),
}))
