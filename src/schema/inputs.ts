/**
 * GraphQL input types declared by a zod object of field rules (./rules.ts): the object is the one
 * declaration of an input, from which come the GraphQL input type (field types, requiredness,
 * descriptions), its validation (@pothos/plugin-validation runs each rule, transforms included)
 * and, in src/rest/, the REST body schema and its OpenAPI description.
 *
 * A field's GraphQL type follows its rule: strings → String, integers → Int, numbers → Float,
 * booleans → Boolean, records → JSON; `meta({ graphql })` names another type (ID, DateTime, an
 * enum or input ref). A rule that may be absent (`optional`, `nullish`) makes the field nullable.
 */
import type { InputObjectRef } from '@pothos/core'
import { z } from 'zod'
import { builder } from './builder.js'
import { sentence } from './rules.js'

type Types = typeof builder extends PothosSchemaTypes.SchemaBuilder<infer T> ? T : never
/** What `meta({ graphql })` may name: a scalar of the schema or a ref made by the builder. */
export type GraphQLTypeName = 'ID' | 'String' | 'Int' | 'Float' | 'Boolean' | 'JSON' | 'DateTime' | { name: string } | [{ name: string }]

interface Unwrapped {
  rule: z.ZodType
  required: boolean
  graphql?: GraphQLTypeName
}

/** Strips optional/nullable/default/pipe wrappers, collecting requiredness and the first `graphql` meta. */
export function unwrap(rule: z.ZodType): Unwrapped {
  let current = rule
  let required = true
  let graphql: GraphQLTypeName | undefined
  for (;;) {
    graphql ??= current.meta()?.graphql as GraphQLTypeName | undefined
    const def = current.def as { type: string; innerType?: z.ZodType; in?: z.ZodType }
    if (def.type === 'optional' || def.type === 'nullable' || def.type === 'default') {
      if (def.type !== 'default') required = false
      current = def.innerType!
    } else if (def.type === 'pipe') {
      current = def.in!
    } else {
      return { rule: current, required, graphql }
    }
  }
}

function graphqlTypeOf(rule: z.ZodType): { type: unknown; required: boolean } {
  const inner = unwrap(rule)
  if (inner.graphql) return { type: inner.graphql, required: inner.required }
  const def = inner.rule.def as { type: string; element?: z.ZodType; format?: string; checks?: { _zod: { def: { format?: string } } }[] }
  const integer = def.format === 'safeint' || def.checks?.some((check) => check._zod.def.format === 'safeint')
  const scalars: Record<string, string> = { string: 'String', number: integer ? 'Int' : 'Float', boolean: 'Boolean', record: 'JSON' }
  // blankAsNull: the last alternative is the rule proper.
  if (def.type === 'union')
    return { type: graphqlTypeOf((def as unknown as { options: z.ZodType[] }).options.at(-1)!).type, required: inner.required }
  if (def.type === 'array') return { type: [graphqlTypeOf(def.element!).type], required: inner.required }
  if (def.type === 'int') return { type: 'Int', required: inner.required }
  if (!scalars[def.type]) throw new Error(`No GraphQL type for a ${def.type} rule: give it meta({ graphql })`)
  return { type: scalars[def.type], required: inner.required }
}

/** A rule over several fields of an input, checked once its fields passed their own. */
export interface InputCheck<T> {
  check: (input: T) => boolean
  /** A whole sentence: "At least 'name' or 'phone' is required". */
  message: string
}

/**
 * Declares the GraphQL input type `name` from a zod object of rules. GraphQL lets any optional
 * field be null, and the validation plugin passes nulls by; a field whose rule refuses null is
 * refused here instead ("pipelineStage cannot be null"), with `checks` that span fields.
 */
export function inputType<S extends z.ZodRawShape>(
  name: string,
  rules: z.ZodObject<S>,
  options: { description?: string; checks?: InputCheck<z.output<z.ZodObject<S>>>[] } = {},
): InputObjectRef<Types, z.output<z.ZodObject<S>>> {
  const neverNull = Object.entries(rules.shape)
    .filter(([, rule]) => !(rule as z.ZodType).safeParse(null).success)
    .map(([field]) => field)
  const whole = z.custom<z.output<z.ZodObject<S>>>().superRefine((input, ctx) => {
    for (const field of neverNull) {
      if ((input as Record<string, unknown>)[field] === null)
        ctx.addIssue({ code: 'invalid_type', expected: 'nonoptional', input: null, path: [field], message: 'cannot be null' })
    }
    for (const { check, message } of options.checks ?? []) if (!check(input)) ctx.addIssue({ code: 'custom', ...sentence(message) })
  })
  const ref = builder.inputRef<z.output<z.ZodObject<S>>, false>(name)
  ref.implement({
    description: options.description ?? rules.description,
    validate: whole,
    fields: (t) =>
      Object.fromEntries(
        Object.entries(rules.shape).map(([field, rule]) => {
          const { type, required } = graphqlTypeOf(rule as z.ZodType)
          // DateTime arrives parsed by its scalar; the rule describes the REST spelling (a string).
          const validate = type === 'DateTime' ? undefined : (rule as z.ZodType)
          return [field, t.field({ type: type as never, required, description: (rule as z.ZodType).description, validate })]
        }),
      ) as never,
  })
  return ref as unknown as InputObjectRef<Types, z.output<z.ZodObject<S>>>
}

/** The object without its undefined fields: what an update should change. */
export const definedOnly = <T extends object>(value: T) =>
  Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> }
