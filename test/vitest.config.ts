import { defineConfig } from 'vitest/config'

export default defineConfig({
  // Node resolves `graphql` to its CommonJS build; Vite would pick the .mjs one for our code
  // while CommonJS dependencies keep the other: two realms of one library. Use Node's choice.
  resolve: { alias: { graphql: 'graphql/index.js' } },
  test: {
    root: new URL('..', import.meta.url).pathname,
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 180_000,
    // expect.poll gives up after a second by default: a browser page on a busy machine takes longer.
    expect: { poll: { timeout: 20_000 } },
    env: { NODE_ENV: 'test' },
  },
})
