/**
 * The record a change-based subscription yields, built from the change itself. The feed's trigger
 * writes the whole row into a change's `data` (without the columns the API never shows), so the
 * record as it stood at that change is already at hand: reading it again would cost a database
 * round trip per change on the way from commit to subscriber, and would show a later state than
 * the change's (decision 0019).
 */
import { getDatamodel } from '../../generated/pothos-types.js'
import type { Communication, Message } from '../../generated/prisma/client.js'
import type { FeedChange } from '../changes/feed.js'

interface Records {
  Message: Message
  Communication: Communication
}

type Convert = (value: unknown) => unknown

/** How a JSON value of the trigger's row becomes the value Prisma would have returned. */
const converters: Record<string, Convert> = {
  String: (value) => value,
  Boolean: (value) => value,
  Int: (value) => value,
  Float: (value) => value,
  Json: (value) => value,
  DateTime: (value) => (typeof value === 'string' ? new Date(value) : value),
  BigInt: (value) => (typeof value === 'number' || typeof value === 'string' ? BigInt(value) : value),
}

/** Prisma field → column; every column of these models is the field's name in snake_case. */
const columnOf = (field: string) => field.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`)

const fieldsOf = new Map<keyof Records, [field: string, column: string, convert: Convert][]>()

function fields(model: keyof Records) {
  let found = fieldsOf.get(model)
  if (found) return found
  found = getDatamodel().datamodel.models[model].fields.flatMap((field) => {
    if (field.kind === 'object') return []
    const convert = field.kind === 'enum' || field.isList ? converters.Json : converters[field.type]
    if (!convert) throw new Error(`${model}.${field.name}: no conversion for ${field.type} from a change's data`)
    return [[field.name, columnOf(field.name), convert] as [string, string, Convert]]
  })
  fieldsOf.set(model, found)
  return found
}

/** The record as of `change` (created, updated or restored); null for a delete, whose data is a tombstone. */
export function recordOf<M extends keyof Records>(model: M, change: FeedChange): Records[M] | null {
  const data = change.data
  if (!data || change.action === 'deleted') return null
  const record: Record<string, unknown> = {}
  for (const [field, column, convert] of fields(model)) {
    const value = data[column]
    // Columns the feed leaves out (internal ones) stay unset: no field of the API reads them. A
    // column added to one of these tables later is missing from older changes, so a non-null one
    // needs its default here before the API exposes it.
    if (value !== undefined) record[field] = convert(value)
  }
  return record as unknown as Records[M]
}
