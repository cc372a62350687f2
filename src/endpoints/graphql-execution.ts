/**
 * How operations execute (decision 0020): queries and mutations run compiled by graphql-jit, each
 * document compiled once into plain JavaScript, which skips most of the reference executor's
 * per-field work. Compiling costs a few executions' worth of CPU, so a document runs compiled from
 * its second execution on: a one-off document (values written inline) never pays for it.
 * Subscriptions keep the reference executor, which the live events follow.
 *
 * What the compiled executor does differently is covered before it runs: variables are coerced by
 * graphql-js's rules first (its messages, with their "Did you mean" hints), over-deep variables are
 * refused by src/endpoints/input-refusals.ts, and every resolver checks the client is still there
 * (src/schema/abort-checks.ts).
 */
import { useGraphQlJit } from '@envelop/graphql-jit'
import { type DocumentNode, GraphQLError, getOperationAST, getVariableValues, type OperationDefinitionNode } from 'graphql'
import type { Plugin } from 'graphql-yoga'
import type { Context } from '../context/context.js'

const viaRest = (context: unknown) => (context as { viaRest?: boolean }).viaRest === true

/** What is known of one parsed document: Yoga's parser cache hands the same object to every request sending the same text. */
interface Seen {
  executions: number
  operations: Map<string, OperationDefinitionNode | null>
}
const seenDocuments = new WeakMap<DocumentNode, Seen>()

function seen(document: DocumentNode): Seen {
  let entry = seenDocuments.get(document)
  if (!entry) {
    entry = { executions: 0, operations: new Map() }
    seenDocuments.set(document, entry)
  }
  return entry
}

function operationOf(document: DocumentNode, operationName: string | null | undefined): OperationDefinitionNode | null {
  const { operations } = seen(document)
  const name = operationName ?? ''
  let operation = operations.get(name)
  if (operation === undefined) {
    operation = getOperationAST(document, operationName) ?? null
    operations.set(name, operation)
  }
  return operation
}

/** Queries and mutations of a document executed before. */
function runsCompiled(document: DocumentNode, operationName: string | null | undefined): boolean {
  if (operationOf(document, operationName)?.operation === 'subscription') return false
  return ++seen(document).executions > 1
}

/** Refuses variables the operation cannot take, in graphql-js's words, before the compiled executor sees them. */
const useVariablesCoercedFirst = (): Plugin<Context> => ({
  onExecute: ({ args, setResultAndStopExecution }) => {
    // The REST rows' variables are validated by their zod schemas and their documents are fixed.
    if (viaRest(args.contextValue)) return
    const operation = operationOf(args.document, args.operationName)
    if (!operation?.variableDefinitions?.length) return
    const coerced = getVariableValues(args.schema, operation.variableDefinitions, args.variableValues ?? {}, { maxErrors: 50 })
    if (coerced.errors) setResultAndStopExecution({ errors: coerced.errors.map(requestError) })
  },
})

/** A variable's refusal is a request error: HTTP 400, as the reference executor marks it for Yoga. */
const requestError = (error: GraphQLError) =>
  new GraphQLError(error.message, {
    nodes: error.nodes,
    originalError: error.originalError,
    extensions: { ...error.extensions, http: { status: 400 } },
  })

export function executionPlugins(): Plugin<Context>[] {
  return [
    useVariablesCoercedFirst(),
    useGraphQlJit({}, { enableIf: (args) => runsCompiled(args.document, args.operationName) }) as Plugin<Context>,
  ]
}
