import { badRequest } from '../errors.js'

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})$/

/**
 * A filter bound given as `YYYY-MM-DD` or a full ISO 8601 timestamp. A start date is
 * inclusive; an end date given as a day includes that whole day.
 */
export function dateRange(start?: string | null, end?: string | null): { gte?: Date; lt?: Date; lte?: Date } | undefined {
  if (!start && !end) return undefined
  const range: { gte?: Date; lt?: Date; lte?: Date } = {}
  if (start) range.gte = parseBound(start)
  if (end) {
    const bound = parseBound(end)
    if (DATE_ONLY.test(end)) range.lt = new Date(bound.getTime() + 86_400_000)
    else range.lte = bound
  }
  return range
}

function parseBound(value: string): Date {
  const date = DATE_ONLY.test(value) || TIMESTAMP.test(value) ? new Date(DATE_ONLY.test(value) ? `${value}T00:00:00Z` : value) : null
  // new Date('2026-02-31') rolls over silently; reject dates that do not round-trip.
  if (!date || Number.isNaN(date.getTime()) || (DATE_ONLY.test(value) && date.toISOString().slice(0, 10) !== value)) {
    throw badRequest(`Invalid date "${value.slice(0, 40)}": use YYYY-MM-DD or an ISO 8601 timestamp`)
  }
  return date
}
