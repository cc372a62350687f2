/**
 * The front door for tests: a real app over a real database (PGlite in memory, or the
 * PostgreSQL database global-setup made), called through `app.fetch` with no port.
 */
import type { Logger } from 'pino'
import { expect, inject, vi } from 'vitest'
import { type App, createApp } from '../../src/app.js'
import { connectDb, type Database, sqlStatements } from '../../src/db/client.js'
import { migrate } from '../../src/db/migrate.js'
import { type Config, loadConfig } from '../../src/env.js'
import type { TypedDocument } from '../../src/rest/route.js'
import { checkContract } from './contract.js'

export const ADMIN_TOKEN = 'test-admin-token-0123456789'

let database: Promise<Database> | undefined

/**
 * One database per test file: migrated PGlite in memory, or the suite's PostgreSQL database. A
 * file that tests the statement timeout opens it first, with its own.
 */
export function testDatabase(options: { statementTimeoutMs?: number } = {}): Promise<Database> {
  database ??= (async () => {
    const databaseUrl = inject('databaseUrl')
    // Deadlines far above production's: a busy machine must not turn a slow answer into a 503.
    const db = await connectDb({
      databaseUrl,
      dataDir: 'memory://',
      poolSize: 5,
      connectTimeoutMs: 60_000,
      queryTimeoutMs: 120_000,
      ...options,
    })
    if (!databaseUrl) await migrate(db.scripts)
    return db
  })()
  return database
}

export const usesPostgres = () => Boolean(inject('databaseUrl'))

export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    ADMIN_TOKEN,
    PUBLIC_URL: 'http://crm.test',
    SECRET_KEY: 'test-secret-key-test-secret-key-0123456789',
    // Suites make many requests per tenant; rate-limit tests set the budget they test.
    RATE_LIMIT_PER_MINUTE: '1000000',
    ...overrides,
  })
}

export interface TestClient {
  app: App
  /** Calls a REST path; `auth` is an API key or `{ cookie }`. */
  call(method: string, path: string, options?: CallOptions): Promise<Response>
  /** Runs a GraphQL operation (a string, or a typed document whose result type `data` takes). */
  gql<T = any>(
    query: string | TypedDocument<T>,
    variables?: Record<string, unknown>,
    options?: CallOptions,
  ): Promise<{ data?: T; errors?: any[]; extensions?: Record<string, any>; status: number; response: Response }>
}

export interface CallOptions {
  key?: string
  cookie?: string
  body?: unknown
  headers?: Record<string, string>
}

export async function testApp(overrides: Record<string, string> = {}, logger?: Logger): Promise<TestClient> {
  await testDatabase()
  const app = createApp(testConfig(overrides), logger)
  const call = async (method: string, path: string, options: CallOptions = {}) => {
    const headers: Record<string, string> = { ...options.headers }
    if (options.key) headers.authorization = `Bearer ${options.key}`
    if (options.cookie) headers.cookie = options.cookie
    let body: string | undefined
    if (options.body !== undefined) {
      body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body)
      headers['content-type'] ??= 'application/json'
    }
    const response = await app.fetch(new Request(`http://crm.test${path}`, { method, headers, body }))
    await checkContract(method, `http://crm.test${path}`, response)
    return response
  }
  const gql = async (query: string | TypedDocument<unknown>, variables?: Record<string, unknown>, options: CallOptions = {}) => {
    const response = await call('POST', '/graphql', { ...options, body: { query: String(query), variables } })
    const json = (await response.json()) as { data?: any; errors?: any[]; extensions?: Record<string, any> }
    return { ...json, status: response.status, response }
  }
  return { app, call, gql }
}

/** SQL statements the database received while `fn` ran. */
export async function countStatements(fn: () => Promise<unknown>): Promise<number> {
  const before = sqlStatements.count
  await fn()
  return sqlStatements.count - before
}

/**
 * Waits until this process remembers the key (it does once it listens for revocations, and after
 * the key's lastUsedAt write), so the statements counted next are the request's own.
 */
export async function keyRemembered(client: TestClient, key: string): Promise<void> {
  await vi.waitFor(async () => expect(await countStatements(() => client.gql('{ __typename }', {}, { key }))).toBe(0))
}
