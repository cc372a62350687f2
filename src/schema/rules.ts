/**
 * Field rules: one zod schema per kind of input value, shared by the GraphQL inputs
 * (./inputs.ts), the REST bodies and query strings (src/rest/) and the OpenAPI documents, so a
 * field has one limit and one message on every surface. Messages are phrased to follow the
 * field's name ("name must be at most 200 characters"); `describeIssue` builds the sentence.
 */
import { z } from 'zod'
import { badRequest } from '../errors.js'

const E164 = /^\+[1-9]\d{6,14}$/
// Pragmatic address check: one @, no spaces, a dot in the domain. Exact RFC 5322 is not the goal.
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/
const DAY = /^\d{4}-\d{2}-\d{2}$/
/** JSON values deeper than this are refused: nothing we store needs more, and deep values cost stack. */
export const MAX_JSON_DEPTH = 32

/** Free text up to `max` characters; PostgreSQL cannot store U+0000, so it is refused here. */
export const text = (max: number) =>
  z
    .string()
    .max(max, `must be at most ${max} characters`)
    .refine((value) => !value.includes('\0'), 'must not contain the character U+0000')

/** Text whose surrounding spaces are dropped before it is checked. */
export const trimmedText = (max: number) =>
  z
    .string()
    .trim()
    .max(max, `must be at most ${max} characters`)
    .refine((value) => !value.includes('\0'), 'must not contain the character U+0000')

/** A rule for an optional value where blank text means "none": '' and '  ' become null. */
export const blankAsNull = <T extends z.ZodType>(rule: T) =>
  z.union([
    z
      .string()
      .regex(/^\s*$/)
      .transform(() => null),
    rule,
  ])

/** Text whose surrounding spaces are dropped, and which is then not empty. */
export const requiredText = (max: number) => z.string().trim().min(1, 'must not be empty').pipe(text(max))

/** The caller's own id for a record (upserts by it): what their system uses, unchanged. */
export const externalId = text(200).min(1, 'must not be empty')

/** An id of ours or of the caller's system. */
export const id = z
  .string()
  .min(1, 'must not be empty')
  .max(100, 'must be at most 100 characters')
  .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII')
  .meta({ graphql: 'ID' })

/** E.164: "+15555550100" (spaces around it are dropped). */
export const phone = z.string().trim().regex(E164, 'must be an E.164 phone number such as +15555550100').meta({ format: 'e164' })

export const email = z
  .string()
  .trim()
  .max(320, 'must be at most 320 characters')
  .regex(EMAIL, 'must be an email address')
  .meta({ format: 'email' })

/** A JSON object (not an array or scalar), for metadata-like fields. */
export const jsonObject = z
  .record(z.string(), z.unknown())
  .superRefine((value, ctx) => {
    const problem = jsonProblem(value, 1)
    if (problem) ctx.addIssue({ code: 'custom', message: problem })
  })
  .meta({ graphql: 'JSON' })

function jsonProblem(value: unknown, depth: number): string | undefined {
  if (depth > MAX_JSON_DEPTH) return `must not nest deeper than ${MAX_JSON_DEPTH} levels`
  if (typeof value === 'string') return value.includes('\0') ? 'must not contain the character U+0000' : undefined
  if (typeof value !== 'object' || value === null) return undefined
  for (const [key, item] of Object.entries(value)) {
    if (key.includes('\0')) return 'must not contain the character U+0000'
    const problem = jsonProblem(item, depth + 1)
    if (problem) return problem
  }
  return undefined
}

/** An ISO 8601 timestamp with a time zone (`2026-11-23T14:05:00Z`), parsed to a Date. */
export const timestamp = z
  .string()
  .regex(
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})$/,
    'must be an ISO 8601 timestamp such as 2026-11-23T14:05:00Z',
  )
  .refine((value) => !Number.isNaN(Date.parse(value)), 'must be a valid timestamp')
  .meta({ graphql: 'DateTime', format: 'date-time' })
  .transform((value) => new Date(value))

/** A calendar day, YYYY-MM-DD; days that do not exist (2026-02-31) are refused. */
export const day = z
  .string()
  .regex(DAY, 'must be a date as YYYY-MM-DD')
  .refine((value) => new Date(`${value}T00:00:00Z`).toISOString().slice(0, 10) === value, 'must be a date as YYYY-MM-DD')
  .meta({ format: 'date' })

/** A decimal amount that fits the money columns (decimal(14,2)). */
export const amount = z.number().refine((value) => Number.isFinite(value) && Math.abs(value) < 1e12, 'must be a number below 1000000000000')

/** A non-negative amount of money that fits decimal(14,2). */
export const money = z
  .number()
  .refine((value) => Number.isFinite(value) && value >= 0 && Math.round(value * 100) < 1e14, 'must be a non-negative amount')

/** Makes the sentence for one problem, naming the field as the caller spelled it. */
export function describeIssue(issue: z.core.$ZodIssue, input: unknown, name: (path: PropertyKey[]) => string): string {
  if (issue.code === 'custom' && issue.params?.sentence) return issue.message
  const field = name(issue.path)
  let value: unknown = input
  for (const key of issue.path) value = (value as Record<PropertyKey, unknown> | undefined)?.[key]
  if (issue.code === 'invalid_type') {
    if (value === undefined) return `${field} is required`
    if (value === null) return `${field} cannot be null`
    return `${field} must be ${issue.expected === 'record' || issue.expected === 'object' ? 'a JSON object' : article(issue.expected)}`
  }
  if (issue.code === 'invalid_union' && issue.errors.length > 0) {
    // Alternatives such as blankAsNull: the last one is the rule proper, and says what is wrong.
    const inner = issue.errors.at(-1)![0]
    return describeIssue({ ...inner, path: [...issue.path, ...inner.path] } as z.core.$ZodIssue, input, name)
  }
  if (issue.code === 'invalid_value' && (value === undefined || value === null)) {
    return value === undefined ? `${field} is required` : `${field} cannot be null`
  }
  if (issue.code === 'invalid_value') {
    return `Invalid ${field} ${JSON.stringify(value).slice(0, 60)}: expected one of ${issue.values.join(', ')}`
  }
  return `${field} ${issue.message}`
}

/** Options for a rule over several fields: its message is a whole sentence ("At least 'name' or 'phone' is required"). */
export const sentence = (message: string) => ({ message, params: { sentence: true }, abort: true })

const article = (type: string) => (/^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`)

/** Parses `input` with `schema`; the first problem becomes a 400 naming the field. */
export function parseOr400<T extends z.ZodType>(schema: T, input: unknown, name: (path: PropertyKey[]) => string): z.output<T> {
  const parsed = schema.safeParse(input)
  if (parsed.success) return parsed.data
  throw badRequest(describeIssue(parsed.error.issues[0], input, name))
}
