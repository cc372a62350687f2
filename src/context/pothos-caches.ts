/**
 * Pothos keeps each request's caches (scope checks, Prisma selections and loaders) in long-lived
 * WeakMaps filed under `context[contextCacheSymbol]`, and the cached values hold the context. On
 * Node 20's V8 such an entry can outlive young-generation GCs while it is in its map, even once
 * nothing else reaches its key, and with it the context and all the request objects it reaches:
 * they were promoted to the old generation, where only a mark-compact frees them (README →
 * Performance, "Pothos's caches, deleted": a fresh key was not enough). Nothing reads them once
 * the operation is done, so the entries are deleted then, from every cache at once
 * (`releaseContextCaches`, which prisma/patches/ adds to @pothos/core). A later lookup would only
 * build its cache again, so no kind of result needs a special case.
 */
import { releaseContextCaches } from '@pothos/core'
import type { Plugin } from 'graphql-yoga'
import type { Context } from './context.js'

export const useReleasePothosCaches = (): Plugin<Context> => ({
  onExecute: () => ({
    onExecuteDone: ({ args }) => releaseContextCaches(args.contextValue),
  }),
})
