/** Query-string readers for route rows: each turns a malformed value into a clear 400. */
import { badRequest } from '../errors.js'
import { ParamRecorder } from './openapi/probe.js'
import type { JsonSchema } from './openapi/result-schema.js'

/** Tells the OpenAPI probe what a parameter is (a no-op on real requests). */
export function describe(query: URLSearchParams, name: string, schema: JsonSchema) {
  if (query instanceof ParamRecorder) query.describe(name, schema)
}

const INT32_MAX = 2_147_483_647

/** An integer parameter; absent → undefined. Range rules are the operation's to enforce. */
export function intParam(query: URLSearchParams, name: string): number | undefined {
  describe(query, name, { type: 'integer', maximum: INT32_MAX })
  const raw = query.get(name)
  if (raw === null || raw === '') return undefined
  if (!/^-?\d{1,10}$/.test(raw.trim()) || Math.abs(Number(raw)) > INT32_MAX) {
    throw badRequest(`${name} must be an integer between 0 and ${INT32_MAX}`)
  }
  return Number(raw)
}

/** One of a documented list of values; absent → undefined. */
export function enumParam<T extends string>(query: URLSearchParams, name: string, values: readonly T[]): T | undefined {
  describe(query, name, { type: 'string', enum: [...values] })
  const raw = query.get(name)
  if (raw === null || raw === '') return undefined
  if (!(values as readonly string[]).includes(raw)) {
    throw badRequest(`Invalid ${name} "${raw.slice(0, 40)}": expected one of ${values.join(', ')}`)
  }
  return raw as T
}

/** A free-text parameter, length-capped. */
export function stringParam(query: URLSearchParams, name: string, maxLength = 200): string | undefined {
  describe(query, name, { type: 'string', maxLength })
  const raw = query.get(name)
  if (raw === null || raw === '') return undefined
  if (raw.length > maxLength) throw badRequest(`${name} must be at most ${maxLength} characters`)
  return raw
}
