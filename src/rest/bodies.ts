/**
 * REST bodies from the GraphQL inputs' rules (src/schema/rules.ts): the same zod rules under the
 * surface's snake_case names, so a field has one limit on every surface. Unknown fields are
 * dropped, as the surfaces document.
 */
import { z } from 'zod'

type Snake<S extends string> = S extends `${infer Head}${infer Tail}`
  ? `${Head extends Lowercase<Head> ? Head : `_${Lowercase<Head>}`}${Snake<Tail>}`
  : S
type SnakeShape<S extends z.ZodRawShape> = { [K in keyof S & string as Snake<K>]: S[K] }

export const snake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)
const camel = (name: string) => name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())

/** Meta key of a body's "at least one of these groups" rule, turned into JSON Schema by src/rest/openapi/. */
export const REQUIRED_ONE_OF = 'x-required-one-of'

/**
 * The rules of a GraphQL input as a REST body. `oneOf` lists the groups of fields of which at
 * least one must be given (stated in the document; the input's own checks enforce it).
 */
export function restBody<S extends z.ZodRawShape>(rules: z.ZodObject<S>, options: { oneOf?: readonly (readonly string[])[] } = {}) {
  const shape = Object.fromEntries(Object.entries(rules.shape).map(([name, rule]) => [snake(name), rule])) as SnakeShape<S>
  const body = z.object(shape)
  const requiredOneOf = options.oneOf?.map((fields) => fields.map(snake))
  return requiredOneOf ? body.meta({ [REQUIRED_ONE_OF]: requiredOneOf }) : body
}

/** A body as GraphQL input: camelCase names; absent fields stay absent, so an update leaves them unchanged. */
export function toInput(body: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(body).flatMap(([name, value]) => (value === undefined ? [] : [[camel(name), value]])))
}
