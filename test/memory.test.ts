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
 * Three more ways per-request objects reached the old generation (README → Performance, the tenth
 * and eleventh sessions):
 * - on this V8, an object made by a spread and then given more properties (`{ ...a, b }`), which
 *   Prisma's query interpreter made a few of per query parameter (patched too);
 * - a string filed anew in a long-lived Map on every request, as Prisma's query-plan cache did with
 *   its key on every hit (patched): whatever a long-lived object references is promoted;
 * - on this V8, an entry of a long-lived WeakMap whose value references the request, which is how
 *   Pothos keeps each request's caches (deleted once the operation is done:
 *   src/context/pothos-caches.ts, with a function that prisma/patches/ adds to @pothos/core).
 * A promotion count is too noisy to pin in a test, so these check the causes; they fail if a
 * patch, the polyfill or the cache release is lost (an upgrade, an install without scripts, a
 * removed import or plugin).
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { contextCacheSymbol, createContextCache } from '@pothos/core'
import { parse } from 'graphql'
import { createYoga } from 'graphql-yoga'
import { beforeAll, describe, expect, it } from 'vitest'
import { createContext } from '../src/context/context.js'
import { useReleasePothosCaches } from '../src/context/pothos-caches.js'
import { db } from '../src/db/client.js'
import { schema } from '../src/schema/index.js'
import { ADMIN_TOKEN, testConfig, testDatabase } from './support/app.js'

// The copy Yoga's server adapter uses: packages here carry different versions of their own.
const fromServerAdapter = createRequire(createRequire(import.meta.url).resolve('@whatwg-node/server'))
const { createDeferredPromise } = fromServerAdapter('@whatwg-node/promise-helpers') as typeof import('@whatwg-node/promise-helpers')

beforeAll(() => testDatabase())

/** The Prisma runtime the client loads, as text: its patched sites are checked by what they say. */
const prismaRuntime = () => readFileSync(createRequire(import.meta.url).resolve('@prisma/client/runtime/client'), 'utf8')

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

  it("Prisma's query interpreter copies its per-parameter objects without a spread followed by more properties", () => {
    const runtime = prismaRuntime()
    // The sites prisma/patches/ rewrites to Object.assign (minified names of Prisma 7.10).
    const spreads = ['yield{...i,value:', '{...r,generators:n}', '{...r,scope:n}', 'S={...n,...T}', 'e._request({...T,...a})']
    expect(spreads.filter((site) => runtime.includes(site))).toEqual([])
    expect(runtime.includes('yield Object.assign({},i,{value:t[n],argType:r?.[n]})')).toBe(true)
  })

  it("Prisma's query-plan cache keeps the key it stored when a hit moves its entry to the front", () => {
    const runtime = prismaRuntime()
    // Unpatched, every hit files the entry again under the request's own copy of the key (the
    // query as JSON), and the long-lived map promotes that string.
    expect(runtime.includes('this.#e.delete(t),this.#e.set(t,r)),r}')).toBe(false)
    expect(runtime.includes('getSingle(t){let r=this.#e.get(t);return r&&(this.#e.delete(t),this.#e.set(r.k,r)),r?.v}')).toBe(true)
  })

  it('once an operation is done, the Pothos caches no longer hold entries for its context', async () => {
    const yoga = createYoga({ schema, plugins: [useReleasePothosCaches()] })
    const request = new Request('http://crm.test/graphql', { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })
    const context = await createContext(request, { requestId: 'memory-test', clientIp: 'local', setCookies: [], headers: {} }, testConfig())
    // Filed like the caches of Pothos and its plugins, which live inside their modules.
    const probe = createContextCache(() => ({ context }))
    const entry = probe(context)
    const filedUnder = { [contextCacheSymbol]: context[contextCacheSymbol] } // the key the entry is filed under
    const { execute, schema: enveloped } = yoga.getEnveloped({ request })
    const result = await execute({ schema: enveloped, document: parse('{ accounts { id } }'), contextValue: context })
    expect(result).toMatchObject({ data: { accounts: expect.any(Array) } })
    expect(result).not.toHaveProperty('errors')
    // Deleted, not merely orphaned by a new key: a lookup under its own key builds another.
    expect(probe(filedUnder)).not.toBe(entry)
  })
})
