/**
 * Browsers stay in their lane: pages on another origin may call with an API key (CORS without
 * credentials), but only the portal's own origin and configured ones may act with its session cookie.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { type TestClient, testApp } from './support/app.js'
import { createTenant, type Tenant } from './support/tenants.js'

const PARTNER = 'https://partner.example'
const EVIL = 'https://evil.example'
const whoAmI = '{ customers(first: 1) { totalCount } }'

let client: TestClient
let tenant: Tenant
beforeAll(async () => {
  client = await testApp({ CORS_CREDENTIAL_ORIGINS: PARTNER })
  tenant = await createTenant(client)
})

const preflight = (path: string, origin: string) =>
  client.call('OPTIONS', path, {
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
  })

describe('CORS', () => {
  it.each(['/graphql', '/v1/customers', '/hub/v1/customers', '/api/v1/leads'])(
    'lets any origin preflight %s, without credentials',
    async (path) => {
      const answer = await preflight(path, EVIL)
      expect(answer.status).toBe(204)
      expect(answer.headers.get('access-control-allow-origin')).toBe('*')
      expect(answer.headers.get('access-control-allow-credentials')).toBeNull()
      expect(answer.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization')
    },
  )

  it('allows credentials only for the portal origin and configured ones', async () => {
    for (const origin of ['http://crm.test', PARTNER]) {
      const answer = await preflight('/graphql', origin)
      expect(answer.headers.get('access-control-allow-origin')).toBe(origin)
      expect(answer.headers.get('access-control-allow-credentials')).toBe('true')
    }
  })

  it('serves a bearer-key call from any origin and exposes the rate-limit headers', async () => {
    const answer = await client.gql(whoAmI, {}, { key: tenant.key, headers: { origin: EVIL } })
    expect(answer.errors).toBeUndefined()
    expect(answer.response.headers.get('access-control-allow-origin')).toBe('*')
    expect(answer.response.headers.get('access-control-expose-headers')).toContain('RateLimit-Remaining')
  })

  it('ignores the session cookie on reads from a foreign page', async () => {
    const fromEvil = await client.call('GET', `/graphql?query=${encodeURIComponent(whoAmI)}`, {
      cookie: tenant.cookie,
      headers: { origin: EVIL },
    })
    expect(((await fromEvil.json()) as any).errors[0].extensions.code).toBe('UNAUTHENTICATED')
    expect(fromEvil.headers.get('access-control-allow-credentials')).toBeNull()

    // A cross-site navigation or image carries no Origin; the browser names the site instead.
    const navigated = await client.call('GET', `/graphql?query=${encodeURIComponent(whoAmI)}`, {
      cookie: tenant.cookie,
      headers: { 'sec-fetch-site': 'cross-site', accept: 'application/json' },
    })
    expect(((await navigated.json()) as any).errors[0].extensions.code).toBe('UNAUTHENTICATED')
  })

  it('honours the session cookie from the portal and configured origins', async () => {
    const callers: Record<string, string>[] = [{ origin: PARTNER }, { origin: 'http://crm.test' }, { 'sec-fetch-site': 'same-origin' }, {}]
    for (const headers of callers) {
      const answer = await client.gql(whoAmI, {}, { cookie: tenant.cookie, headers })
      expect(answer.errors, JSON.stringify(headers)).toBeUndefined()
    }
    const fromPartner = await client.gql(whoAmI, {}, { cookie: tenant.cookie, headers: { origin: PARTNER } })
    expect(fromPartner.response.headers.get('access-control-allow-origin')).toBe(PARTNER)
    expect(fromPartner.response.headers.get('access-control-allow-credentials')).toBe('true')
  })
})

describe('security headers', () => {
  it.each(['/health', '/graphql?query={__typename}', '/v1/customers', '/portal/'])('are on %s', async (path) => {
    const answer = await client.call('GET', path, { key: tenant.key, headers: { accept: 'application/json' } })
    expect(answer.headers.get('x-content-type-options')).toBe('nosniff')
    expect(answer.headers.get('x-frame-options')).toBe('DENY')
    expect(answer.headers.get('referrer-policy')).toBe('same-origin')
  })
})
