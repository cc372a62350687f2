/** Users for role tests: invited by a tenant's owner (the access code), accepted, signed in. */
import { randomBytes } from 'node:crypto'
import { expect } from 'vitest'
import type { TestClient } from './app.js'
import type { Tenant } from './tenants.js'

export const PASSWORD = 'correct horse battery staple'

export interface TestUser {
  id: string
  email: string
  cookie: string
}

export const cookieOf = (response: Response) => (response.headers.get('set-cookie') ?? '').split(';')[0]

/** Invites through `by` (a cookie), returns the link's token and the user's id. */
export async function invite(
  client: TestClient,
  by: string,
  role: string,
  email = `${role}-${randomBytes(4).toString('hex')}@example.com`,
) {
  const invited = await client.gql(
    `mutation($input: InviteUserInput!) { inviteUser(input: $input) { url expiresAt email user { id email role invited } } }`,
    { input: { email, name: `A ${role}`, role: role.toUpperCase() } },
    { cookie: by },
  )
  expect(invited.errors, JSON.stringify(invited.errors)).toBeUndefined()
  const { url, user } = invited.data.inviteUser
  return { token: new URL(url).hash.replace('#token=', ''), userId: user.id as string, email, result: invited.data.inviteUser }
}

export async function accept(client: TestClient, token: string, password = PASSWORD) {
  return client.gql(
    `mutation($token: String!, $password: String!) { acceptInvitation(token: $token, password: $password) { account { id } } }`,
    {
      token,
      password,
    },
  )
}

const USER_LOGIN = `mutation($email: String!, $password: String!) { userLogin(email: $email, password: $password) { account { id } } }`

export async function signIn(client: TestClient, email: string, password = PASSWORD, headers: Record<string, string> = {}) {
  return client.gql(USER_LOGIN, { email, password }, { headers })
}

/** A sign-in from `clientIp`, as the Node server would hand the address to the app. */
export async function signInFrom(client: TestClient, clientIp: string, email: string, password: string) {
  const request = new Request('http://crm.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: USER_LOGIN, variables: { email, password } }),
  })
  return (await client.app.fetch(request, { clientIp })).status
}

/** A signed-in user of `tenant` with `role` (invited by the access-code owner). */
export async function createUser(client: TestClient, tenant: Tenant, role: 'owner' | 'admin' | 'member' | 'viewer'): Promise<TestUser> {
  const { token, userId, email } = await invite(client, tenant.cookie, role)
  const accepted = await accept(client, token)
  expect(accepted.errors, JSON.stringify(accepted.errors)).toBeUndefined()
  return { id: userId, email, cookie: cookieOf(accepted.response) }
}
