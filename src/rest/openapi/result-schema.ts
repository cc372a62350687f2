/**
 * The JSON Schema of an operation's `data`, read off the document itself: each selected field
 * (under its alias) with the schema's type, nullability and enum values. The REST shapes are
 * aliases over the schema, so this is exactly what a route answers. A selection that is one
 * fragment spread, `...CustomerRest`, becomes a reference to a named component, `Customer`, so
 * generated clients get one type per resource.
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
import type { JsonSchema } from './json-schema.js'

const scalarSchemas: Record<string, JsonSchema> = {
  ID: { type: 'string' },
  String: { type: 'string' },
  Int: { type: 'integer' },
  Float: { type: 'number' },
  Boolean: { type: 'boolean' },
  DateTime: { type: 'string', format: 'date-time' },
  JSON: {},
}

const ROOT_TYPES = new Set(['Query', 'Mutation'])
type Parent = { name: string; getFields(): Record<string, { type: GraphQLOutputType; description?: string | null }> }

/** The component a fragment becomes: `CustomerRest` → `Customer`. */
export const componentName = (fragment: string) => fragment.replace(/Rest$/, '')

export class ResultSchemas {
  /** Named schemas, by component name, made while describing operations. */
  readonly components = new Map<string, JsonSchema>()
  constructor(private readonly schema: GraphQLSchema) {}

  /** The schema of the data of `document`'s operation. */
  of(document: DocumentNode): JsonSchema {
    const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition')!
    const fragments = new Map(
      document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === 'FragmentDefinition').map((f) => [f.name.value, f]),
    )
    const root = operation.operation === 'mutation' ? this.schema.getMutationType()! : this.schema.getQueryType()!
    return this.selection(root, operation.selectionSet, fragments)
  }

  private selection(parent: Parent, set: SelectionSetNode, fragments: Map<string, FragmentDefinitionNode>): JsonSchema {
    const [only] = set.selections
    if (set.selections.length === 1 && only.kind === 'FragmentSpread') {
      const name = componentName(only.name.value)
      if (!this.components.has(name)) {
        const fragment = fragments.get(only.name.value)!
        this.components.set(name, {}) // claimed first: a fragment that reaches itself refers to itself
        this.components.set(name, this.fields(parent, fragment.selectionSet, fragments))
      }
      return { $ref: `#/components/schemas/${name}` }
    }
    return this.fields(parent, set, fragments)
  }

  private fields(parent: Parent, set: SelectionSetNode, fragments: Map<string, FragmentDefinitionNode>): JsonSchema {
    const properties: Record<string, JsonSchema> = {}
    const collect = (selections: SelectionSetNode) => {
      for (const selection of selections.selections) {
        if (selection.kind === 'FragmentSpread') collect(fragments.get(selection.name.value)!.selectionSet)
        else if (selection.kind === 'InlineFragment') collect(selection.selectionSet)
        else if (selection.name.value !== '__typename') {
          const field = parent.getFields()[selection.name.value]
          const described = this.type(field.type, selection.selectionSet, fragments)
          // A root field's description speaks of GraphQL (ids, nulls); a REST answer says its own.
          const description = ROOT_TYPES.has(parent.name) ? null : field.description
          properties[selection.alias?.value ?? selection.name.value] = description ? { ...described, description } : described
        }
      }
    }
    collect(set)
    return { type: 'object', properties, required: Object.keys(properties), additionalProperties: false }
  }

  private type(type: GraphQLOutputType, set: SelectionSetNode | undefined, fragments: Map<string, FragmentDefinitionNode>): JsonSchema {
    if (isNonNullType(type)) return this.present(type.ofType, set, fragments)
    const inner = this.present(type, set, fragments)
    // OpenAPI 3.1 (JSON Schema 2020-12) spells "nullable" as a type union with "null".
    if (typeof inner.type === 'string') {
      return { ...inner, type: [inner.type, 'null'], ...(inner.enum ? { enum: [...(inner.enum as unknown[]), null] } : {}) }
    }
    return Object.keys(inner).length === 0 ? inner : { anyOf: [inner, { type: 'null' }] }
  }

  private present(type: GraphQLOutputType, set: SelectionSetNode | undefined, fragments: Map<string, FragmentDefinitionNode>): JsonSchema {
    if (isListType(type)) return { type: 'array', items: this.type(type.ofType, set, fragments) }
    const named = getNamedType(type)
    if (isEnumType(named)) return { type: 'string', enum: named.getValues().map((v) => v.value) }
    if (isScalarType(named)) return { ...(scalarSchemas[named.name] ?? {}) }
    if (isObjectType(named) && set) return this.selection(named, set, fragments)
    return {}
  }
}
