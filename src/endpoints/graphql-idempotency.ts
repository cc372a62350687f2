/**
 * `Idempotency-Key` on `POST /graphql` for mutation operations (../services/idempotency.ts): the
 * operation runs in one transaction with its stored answer, and a retry of the same document with
 * the same variables and operation name gets that answer again (header `Idempotent-Replayed:
 * true`). A result with errors rolls the whole operation back, so its `data` is answered as null.
 * REST rows run through the same pipeline but key their own requests (src/rest/handler.ts).
 */
import { type ExecutionResult, GraphQLError, getOperationAST, print } from 'graphql'
import type { Plugin } from 'graphql-yoga'
import type { Context } from '../context/context.js'
import { type Execution, fingerprint, idempotent, idempotentRequest } from '../services/idempotency.js'

export const useIdempotencyKey = (): Plugin<Context> => ({
  onExecute({ args, executeFn, setExecuteFn }) {
    const ctx = args.contextValue as Context & { viaRest?: boolean }
    const key = ctx.viaRest ? null : ctx.request?.headers.get('idempotency-key')
    if (!key || !ctx.accountId || getOperationAST(args.document, args.operationName)?.operation !== 'mutation') return
    const same = fingerprint(`graphql\n${args.operationName ?? ''}\n${print(args.document)}\n${JSON.stringify(args.variableValues ?? {})}`)
    setExecuteFn(async (executeArgs) => {
      const execution: Execution<ExecutionResult> = {
        run: async () => (await executeFn(executeArgs)) as ExecutionResult,
        store: async (result) => (result.errors?.length ? null : { status: 200, type: 'application/json', body: JSON.stringify(result) }),
        replay: (stored) => {
          ctx.http.headers['Idempotent-Replayed'] = 'true'
          return JSON.parse(stored.body) as ExecutionResult
        },
      }
      try {
        const result = await idempotent(idempotentRequest(ctx, key, same), execution)
        return result.errors?.length ? { ...result, data: null } : result
      } catch (error) {
        // The key's own answers (409, 403, a malformed key) and a provider's refusal after the commit.
        if (error instanceof GraphQLError) return { errors: [error], data: null }
        throw error
      }
    })
  },
})
