/**
 * The cost limit of /graphql (docs/graphql.md#limits). An operation's cost is the most objects
 * its answer can hold: every object costs 1, scalars cost nothing, and a paged field (one with a
 * `first`, `last` or `limit` argument) costs 1 plus its page size times the cost of what it
 * selects. An operation over budget is refused before any resolver runs; every answer reports
 * `extensions.cost: { requested, maximum }`. REST rows run fixed documents and are not priced.
 */
import {
  type DocumentNode,
  type GraphQLField,
  type GraphQLSchema,
  type GraphQLType,
  getNamedType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
} from 'graphql'
import { type ComplexityEstimator, getComplexity } from 'graphql-query-complexity'
import type { Plugin } from 'graphql-yoga'
import type { Context } from '../context/context.js'
import { AppError } from '../errors.js'
import { graphqlCost, metrics } from '../http/metrics.js'
import { CONNECTION_WINDOW } from '../schema/lists.js'
import { CRM_WINDOW, type WindowRules } from '../schema/paging.js'

/** Rows a list without a page-size argument is priced at, unless it declares `extensions.listRows`. */
export const UNPAGED_LIST_ROWS = 20

/**
 * What a field that reads with statements of its own for each record it is asked on (a timeline,
 * a transcript, an offset page of a record's children) costs on top of what it selects, declared
 * as `extensions.ownReads: true`. On one record it is cheap; below a list of 25 rows it is the
 * whole default budget, so a list cannot turn into a statement per row.
 */
const OWN_READS_COST = 200

/** The window of a paged field: declared in its `extensions.pageSize`, else the one its arguments imply. */
function windowOf(field: GraphQLField<unknown, unknown>): WindowRules | undefined {
  const declared = field.extensions?.pageSize as WindowRules | undefined
  if (declared) return declared
  const names = new Set(field.args.map((arg) => arg.name))
  if (names.has('first') || names.has('last')) return CONNECTION_WINDOW
  if (names.has('limit')) return CRM_WINDOW
  return undefined
}

function pageSize(window: WindowRules, args: Record<string, unknown>): number {
  const asked = args.first ?? args.last ?? args.limit
  const size = typeof asked === 'number' ? asked : window.defaultLimit
  return Math.max(0, Math.min(size, window.maxLimit))
}

const isList = (type: GraphQLType) => isListType(isNonNullType(type) ? type.ofType : type)

/** The estimator: needs the schema to know which types are pages (their lists are the page's rows). */
export function costEstimator(schema: GraphQLSchema): ComplexityEstimator {
  const pageTypes = new Set<string>()
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue
    for (const field of Object.values(type.getFields())) {
      if (windowOf(field)) pageTypes.add(getNamedType(field.type).name)
    }
  }
  return ({ type, field, args, childComplexity }) => {
    // Introspection is bounded by the schema's size, and has a setting of its own.
    if (type.name.startsWith('__') || field.name.startsWith('__')) return 0
    if (isLeafType(getNamedType(field.type))) return 0
    const ownReads = field.extensions?.ownReads ? OWN_READS_COST : 0
    const window = windowOf(field)
    // A page that is itself the list (a timeline) counts its rows; a page object counts them in its `edges` or `items`.
    if (window) return ownReads + 1 + pageSize(window, args) * (isList(field.type) ? 1 + childComplexity : childComplexity)
    const rows =
      isList(field.type) && !pageTypes.has(type.name) ? ((field.extensions?.listRows as number | undefined) ?? UNPAGED_LIST_ROWS) : 1
    return ownReads + rows * (1 + childComplexity)
  }
}

export interface Cost {
  requested: number
  maximum: number
}

/**
 * The cost of one operation: Infinity when it selects too many fields to price (fragments spread
 * into each other), NaN when it cannot be priced because the executor will refuse it anyway (bad
 * variables, no such operation) before any resolver runs.
 */
export function costOf(
  schema: GraphQLSchema,
  estimator: ComplexityEstimator,
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
  operationName: string | undefined,
): number {
  try {
    return getComplexity({ schema, estimators: [estimator], query: document, variables, operationName })
  } catch (error) {
    return (error as Error).message.includes('maximum allowed number of nodes') ? Number.POSITIVE_INFINITY : Number.NaN
  }
}

/** Variables longer than this are priced afresh each time: remembering them would cost more memory than pricing. */
const REMEMBERED_VARIABLES_CHARS = 1024
/** Costs remembered per document (one per set of variables): a client polling with a handful of page sizes hits. */
const REMEMBERED_PER_DOCUMENT = 32
const costsByDocument = new WeakMap<DocumentNode, Map<string, number>>()

/**
 * An operation's cost depends only on its document, operation and variables; Yoga's parser cache
 * hands the same document object to every request that sends the same text, so a repeated
 * operation is priced once, not walked again on every request.
 */
function remembered(
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
  operationName: string | undefined,
  price: () => number,
): number {
  let key: string
  try {
    key = `${operationName ?? ''}\n${JSON.stringify(variables ?? {})}`
  } catch {
    // Variables nested past the stack's depth: the pricing and the input refusals answer them.
    return price()
  }
  if (key.length > REMEMBERED_VARIABLES_CHARS) return price()
  let costs = costsByDocument.get(document)
  if (!costs) {
    costs = new Map()
    costsByDocument.set(document, costs)
  }
  let cost = costs.get(key)
  if (cost === undefined) {
    cost = price()
    if (costs.size >= REMEMBERED_PER_DOCUMENT) costs.delete(costs.keys().next().value as string)
    costs.set(key, cost)
  }
  return cost
}

/** Refuses an operation over `maximum` before it runs, and reports every operation's cost. */
export function useCostLimit(maximum: number): Plugin<Context> {
  const estimators = new WeakMap<GraphQLSchema, ComplexityEstimator>()
  return {
    onExecute({ args, setResultAndStopExecution }) {
      if ((args.contextValue as { viaRest?: boolean }).viaRest) return
      let estimator = estimators.get(args.schema)
      if (!estimator) {
        estimator = costEstimator(args.schema)
        estimators.set(args.schema, estimator)
      }
      const variables = (args.variableValues ?? undefined) as Record<string, unknown> | undefined
      const requested = remembered(args.document, variables, args.operationName ?? undefined, () =>
        costOf(args.schema, estimator, args.document, variables, args.operationName ?? undefined),
      )
      if (Number.isNaN(requested)) return
      // Infinity is JSON null: "more than can be priced".
      const cost: Cost = { requested, maximum }
      // An operation too large to price has no number to observe.
      if (metrics.on && Number.isFinite(requested))
        graphqlCost.observe({ outcome: requested > maximum ? 'refused' : 'accepted' }, requested)
      if (requested > maximum) {
        const stated = Number.isFinite(requested) ? `it costs ${requested}` : 'it selects too many fields to price'
        const message = `Operation refused: ${stated} and the maximum is ${maximum}. Ask for smaller pages (first, last, limit) or fewer nested lists.`
        setResultAndStopExecution({ errors: [new AppError('COST_LIMIT_EXCEEDED', message)], extensions: { cost } })
        return
      }
      return {
        onExecuteDone({ result, setResult }) {
          if (Symbol.asyncIterator in result) return
          setResult({ ...result, extensions: { ...result.extensions, cost } })
        },
      }
    },
  }
}
