/**
 * Lists, declared once per resource: `resourceQueries` adds the three root fields every listed
 * resource has — one row by id, a Relay connection, and the offset page the REST rows read — all
 * confined to the caller's account. `childConnection` pages a parent's rows (a conversation's
 * messages) for every parent of a list in two statements, whatever the number of parents.
 *
 * Connections page by keyset on (sort key, id), never by offset and never by looking a cursor's
 * row up: cursors are opaque and signed for their list and its sort (./cursors.ts), so pages stay
 * stable while rows are inserted and a cursor reveals nothing about rows it was not handed out for.
 * Every list takes the sync arguments of ./sorting.ts (`updatedSince`, `sort`, `order`).
 */
import { queryFromInfo } from '@pothos/plugin-prisma'
import DataLoader from 'dataloader'
import type { GraphQLResolveInfo } from 'graphql'
import type { Context } from '../context/context.js'
import type { Scope } from '../context/principal.js'
import { db } from '../db/client.js'
import { badRequest } from '../errors.js'
import type PrismaTypes from '../generated/pothos-types.js'
import { Prisma } from '../generated/prisma/client.js'
import { RESTORE_DAYS, restorable } from '../services/deletes.js'
import { builder } from './builder.js'
import { type CursorList, decodeCursor, encodeCursor } from './cursors.js'
import { CRM_WINDOW, type PageShape, pageWindow, type WindowRules } from './paging.js'
import {
  columnOf,
  type Direction,
  type ListArgs,
  type ListSort,
  type Ordering,
  orderingOf,
  orderOf,
  sinceFilter,
  sortArgs,
} from './sorting.js'
import { accountOf } from './tenancy.js'

type Model = keyof PrismaTypes
type Row = { id: string } & Record<string, unknown>

export const DEFAULT_CONNECTION_SIZE = 20
export const MAX_CONNECTION_SIZE = 100
/** A connection's page size as the cost limit reads it (src/endpoints/graphql-cost.ts). */
export const CONNECTION_WINDOW: WindowRules = { defaultLimit: DEFAULT_CONNECTION_SIZE, maxLimit: MAX_CONNECTION_SIZE }

export interface ConnectionArgs extends ListArgs {
  first?: number | null
  last?: number | null
  after?: string | null
  before?: string | null
}

/** The rows of one connection page, as plugin-relay wants them, and the total it can count. */
export interface ConnectionPage {
  edges: { cursor: string; node: unknown }[]
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null }
  totalCount: () => Promise<number>
}

interface Window {
  size: number
  /** Reading backwards (`last`/`before`): the list's order reversed, then the page reversed back. */
  backward: boolean
  from?: { at: Date; id: string }
  field: string
  direction: Direction
  list: CursorList
}

/**
 * A REST row reads a connection for its cursor pages, as large as its surface's `limit` allows
 * (REST rows run fixed documents and are not priced); /graphql keeps the connection's maximum.
 */
const maxSizeOf = (ctx: Context, rest: WindowRules = CRM_WINDOW) =>
  (ctx as Context & { viaRest?: boolean }).viaRest ? Math.max(rest.maxLimit, MAX_CONNECTION_SIZE) : MAX_CONNECTION_SIZE

function windowOf(args: ConnectionArgs, sort: ListSort, owner: string, secret: string, maxSize: number): Window {
  const ordering = orderingOf(sort, args)
  if (args.first != null && args.last != null) throw badRequest('Give first or last, not both')
  if ((args.first ?? 0) < 0 || (args.last ?? 0) < 0) throw badRequest('first and last must not be negative')
  const backward = args.last != null || args.before != null
  const cursor = backward ? args.before : args.after
  const size = Math.min(args.first ?? args.last ?? DEFAULT_CONNECTION_SIZE, maxSize)
  const reading: Direction = backward === (ordering.order === 'desc') ? 'asc' : 'desc'
  const list: CursorList = { owner, name: sort.name, field: ordering.field, order: ordering.order }
  return { size, backward, from: cursor ? decodeCursor(secret, list, cursor) : undefined, field: ordering.field, direction: reading, list }
}

/** Rows strictly past `from` in the reading direction. */
function pastCursor(window: Window) {
  if (!window.from) return {}
  const beyond = window.direction === 'desc' ? 'lt' : 'gt'
  const { at, id } = window.from
  return { OR: [{ [window.field]: { [beyond]: at } }, { [window.field]: at, id: { [beyond]: id } }] }
}

function pageOf(rows: Row[], window: Window, args: ConnectionArgs, secret: string, count: () => Promise<number>): ConnectionPage {
  const more = rows.length > window.size
  const taken = rows.slice(0, window.size)
  if (window.backward) taken.reverse()
  const edges = taken.map((row) => ({
    cursor: encodeCursor(secret, window.list, { at: row[window.field] as Date, id: row.id }),
    node: row,
  }))
  let total: Promise<number> | undefined
  return {
    edges,
    pageInfo: {
      hasNextPage: window.backward ? args.before != null : more,
      hasPreviousPage: window.backward ? more : args.after != null,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
    totalCount: () => {
      total ??= count()
      return total
    },
  }
}

type Delegate = {
  findMany(args: object): Promise<unknown[]>
  count(args: object): Promise<number>
}

type GroupingDelegate = Delegate & {
  groupBy(args: object): Promise<Record<string, unknown>[]>
}

/** A page of a top-level list: one statement for its rows, one more only if `totalCount` is read. */
export async function rootConnection(
  delegate: Delegate,
  where: object,
  args: ConnectionArgs,
  context: {
    ctx: Context
    info: GraphQLResolveInfo
    sort: ListSort
    window?: WindowRules
    /** The records deleted within the restore window instead of the live ones. */
    deleted?: boolean
  },
): Promise<ConnectionPage> {
  const { ctx, info } = context
  const secret = ctx.config.SECRET_KEY!
  const window = windowOf(args, context.sort, accountOf(ctx), secret, maxSizeOf(ctx, context.window))
  const query = queryFromInfo({ context: ctx, info, path: ['edges', 'node'] })
  // The deletion state sits at the top of the filter, where the soft-delete filter looks for it.
  const state = context.deleted ? restorable() : {}
  const filtered = { ...state, AND: [where, sinceFilter(args)] }
  const rows = (await delegate.findMany({
    ...query,
    where: { ...state, AND: [where, sinceFilter(args), pastCursor(window)] },
    orderBy: orderOf({ field: window.field as Ordering['field'], order: window.direction }),
    take: window.size + 1,
  })) as Row[]
  return pageOf(rows, window, args, secret, () => delegate.count({ where: filtered }))
}

// ───────── a parent's rows, for many parents at once ─────────

/** How a child table hangs off its parent: `messages.conversation_id` → conversations, and its sorts. */
export interface ChildRelation {
  table: string
  parentColumn: string
  sort: ListSort
  /** The surface window of the REST rows that read this list by cursor (the CRM's by default). */
  window?: WindowRules
  /** The table has `deleted_at` (../db/soft-delete.ts): deleted rows are left out. */
  softDeleted?: boolean
  /**
   * The list's own filter arguments (a delivery's `status`), once as SQL for the page's lateral
   * query and once as Prisma's filter for its count: both must select the same rows.
   */
  filter?: (args: ConnectionArgs) => { sql: Prisma.Sql; where: object }
}

interface ChildKey {
  parentId: string
  args: ConnectionArgs
}

/**
 * The loader of one child connection field for one request: parents asking with the same
 * arguments are answered together — one lateral query picks every parent's page of ids, one
 * findMany loads those rows with the selection the query asked for.
 */
function childLoader(relation: ChildRelation, delegate: GroupingDelegate, ctx: Context, info: GraphQLResolveInfo) {
  const secret = ctx.config.SECRET_KEY!
  const parentField = camel(relation.parentColumn)
  // Every parent's total in one grouped count, when the query asks for totals at all.
  const totals = (args: ConnectionArgs) =>
    new DataLoader<string, number>(async (parents) => {
      const groups = await delegate.groupBy({
        by: [parentField],
        where: { [parentField]: { in: [...parents] }, ...sinceFilter(args), ...relation.filter?.(args).where },
        _count: { _all: true },
      })
      const counts = new Map(groups.map((g) => [g[parentField] as string, (g._count as { _all: number })._all]))
      return parents.map((parent) => counts.get(parent) ?? 0)
    })
  let counter: DataLoader<string, number> | undefined
  return new DataLoader<ChildKey, ConnectionPage, string>(
    async (keys) => {
      const { args } = keys[0]
      const maxSize = maxSizeOf(ctx, relation.window)
      const windows = keys.map((key) => windowOf(args, relation.sort, key.parentId, secret, maxSize))
      const { direction, field } = windows[0]
      const beyond = Prisma.raw(direction === 'desc' ? '<' : '>')
      const order = Prisma.raw(direction === 'desc' ? 'DESC' : 'ASC')
      // A first page starts past every row; a bound that is never NULL lets the (parent, field, id)
      // index seek to the cursor instead of reading from the start and filtering.
      const start = Prisma.raw(direction === 'desc' ? `'infinity'::timestamptz` : `'-infinity'::timestamptz`)
      const table = Prisma.raw(relation.table)
      const parent = Prisma.raw(relation.parentColumn)
      const column = Prisma.raw(columnOf(field))
      const since = args.updatedSince ? Prisma.sql`AND updated_at >= ${args.updatedSince}` : Prisma.empty
      const live = relation.softDeleted ? Prisma.sql`AND deleted_at IS NULL` : Prisma.empty
      const filtered = relation.filter ? Prisma.sql`AND ${relation.filter(args).sql}` : Prisma.empty
      const positions = keys.map((key, i) => ({
        parent: key.parentId,
        at: windows[i].from?.at.toISOString() ?? null,
        id: windows[i].from?.id ?? null,
      }))
      const picked = await db.$queryRaw<{ parent: string; id: string }[]>`
        SELECT p.parent, c.id FROM json_to_recordset(${JSON.stringify(positions)}::json) AS p(parent text, at timestamptz, id text)
        CROSS JOIN LATERAL (
          SELECT id FROM ${table}
          WHERE ${parent} = p.parent AND account_id = ${accountOf(ctx)} ${live} ${since} ${filtered} AND (${column}, id) ${beyond} (COALESCE(p.at, ${start}), COALESCE(p.id, ''))
          ORDER BY ${column} ${order}, id ${order}
          LIMIT ${windows[0].size + 1}
        ) c`
      const query = queryFromInfo({ context: ctx, info, path: ['edges', 'node'] })
      const rows = picked.length
        ? ((await delegate.findMany({
            ...query,
            where: { id: { in: picked.map((p) => p.id) } },
            orderBy: orderOf({ field, order: direction } as Ordering),
          })) as Row[])
        : []
      const byId = new Map(rows.map((row) => [row.id, row]))
      return keys.map((key, i) => {
        const own = picked.filter((p) => p.parent === key.parentId).map((p) => byId.get(p.id)!)
        return pageOf(own, windows[i], args, secret, () => {
          counter ??= totals(args)
          return counter.load(key.parentId)
        })
      })
    },
    { cacheKeyFn: (key) => key.parentId },
  )
}

const camel = (column: string) => column.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())
const loaders = new WeakMap<Context, Map<string, DataLoader<ChildKey, ConnectionPage, string>>>()

/** The page of `parentId`'s rows, batched with the other parents of this field and arguments. */
export function childConnection(
  relation: ChildRelation,
  delegate: GroupingDelegate,
  parentId: string,
  args: ConnectionArgs,
  ctx: Context,
  info: GraphQLResolveInfo,
): Promise<ConnectionPage> {
  let byField = loaders.get(ctx)
  if (!byField) {
    byField = new Map()
    loaders.set(ctx, byField)
  }
  const slot = `${pathKey(info.path)}:${JSON.stringify(args)}`
  let loader = byField.get(slot)
  if (!loader) {
    loader = childLoader(relation, delegate, ctx, info)
    byField.set(slot, loader)
  }
  return loader.load({ parentId, args })
}

/** Where in the result a list of parents sits, indexes left out: its siblings share one loader. */
function pathKey(path: GraphQLResolveInfo['path'] | undefined): string {
  if (!path) return ''
  return `${pathKey(path.prev)}${typeof path.key === 'number' ? '' : `.${path.key}`}`
}

/**
 * The offset page of a parent's rows (a conversation's messages): the same sync arguments as its
 * connection. The parent may hand over the total it counted with itself; a filtered page counts its own.
 */
export function childPage(
  sort: ListSort,
  where: object,
  args: ListArgs & { limit?: number | null; offset?: number | null },
  parentCount: number,
  rules: WindowRules = CRM_WINDOW,
) {
  return {
    where: { AND: [where, sinceFilter(args)] },
    orderBy: orderOf(orderingOf(sort, args)),
    ...pageWindow(args, rules),
    ...(args.updatedSince ? {} : { count: parentCount }),
  }
}

// ───────── connection types and a resource's root fields ─────────

/** `<Name>Connection` with `<Name>Edge` and a `totalCount`, shared by every field that lists this type. */
export function connectionType(name: string, node: Parameters<typeof builder.connectionObject>[0]['type']) {
  return builder.connectionObject(
    {
      type: node,
      name: `${name}Connection`,
      description: `A page of ${name} rows; pass endCursor as \`after\` for the next one`,
      fields: (t) => ({
        totalCount: t.int({
          description: 'How many rows match the filters, across all pages (counted only when asked for)',
          resolve: (connection) => (connection as unknown as ConnectionPage).totalCount(),
        }),
      }),
    },
    { name: `${name}Edge`, description: `One ${name} row of a ${name}Connection page, with its cursor` },
  )
}

type QueryFieldBuilder = Parameters<Parameters<typeof builder.queryFields>[0]>[0]

/** A resource's root fields: `customer(id)`, `customers` (a connection) and `customerPage` (offset). */
export interface ResourceQueries<M extends Model, Args> {
  model: M
  delegate: () => Delegate
  names: { one: string; many: string; page: string }
  /** What the list holds: "Customers, newest first". */
  description: string
  scope: Scope
  connection: ReturnType<typeof connectionType>
  page: ReturnType<typeof builder.objectRef<PageShape<M>>>
  /** Filter arguments, shared by the connection and the page. */
  args: (t: QueryFieldBuilder) => Record<string, unknown>
  where: (accountId: string, args: Args) => PrismaTypes[M]['Where']
  /** The fields the list can be sorted on, and its default order (./sorting.ts). */
  sort: ListSort
  window?: WindowRules
  /** The records are soft-deleted (src/db/soft-delete.ts): the connection takes `deleted` to list those in the restore window. */
  deletable?: boolean
}

export function resourceQueries<M extends Model, Args extends object>(options: ResourceQueries<M, Args>): void {
  const { names, scope, sort } = options
  const window = options.window ?? CRM_WINDOW
  builder.queryFields((t) => {
    const args = { ...options.args(t), ...sortArgs(t, sort) }
    return {
      [names.one]: t.prismaField({
        type: options.model as never,
        nullable: true,
        description: `One of the caller's ${names.many} by id; null when the account has none with it (or it is deleted). Needs ${scope}.`,
        authScopes: { scope },
        args: { id: t.arg.id({ required: true, description: `The ${options.model} id (a UUID)` }) },
        resolve: (query, _root, { id }) =>
          // No account in the filter: the tenancy extension (src/db/tenancy.ts) confines it.
          (options.delegate() as unknown as { findFirst(args: object): Promise<unknown> }).findFirst({
            ...query,
            where: { id: String(id) },
          }) as never,
      }),
      [names.many]: t.connection(
        {
          type: options.model as never,
          description: `${options.description}: a Relay connection with totalCount. Needs ${scope}.`,
          authScopes: { scope },
          extensions: { pageSize: CONNECTION_WINDOW },
          args: (options.deletable ? { ...args, deleted: deletedArg(t, names.many) } : args) as never,
          resolve: (_root, fieldArgs, ctx, info) =>
            rootConnection(options.delegate(), options.where(accountOf(ctx), fieldArgs as Args) as object, fieldArgs, {
              ctx,
              info,
              sort,
              window,
              deleted: (fieldArgs as { deleted?: boolean | null }).deleted === true,
            }) as never,
        },
        options.connection as never,
      ),
      [names.page]: t.field({
        type: options.page,
        description: `${options.description}, by offset. Kept for the REST rows, which page this way; frontends page the \`${names.many}\` connection. Needs ${scope}.`,
        authScopes: { scope },
        extensions: { pageSize: window },
        args: {
          ...args,
          limit: t.arg.int({ description: `Page size; ${window.defaultLimit} by default, at most ${window.maxLimit}` }),
          offset: t.arg.int({ description: 'How many matching rows to skip; 0 by default' }),
        } as never,
        resolve: (_root, fieldArgs, ctx) => {
          const given = fieldArgs as Args & ListArgs & { limit?: number | null; offset?: number | null }
          return {
            where: { AND: [options.where(accountOf(ctx), given), sinceFilter(given)] } as PrismaTypes[M]['Where'],
            orderBy: orderOf(orderingOf(sort, given)) as PrismaTypes[M]['OrderBy'][],
            ...pageWindow(given, window),
            searched: Boolean((given as { search?: string | null }).search),
          }
        },
      }),
    }
  })
}

const deletedArg = (t: QueryFieldBuilder, many: string) =>
  t.arg.boolean({
    description: `true: the ${many} deleted in the last ${RESTORE_DAYS} days, which \`deletedAt\` dates and a restore mutation brings back, instead of the live ones`,
  })
