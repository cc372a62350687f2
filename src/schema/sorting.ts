/**
 * The sync filters every list shares: `updatedSince` (inclusive: rows with updatedAt >= it) and a
 * sort on one of the list's timestamp fields, `sort` and `order`, with the row id as tiebreak. A
 * resource declares only which fields it may be sorted on (`listSort`); the connection and offset
 * page fields of src/schema/lists.ts read the arguments, and a list's cursors are bound to its
 * sort (./cursors.ts). Without the arguments a list keeps its documented order: createdAt, newest
 * first (a conversation's messages oldest first).
 */
import type { ArgumentRef } from '@pothos/core'
import { builder } from './builder.js'

type Types = typeof builder extends PothosSchemaTypes.SchemaBuilder<infer T> ? T : never

export type Direction = 'asc' | 'desc'

/** The timestamp fields lists are sorted on; each has an index per list (account or parent, field, id). */
const SORT_FIELDS = {
  createdAt: { name: 'created_at', description: 'When the row was created (the default)' },
  updatedAt: { name: 'updated_at', description: 'When the row last changed' },
  startedAt: { name: 'started_at', description: 'When the conversation started' },
  occurredAt: { name: 'occurred_at', description: 'When the event happened' },
  startTime: { name: 'start_time', description: 'When the appointment starts' },
} as const

/**
 * Enum values are lowercase snake_case across the schema, as the REST answers spell them. The
 * upper-case spellings these input-only enums had stay accepted, deprecated, for the clients and
 * documented examples that send them.
 */
const withUpperCaseAliases = <V>(values: Record<string, { value: V; description: string }>) =>
  Object.fromEntries(
    Object.entries(values).flatMap(([name, config]) => [
      [name, config],
      [name.toUpperCase(), { ...config, deprecationReason: `Use ${name}: enum values are lowercase` }],
    ]),
  ) as Record<string, { value: V; description: string; deprecationReason?: string }>
export type SortField = keyof typeof SORT_FIELDS

export const SortOrder = builder.enumType('SortOrder', {
  description: 'Which way a list runs. Rows with the same time are ordered by id the same way.',
  values: withUpperCaseAliases({
    asc: { value: 'asc' as const, description: 'Oldest first' },
    desc: { value: 'desc' as const, description: 'Newest first' },
  }),
})

/** How a list may be sorted, and its order when the caller names none. */
export interface ListSort {
  name: string
  fields: readonly SortField[]
  order: Direction
  /** The GraphQL enum `<name>Sort`. */
  enum: ReturnType<typeof sortEnum>
  /** The list's rows have `updatedAt` (every listed record does; audit entries, never changed, do not). */
  updatedSince: boolean
}

export interface ListArgs {
  updatedSince?: Date | null
  sort?: SortField | null
  order?: Direction | null
}

/** Where a list is: which field, which order. */
export interface Ordering {
  field: SortField
  order: Direction
}

const sortEnum = (name: string, fields: readonly SortField[]) =>
  builder.enumType(`${name}Sort`, {
    description: `What ${name} rows can be sorted on (the id breaks ties)`,
    values: withUpperCaseAliases(
      Object.fromEntries(fields.map((field) => [SORT_FIELDS[field].name, { value: field, description: SORT_FIELDS[field].description }])),
    ),
  })

/** Declares a list's sortable fields (createdAt first: it is the default) and its default order. */
export function listSort(name: string, fields: readonly SortField[], order: Direction = 'desc', updatedSince = true): ListSort {
  return { name, fields, order, enum: sortEnum(name, fields), updatedSince }
}

/** The sync arguments of a list field, as Pothos arguments. */
export function sortArgs(
  // biome-ignore lint/suspicious/noExplicitAny: the argument builder of any field (root or object) will do
  t: { arg: any },
  sort: ListSort,
): {
  updatedSince?: ArgumentRef<Types, Date | null | undefined>
  sort: ArgumentRef<Types, SortField | null | undefined>
  order: ArgumentRef<Types, Direction | null | undefined>
} {
  return {
    ...(sort.updatedSince
      ? { updatedSince: t.arg({ type: 'DateTime', description: 'Only rows whose updatedAt is at or after this time (inclusive)' }) }
      : {}),
    sort: t.arg({ type: sort.enum, description: 'The field to sort on; created_at by default' }),
    order: t.arg({ type: SortOrder, description: `${sort.order} by default` }),
  }
}

export const orderingOf = (sort: ListSort, args: ListArgs): Ordering => ({
  field: args.sort ?? 'createdAt',
  order: args.order ?? sort.order,
})

/** Prisma's orderBy for an ordering: the field, then the id the same way. */
export const orderOf = ({ field, order }: Ordering) => [{ [field]: order }, { id: order }]

/** Prisma's filter for `updatedSince`, inclusive. */
export const sinceFilter = (args: ListArgs) => (args.updatedSince ? { updatedAt: { gte: args.updatedSince } } : {})

export const columnOf = (field: string) => field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)
