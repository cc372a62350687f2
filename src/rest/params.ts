/**
 * Query-string rules for route rows. A query string is text, so these parse it (an integer from
 * "50"); each registers how it reads in the OpenAPI documents (`paramDocs`), where the text form
 * would say less than the rule does.
 */
import { z } from 'zod'
import { text } from '../schema/rules.js'
import type { JsonSchema } from './openapi/json-schema.js'

/** The documented form of a query parameter, by its rule. */
export const paramDocs = z.registry<JsonSchema>()

export const documented = <T extends z.ZodType>(rule: T, doc: JsonSchema): T => {
  paramDocs.add(rule, doc)
  return rule
}

const INT32_MAX = 2_147_483_647

/** An integer from `min` to 2147483647. */
export const intParam = (options: { min: number; message: string; description?: string; default?: number }) =>
  documented(
    z
      .string()
      .trim()
      .regex(/^-?\d{1,10}$/, `must be an integer between ${options.min} and ${INT32_MAX}`)
      .transform(Number)
      .pipe(z.number().min(options.min, options.message).max(INT32_MAX, `must be at most ${INT32_MAX}`)),
    {
      type: 'integer',
      minimum: options.min,
      maximum: INT32_MAX,
      ...(options.default === undefined ? {} : { default: options.default }),
      ...(options.description ? { description: options.description } : {}),
    },
  )

/** One of a fixed list of values. */
export const enumParam = <const T extends readonly [string, ...string[]]>(values: T, description?: string) =>
  documented(z.enum(values), { type: 'string', enum: [...values], ...(description ? { description } : {}) })

/** Free text, length-capped; U+0000, which PostgreSQL cannot compare, is refused. */
export const textParam = (maxLength: number, description?: string) =>
  documented(text(maxLength), {
    type: 'string',
    maxLength,
    ...(description ? { description } : {}),
  })

/**
 * A lenient integer, as the lead/quote API documents its paging: out-of-range values are
 * clamped, unparsable ones fall back to the default.
 */
export const lenientInt = (options: { min: number; max: number; default: number; description: string }) =>
  documented(
    z
      .string()
      .optional()
      .transform((raw) =>
        raw === undefined || !/^\s*[+-]?\d+\s*$/.test(raw) ? options.default : Math.min(options.max, Math.max(options.min, Number(raw))),
      ),
    { type: 'integer', minimum: options.min, maximum: options.max, default: options.default, description: options.description },
  )

/** The query string as the rules read it: one value per name, empty values absent. */
export function queryObject(url: URL): Record<string, string> {
  const query: Record<string, string> = {}
  for (const [name, value] of url.searchParams) if (value !== '' && !(name in query)) query[name] = value
  return query
}
