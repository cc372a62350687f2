/**
 * Typed JSON bodies for route rows: a zod object per route names the known fields (unknown ones
 * are dropped), and the first problem becomes a 400 naming the field as the client spelled it.
 */
import { z } from 'zod'
import { badRequest } from '../errors.js'
import { probeBody } from './openapi/probe.js'

const article = (type: string) => (/^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`)

export function parseBody<T extends z.ZodObject>(schema: T, body: Record<string, unknown>): z.infer<T> {
  probeBody(body, () => z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>)
  const parsed = schema.safeParse(body)
  if (parsed.success) return parsed.data
  const issue = parsed.error.issues[0]
  const field = issue.path.join('.')
  let value: unknown = body
  for (const key of issue.path) value = (value as Record<PropertyKey, unknown> | undefined)?.[key as PropertyKey]
  if (value === undefined) throw badRequest(`${field} is required`)
  if (issue.code === 'invalid_type')
    throw badRequest(`${field} must be ${issue.expected === 'record' ? 'a JSON object' : article(issue.expected)}`)
  if (issue.code === 'invalid_value')
    throw badRequest(`Invalid ${field} ${JSON.stringify(value).slice(0, 60)}: expected one of ${issue.values.join(', ')}`)
  throw badRequest(`${field} ${issue.message}`)
}

/** Optional, and `null` clears the stored value. */
export const nullableString = (max = 10_000) => z.string().max(max, `must be at most ${max} characters`).nullable().optional()

export const id = z.string().min(1, 'must not be empty').max(100, 'must be at most 100 characters')

export const jsonObject = z.record(z.string(), z.unknown())

/** An ISO 8601 timestamp with a time zone (`2026-11-23T14:05:00Z`). */
export const timestamp = z
  .string()
  .regex(
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})$/,
    'must be an ISO 8601 timestamp such as 2026-11-23T14:05:00Z',
  )
  .refine((value) => !Number.isNaN(Date.parse(value)), 'must be a valid timestamp')

/**
 * A parsed body as GraphQL input: top-level keys in camelCase (`customer_id` → `customerId`);
 * absent fields stay absent rather than becoming null, so an update leaves them unchanged.
 */
export function toInput(body: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(body)
      .filter(([, value]) => value !== undefined)
      .map(([key, value]) => [key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()), value]),
  )
}
