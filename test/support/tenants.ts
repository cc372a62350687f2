/**
 * Fixtures by name: each test makes its own tenant (account) and keys through the public
 * operations, instead of sharing or truncating tables.
 */
import { randomBytes } from 'node:crypto'
import { expect } from 'vitest'
import { graphql } from '../generated/gql/index.js'
import { ADMIN_TOKEN, type TestClient } from './app.js'

export interface Tenant {
  accountId: string
  accessCode: string
  /** The portal session cookie, as sent back by the browser. */
  cookie: string
  /** A live key with every scope. */
  key: string
  createKey(input?: { scopes?: string[]; mode?: 'live' | 'test'; expiresAt?: string }): Promise<{ secret: string; id: string }>
}

export async function createTenant(client: TestClient, name = `Tenant ${randomBytes(3).toString('hex')}`): Promise<Tenant> {
  const created = await client.gql(
    graphql(`mutation FixtureCreateAccount($name: String!) { createAccount(input: { name: $name }) { accessCode account { id } } }`),
    { name },
    { key: ADMIN_TOKEN },
  )
  expect(created.errors, JSON.stringify(created.errors)).toBeUndefined()
  const { accessCode, account } = created.data!.createAccount
  const cookie = await login(client, accessCode)
  const createKey: Tenant['createKey'] = async (input = {}) => {
    const result = await client.gql(
      graphql(`mutation FixtureCreateApiKey($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret apiKey { id } } }`),
      { input: { name: 'test key', mode: input.mode ?? 'live', scopes: input.scopes, expiresAt: input.expiresAt } },
      { cookie },
    )
    expect(result.errors, JSON.stringify(result.errors)).toBeUndefined()
    const { secret, apiKey } = result.data!.createApiKey
    return { secret, id: apiKey.id }
  }
  const { secret } = await createKey()
  return { accountId: account.id, accessCode, cookie, key: secret, createKey }
}

/**
 * The two-tenant setup of isolation tests: the account a test acts for and another one whose ids
 * it must never reach. Made in parallel; names are optional.
 */
export const twoTenants = (client: TestClient, name?: string): Promise<[Tenant, Tenant]> =>
  Promise.all([createTenant(client, name), createTenant(client)])

/** Signs in with an access code and returns the cookie header value to send back. */
export async function login(client: TestClient, accessCode: string): Promise<string> {
  const result = await client.gql(graphql(`mutation FixtureLogin($code: String!) { portalLogin(accessCode: $code) { account { id } } }`), {
    code: accessCode,
  })
  expect(result.errors, JSON.stringify(result.errors)).toBeUndefined()
  const setCookie = result.response.headers.get('set-cookie') ?? ''
  return setCookie.split(';')[0]
}
