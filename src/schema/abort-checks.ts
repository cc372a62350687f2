/**
 * Once the client of a request has gone, no resolver of its operation starts any more work: each
 * checks the request's signal first and throws its reason. The reference executor checks the signal
 * between fields itself (Yoga's useExecutionCancellation); the compiled executor (graphql-jit, which
 * runs queries and mutations) does not, so the check sits in the resolvers every executor calls.
 * src/endpoints/graphql.ts does not log the reason as a fault.
 */
import { MapperKind, mapSchema } from '@graphql-tools/utils'
import type { GraphQLFieldResolver, GraphQLSchema } from 'graphql'
import type { Context } from '../context/context.js'

export function withAbortChecks(schema: GraphQLSchema): GraphQLSchema {
  return mapSchema(schema, {
    [MapperKind.OBJECT_FIELD]: (field) => {
      const resolve = field.resolve as GraphQLFieldResolver<unknown, Context> | undefined
      if (!resolve) return field
      return {
        ...field,
        resolve: (source, args, context: Context, info) => {
          context.request.signal.throwIfAborted()
          return resolve(source, args, context, info)
        },
      }
    },
  })
}
