/**
 * The JSON Schema of an operation's `data`, read off the document itself: each selected field
 * (under its alias) with the schema's type, nullability and enum values. The REST shapes are
 * aliases over the schema, so this is exactly what a route answers.
 */
import {
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLOutputType,
  type GraphQLSchema,
  getNamedType,
  isEnumType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql'

export type JsonSchema = Record<string, unknown>

const scalarSchemas: Record<string, JsonSchema> = {
  ID: { type: 'string' },
  String: { type: 'string' },
  Int: { type: 'integer' },
  Float: { type: 'number' },
  Boolean: { type: 'boolean' },
  DateTime: { type: 'string', format: 'date-time' },
  JSON: {},
}

type Fragments = Map<string, FragmentDefinitionNode>
type Parent = { getFields(): Record<string, { type: GraphQLOutputType }> }

export function resultSchema(schema: GraphQLSchema, document: DocumentNode): JsonSchema {
  const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition')!
  const fragments: Fragments = new Map(
    document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === 'FragmentDefinition').map((f) => [f.name.value, f]),
  )
  const root = operation.operation === 'mutation' ? schema.getMutationType()! : schema.getQueryType()!
  return selectionSchema(root, operation.selectionSet, fragments)
}

function selectionSchema(parent: Parent, selectionSet: SelectionSetNode, fragments: Fragments): JsonSchema {
  const properties: Record<string, JsonSchema> = {}
  const collect = (set: SelectionSetNode) => {
    for (const selection of set.selections) {
      if (selection.kind === 'FragmentSpread') collect(fragments.get(selection.name.value)!.selectionSet)
      else if (selection.kind === 'InlineFragment') collect(selection.selectionSet)
      else if (selection.name.value !== '__typename') {
        const field = parent.getFields()[selection.name.value]
        properties[selection.alias?.value ?? selection.name.value] = typeSchema(field.type, selection.selectionSet, fragments)
      }
    }
  }
  collect(selectionSet)
  return { type: 'object', properties, required: Object.keys(properties), additionalProperties: false }
}

function typeSchema(type: GraphQLOutputType, selectionSet: SelectionSetNode | undefined, fragments: Fragments): JsonSchema {
  if (isNonNullType(type)) return nonNullSchema(type.ofType, selectionSet, fragments)
  const inner = nonNullSchema(type, selectionSet, fragments)
  // OpenAPI 3.1 (JSON Schema 2020-12) spells "nullable" as a type union with "null".
  if (typeof inner.type === 'string')
    return { ...inner, type: [inner.type, 'null'], ...(inner.enum ? { enum: [...(inner.enum as unknown[]), null] } : {}) }
  return Object.keys(inner).length === 0 ? inner : { anyOf: [inner, { type: 'null' }] }
}

function nonNullSchema(type: GraphQLOutputType, selectionSet: SelectionSetNode | undefined, fragments: Fragments): JsonSchema {
  if (isListType(type)) return { type: 'array', items: typeSchema(type.ofType, selectionSet, fragments) }
  const named = getNamedType(type)
  if (isEnumType(named)) return { type: 'string', enum: named.getValues().map((v) => v.value) }
  if (isScalarType(named)) return { ...(scalarSchemas[named.name] ?? {}) }
  if (isObjectType(named) && selectionSet) return selectionSchema(named, selectionSet, fragments)
  return {}
}
