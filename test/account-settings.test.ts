import { beforeAll, describe, expect, it } from 'vitest'
import { ADMIN_TOKEN, type TestClient, testApp } from './support/app.js'
import { createTenant, type Tenant } from './support/tenants.js'

const UPDATE = `mutation($input: AccountSettingsInput!, $accountId: ID) {
  updateAccountSettings(input: $input, accountId: $accountId) { autoDispatch timeZone sendingWindowStart sendingWindowEnd testMode } }`

let client: TestClient
let tenant: Tenant

beforeAll(async () => {
  client = await testApp()
  tenant = await createTenant(client)
})

describe('updateAccountSettings', () => {
  it('starts with the defaults and applies the operator.md example through a portal session', async () => {
    const viewer = await client.gql(
      '{ viewer { autoDispatch timeZone sendingWindowStart sendingWindowEnd testMode } }',
      {},
      { cookie: tenant.cookie },
    )
    expect(viewer.data.viewer).toEqual({
      autoDispatch: false,
      timeZone: 'UTC',
      sendingWindowStart: null,
      sendingWindowEnd: null,
      testMode: false,
    })
    const result = await client.gql(
      `mutation { updateAccountSettings(input: { autoDispatch: true, timeZone: "America/Chicago",
        sendingWindowStart: "08:00", sendingWindowEnd: "20:00", testMode: false }) {
        autoDispatch timeZone sendingWindowStart sendingWindowEnd testMode } }`,
      {},
      { cookie: tenant.cookie },
    )
    expect(result.errors).toBeUndefined()
    expect(result.data.updateAccountSettings).toEqual({
      autoDispatch: true,
      timeZone: 'America/Chicago',
      sendingWindowStart: '08:00',
      sendingWindowEnd: '20:00',
      testMode: false,
    })
  })

  it('updates only the fields given, canonicalises the time zone and clears the window with nulls', async () => {
    const t = await createTenant(client)
    let result = await client.gql(UPDATE, { input: { timeZone: 'europe/berlin' } }, { cookie: t.cookie })
    expect(result.data.updateAccountSettings).toMatchObject({ timeZone: 'Europe/Berlin', autoDispatch: false })
    result = await client.gql(UPDATE, { input: { sendingWindowStart: '22:00', sendingWindowEnd: '06:30' } }, { cookie: t.cookie })
    expect(result.data.updateAccountSettings).toMatchObject({
      timeZone: 'Europe/Berlin',
      sendingWindowStart: '22:00',
      sendingWindowEnd: '06:30',
    })
    result = await client.gql(UPDATE, { input: { sendingWindowEnd: '07:00' } }, { cookie: t.cookie })
    expect(result.data.updateAccountSettings).toMatchObject({ sendingWindowStart: '22:00', sendingWindowEnd: '07:00' })
    result = await client.gql(UPDATE, { input: { sendingWindowStart: null, sendingWindowEnd: null, testMode: true } }, { cookie: t.cookie })
    expect(result.data.updateAccountSettings).toMatchObject({ sendingWindowStart: null, sendingWindowEnd: null, testMode: true })
  })

  it.each([
    [{ timeZone: 'Mars/Olympus' }, 'timeZone "Mars/Olympus" is not an IANA time zone such as America/Chicago'],
    [{ timeZone: ' ' }, 'timeZone must be an IANA time zone such as America/Chicago'],
    [{ sendingWindowStart: '8:00', sendingWindowEnd: '20:00' }, 'sendingWindowStart must be a 24-hour time "HH:MM", e.g. 08:00'],
    [{ sendingWindowStart: '08:00', sendingWindowEnd: '24:00' }, 'sendingWindowEnd must be a 24-hour time "HH:MM", e.g. 08:00'],
    [{ sendingWindowStart: '08:00' }, 'sendingWindowStart and sendingWindowEnd must be set together (or both null)'],
    [{ sendingWindowStart: '08:00', sendingWindowEnd: '08:00' }, 'sendingWindowStart and sendingWindowEnd must differ'],
  ])('rejects %j with a 400-coded error and changes nothing', async (input, message) => {
    const t = await createTenant(client)
    const result = await client.gql(UPDATE, { input: { autoDispatch: true, ...input } }, { cookie: t.cookie })
    expect(result.errors?.[0]).toMatchObject({ message, extensions: { code: 'BAD_REQUEST' } })
    const viewer = await client.gql('{ viewer { autoDispatch sendingWindowStart } }', {}, { cookie: t.cookie })
    expect(viewer.data.viewer).toEqual({ autoDispatch: false, sendingWindowStart: null })
  })

  it('accepts the admin token with an accountId, and refuses API keys and anonymous callers', async () => {
    const t = await createTenant(client)
    const admin = await client.gql(UPDATE, { input: { autoDispatch: true }, accountId: t.accountId }, { key: ADMIN_TOKEN })
    expect(admin.data.updateAccountSettings.autoDispatch).toBe(true)
    expect((await client.gql(UPDATE, { input: { autoDispatch: true } }, { key: ADMIN_TOKEN })).errors?.[0].message).toBe(
      'accountId is required with the admin token',
    )
    expect((await client.gql(UPDATE, { input: { autoDispatch: false } }, { key: t.key })).errors?.[0].extensions.code).toBe('FORBIDDEN')
    expect((await client.gql(UPDATE, { input: { autoDispatch: false } })).errors?.[0].extensions.code).toBe('UNAUTHENTICATED')
    // A session changes its own account even when it names another one.
    await client.gql(UPDATE, { input: { testMode: true }, accountId: t.accountId }, { cookie: tenant.cookie })
    const viewer = await client.gql('{ viewer { testMode } }', {}, { cookie: t.cookie })
    expect(viewer.data.viewer.testMode).toBe(false)
  })
})
