/** Field rules shared by every resource; each failure is a 400 naming the field. */
import { badRequest } from '../errors.js'

const E164 = /^\+[1-9]\d{6,14}$/
// Pragmatic address check: one @, no spaces, a dot in the domain. Exact RFC 5322 is not the goal.
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/

/** Phones are E.164: "+15555550100". */
export function phone(value: string | null | undefined, field = 'phone'): string | null | undefined {
  if (value === null || value === undefined) return value
  const trimmed = value.trim()
  if (trimmed.length > 30 || !E164.test(trimmed)) throw badRequest(`${field} must be an E.164 phone number such as +15555550100`)
  return trimmed
}

export function email(value: string | null | undefined, field = 'email'): string | null | undefined {
  if (value === null || value === undefined) return value
  const trimmed = value.trim()
  if (trimmed.length > 320 || !EMAIL.test(trimmed)) throw badRequest(`${field} must be an email address`)
  return trimmed
}

/** A string no longer than `max` characters (null/undefined pass through). */
export function capped(value: string | null | undefined, field: string, max: number): string | null | undefined {
  if (typeof value === 'string' && value.length > max) throw badRequest(`${field} must be at most ${max} characters`)
  return value
}

/** A JSON object (not an array or scalar), for metadata-like fields. */
export function jsonObject(value: unknown, field: string): Record<string, unknown> | undefined {
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'object' || Array.isArray(value)) throw badRequest(`${field} must be a JSON object`)
  // PostgreSQL's jsonb cannot store U+0000; refused here rather than failing in the database.
  let nul = false
  JSON.stringify(value, (key, item: unknown) => {
    if (key.includes('\0') || (typeof item === 'string' && item.includes('\0'))) nul = true
    return item
  })
  if (nul) throw badRequest(`${field} must not contain the character U+0000`)
  return value as Record<string, unknown>
}
