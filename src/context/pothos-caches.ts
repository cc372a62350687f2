/**
 * Pothos keeps each request's caches (scope checks, Prisma selections and loaders) in WeakMaps
 * under `context[contextCacheSymbol]`, and the cached values hold the context. On Node 20's V8
 * a WeakMap entry whose value references its own key survives every young-generation GC, so
 * every request's caches were promoted to the old generation, where only a mark-compact frees
 * them (README → Performance). Nothing reads them once the operation is done: a fresh key then
 * leaves the old entries unreachable, and they die young. (A later lookup under the fresh key
 * would only build its cache again, so no kind of result needs a special case.)
 */
import { contextCacheSymbol } from '@pothos/core'
import type { Plugin } from 'graphql-yoga'
import type { Context } from './context.js'

export const useReleasePothosCaches = (): Plugin => ({
  onExecute: () => ({
    onExecuteDone: ({ args }) => {
      ;(args.contextValue as unknown as Context)[contextCacheSymbol] = {}
    },
  }),
})
