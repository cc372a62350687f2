/**
 * What a request reads must die young. Prisma 7.10's query promise exposes `spec` through a
 * getter that closes over the query's result. On Node 20's V8 an object given its own getter
 * closure keeps that closure, and all it reaches, alive through young-generation GCs: every
 * query result was promoted to the old generation (~40 KB per list request), which only a
 * mark-compact frees. Under load that meant 10 ms scavenges, a mark-compact every few seconds
 * (the p99 tail) and ~250 MB of old-space garbage. prisma/patches/ makes `spec` a plain
 * property (README → Performance). The same getter pattern held every /graphql response:
 * Yoga's HTTP adapter waits on a deferred promise that, without `Promise.withResolvers` (Node 20
 * lacks it), is `{ promise, get resolve(), get reject() }`; src/promise-with-resolvers.ts adds it.
 * A promotion count is too noisy to pin in a test, so these check the causes; they fail if the
 * patch or the polyfill is lost (an upgrade, an install without scripts, a removed import).
 */
import { createRequire } from 'node:module'
import { beforeAll, describe, expect, it } from 'vitest'
import { db } from '../src/db.js'
import { testDatabase } from './support/app.js'

// The copy Yoga's server adapter uses: packages here carry different versions of their own.
const fromServerAdapter = createRequire(createRequire(import.meta.url).resolve('@whatwg-node/server'))
const { createDeferredPromise } = fromServerAdapter('@whatwg-node/promise-helpers') as typeof import('@whatwg-node/promise-helpers')

beforeAll(() => testDatabase())

describe('memory', () => {
  it("a Prisma query's promise holds its spec as a value, not through a getter closure", () => {
    const query = db.conversation.findMany({ take: 1 }) // lazy: nothing runs until it is awaited
    const spec = Object.getOwnPropertyDescriptor(query, 'spec')
    expect(spec?.get).toBeUndefined()
    expect(spec?.value).toMatchObject({ action: 'findMany', model: 'Conversation' })
  })

  it("once the app is loaded, Yoga's deferred promises hold their resolvers as values", async () => {
    await import('../src/app.js')
    const deferred = createDeferredPromise<string>()
    for (const name of ['resolve', 'reject'] as const) {
      const property = Object.getOwnPropertyDescriptor(deferred, name)
      expect(property?.get).toBeUndefined()
      expect(property?.value).toBeTypeOf('function')
    }
    deferred.resolve('settled')
    await expect(deferred.promise).resolves.toBe('settled')
  })
})
