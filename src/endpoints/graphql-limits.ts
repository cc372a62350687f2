/**
 * What keeps one GraphQL operation from monopolising the server (docs/graphql.md#limits): the
 * parser stops past a token budget, validation refuses operations nested, aliased or directed
 * beyond their limits, the cost limit refuses an operation whose answer could be too large, and
 * execution stops once the client has gone. Introspection and "Did you mean" suggestions follow
 * GRAPHQL_INTROSPECTION.
 */
import { blockFieldSuggestionsPlugin } from '@escape.tech/graphql-armor-block-field-suggestions'
import { maxAliasesPlugin } from '@escape.tech/graphql-armor-max-aliases'
import { maxDepthPlugin } from '@escape.tech/graphql-armor-max-depth'
import { maxDirectivesPlugin } from '@escape.tech/graphql-armor-max-directives'
import { maxTokensPlugin } from '@escape.tech/graphql-armor-max-tokens'
import { type GraphQLError, NoSchemaIntrospectionCustomRule, type ValidationContext } from 'graphql'
import { type Plugin, useExecutionCancellation } from 'graphql-yoga'
import type { Context } from '../context/context.js'
import type { Config } from '../env.js'
import { useCostLimit } from './graphql-cost.js'

/**
 * A refused operation is reported as a validation error (a 400 listing it), not thrown from the
 * middle of validation.
 */
const reported = {
  propagateOnRejection: false,
  onReject: [(context: ValidationContext | null, error: GraphQLError) => context?.reportError(error)],
}

export function limitPlugins(config: Config): Plugin<Context>[] {
  const plugins: Plugin<Context>[] = [
    // The parser itself stops: a document of 20,000 nested brackets never becomes a deep tree.
    maxTokensPlugin({ n: config.GRAPHQL_MAX_TOKENS }),
    maxDepthPlugin({ n: config.GRAPHQL_MAX_DEPTH, ...reported }),
    maxAliasesPlugin({ n: config.GRAPHQL_MAX_ALIASES, ...reported }),
    maxDirectivesPlugin({ n: config.GRAPHQL_MAX_DIRECTIVES, ...reported }),
    useCostLimit(config.GRAPHQL_MAX_COST),
    // Resolvers stop being called once the request's signal aborts (the client disconnected).
    useExecutionCancellation() as Plugin<Context>,
  ]
  if (!config.GRAPHQL_INTROSPECTION) {
    plugins.push(blockFieldSuggestionsPlugin(), {
      onValidate: ({ addValidationRule }) => addValidationRule(NoSchemaIntrospectionCustomRule),
    })
  }
  return plugins
}
