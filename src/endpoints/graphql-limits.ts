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
import { AppError } from '../errors.js'
import { useCostLimit } from './graphql-cost.js'

/** A limit's refusal: code OPERATION_LIMIT_EXCEEDED, a 400 to GraphQL-over-HTTP clients (docs/graphql.md#limits). */
const refusal = (message: string) => new AppError('OPERATION_LIMIT_EXCEEDED', message.replace(/^Syntax Error: /, ''))

/** Validation reports a refused operation (a 400 listing it) instead of throwing mid-way. */
const reported = {
  propagateOnRejection: false,
  onReject: [(context: ValidationContext | null, error: GraphQLError) => context?.reportError(refusal(error.message))],
}

/**
 * The token limit's refusal, and a parser that runs out of stack on nesting the token limit
 * allows (an operator may raise it), answer 400, never 500.
 */
const useParseRefusals: Plugin<Context> = {
  onParse({ parseFn, setParseFn }) {
    setParseFn((source, options) => {
      try {
        return parseFn(source, options)
      } catch (error) {
        if (error instanceof RangeError) throw refusal('The document nests too deeply')
        if (error instanceof Error && error.message.includes('Token limit of')) throw refusal(error.message)
        throw error
      }
    })
  },
}

const SUGGESTION = /Did you mean .+\?/g

export function limitPlugins(config: Config): Plugin<Context>[] {
  const plugins: Plugin<Context>[] = [
    // The parser itself stops: a document of 20,000 nested brackets never becomes a deep tree.
    maxTokensPlugin({ n: config.GRAPHQL_MAX_TOKENS }),
    useParseRefusals,
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
      // Variables are checked by the executor, whose "Did you mean" would name enum values.
      onExecute: () => ({
        onExecuteDone: ({ result }) => {
          if (Symbol.asyncIterator in result) return
          for (const error of result.errors ?? []) error.message = error.message.replace(SUGGESTION, '[Suggestion hidden]')
        },
      }),
    })
  }
  return plugins
}
