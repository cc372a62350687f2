/**
 * Every type, field, argument and enum value of the GraphQL schema says what it is: a frontend
 * developer reads the schema in GraphiQL or their editor, not our source. The failure lists each
 * undescribed one by its schema coordinate (`Lead.phone`, `Query.leads(first:)`, `LeadStage.won`).
 */
import {
  type GraphQLNamedType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isIntrospectionType,
  isObjectType,
  isSpecifiedScalarType,
} from 'graphql'
import { describe, expect, it } from 'vitest'
import { schema } from '../src/schema/index.js'

const blank = (text: string | null | undefined) => !text?.trim()

function undescribed(type: GraphQLNamedType): string[] {
  const missing = blank(type.description) ? [type.name] : []
  if (isObjectType(type) || isInterfaceType(type)) {
    for (const field of Object.values(type.getFields())) {
      if (blank(field.description)) missing.push(`${type.name}.${field.name}`)
      for (const arg of field.args) if (blank(arg.description)) missing.push(`${type.name}.${field.name}(${arg.name}:)`)
    }
  }
  if (isInputObjectType(type)) {
    for (const field of Object.values(type.getFields())) if (blank(field.description)) missing.push(`${type.name}.${field.name}`)
  }
  if (isEnumType(type)) {
    for (const value of type.getValues()) if (blank(value.description)) missing.push(`${type.name}.${value.name}`)
  }
  return missing
}

describe('the GraphQL schema', () => {
  it('describes every type, field, argument and enum value', () => {
    const own = Object.values(schema.getTypeMap()).filter((type) => !isIntrospectionType(type) && !isSpecifiedScalarType(type))
    const missing = own.flatMap(undescribed)
    expect(missing, `Add a description (Pothos: \`description:\`) to:\n  ${missing.join('\n  ')}\n`).toEqual([])
  })

  it('gives every deprecation a reason a client can act on', () => {
    const reasons: string[] = []
    for (const type of Object.values(schema.getTypeMap())) {
      if (isIntrospectionType(type)) continue
      if (isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)) {
        for (const field of Object.values(type.getFields())) {
          if ('deprecationReason' in field && field.deprecationReason != null) reasons.push(field.deprecationReason)
        }
      }
      if (isEnumType(type)) for (const value of type.getValues()) if (value.deprecationReason != null) reasons.push(value.deprecationReason)
    }
    expect(reasons.length).toBeGreaterThan(0)
    expect(reasons.filter((reason) => !/^Use \S/.test(reason))).toEqual([])
  })
})
