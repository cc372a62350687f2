/**
 * `Promise.withResolvers` (ES2024) for Node 20, which lacks it (Node 22 has it; there this is a
 * no-op). Without it, @whatwg-node/promise-helpers' `createDeferredPromise` falls back to
 * `{ promise, get resolve() {…}, get reject() {…} }`. On Node 20's V8 an object with getter
 * closures of its own stays alive through young-generation GCs, and this one holds the promise that
 * `yoga.fetch` resolves with the response: every /graphql response, with everything it reaches,
 * was promoted to the old generation (README, Performance: 35 → 14 KB promoted per request).
 */
interface Resolvers<T> {
  promise: Promise<T>
  resolve: (value: T | PromiseLike<T>) => void
  reject: (reason?: unknown) => void
}

// Typed here rather than through lib ES2024, which would claim it for Node 20 everywhere.
if (typeof (Promise as { withResolvers?: unknown }).withResolvers !== 'function') {
  Object.defineProperty(Promise, 'withResolvers', {
    configurable: true,
    writable: true,
    value: function withResolvers<T>(this: PromiseConstructor): Resolvers<T> {
      let resolve!: (value: T | PromiseLike<T>) => void
      let reject!: (reason?: unknown) => void
      const promise = new this<T>((res, rej) => {
        resolve = res
        reject = rej
      })
      return { promise, resolve, reject }
    },
  })
}
