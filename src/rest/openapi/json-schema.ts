/** JSON Schema (2020-12, as OpenAPI 3.1 uses it) of zod rules, as a client sends the value. */
import { z } from 'zod'
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
      delete (ctx.jsonSchema as JsonSchema).graphql
    },
  }) as JsonSchema
  return schema
}

function unwrapOptional(rule: z.ZodType): z.ZodType {
  const def = rule.def as { type: string; innerType?: z.ZodType }
  return def.type === 'optional' ? unwrapOptional(def.innerType!) : rule
}
