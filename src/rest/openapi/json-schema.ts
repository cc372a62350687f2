/** JSON Schema (2020-12, as OpenAPI 3.1 uses it) of zod rules, as a client sends the value. */
import { z } from 'zod'
import { REQUIRED_ONE_OF } from '../bodies.js'
import { paramDocs } from '../params.js'

export type JsonSchema = Record<string, unknown>

/** What a rule accepts, described: a query rule's documented form, otherwise zod's own JSON Schema. */
export function inputSchema(rule: z.ZodType): JsonSchema {
  const documented = paramDocs.get(unwrapOptional(rule))
  if (documented) return documented
  const { $schema: _dialect, ...schema } = z.toJSONSchema(rule, {
    io: 'input',
    unrepresentable: 'any',
    // `graphql` names the GraphQL type of an input field; OpenAPI has no use for it.
    override: (ctx) => {
      const schema = ctx.jsonSchema as JsonSchema
      delete schema.graphql
      if (schema[REQUIRED_ONE_OF]) requireOneOf(schema)
    },
  }) as JsonSchema
  return schema
}

function unwrapOptional(rule: z.ZodType): z.ZodType {
  const def = rule.def as { type: string; innerType?: z.ZodType }
  return def.type === 'optional' ? unwrapOptional(def.innerType!) : rule
}

/**
 * "At least one of these groups of fields": each group a branch that requires its fields, with
 * their non-null schemas, under `allOf`, which is how client generators (openapi-typescript) turn it
 * into `Body & ({ id: string } | { external_id: string })` rather than dropping the body's type.
 */
function requireOneOf(schema: JsonSchema): void {
  const groups = schema[REQUIRED_ONE_OF] as string[][]
  delete schema[REQUIRED_ONE_OF]
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>
  const anyOf = groups.map((fields) => ({
    type: 'object',
    required: fields,
    properties: Object.fromEntries(fields.map((field) => [field, nonNull(properties[field] ?? {})])),
  }))
  schema.allOf = [...((schema.allOf as JsonSchema[]) ?? []), { anyOf }]
}

const isNull = (schema: JsonSchema) => schema.type === 'null'

function nonNull(schema: JsonSchema): JsonSchema {
  const options = schema.anyOf as JsonSchema[] | undefined
  if (!options) return schema
  const rest = options.filter((option) => !isNull(option))
  return rest.length === 1 ? { ...rest[0] } : { ...schema, anyOf: rest }
}
