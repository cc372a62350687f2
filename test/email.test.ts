import * as net from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { db } from '../src/db/client.js'
import { runOnce } from '../src/services/worker/worker.js'
import { type TestClient, testApp, testConfig } from './support/app.js'
import { loggedApp } from './support/callbacks.js'
import { hubCall } from './support/hub.js'
import { startSmtpSink } from './support/smtp-sink.js'
import { createTenant, type Tenant } from './support/tenants.js'

let client: TestClient
let sink: Awaited<ReturnType<typeof startSmtpSink>>

// The fake SMTP server listens on loopback, which only the override lets the integration reach.
const LOCAL_SMTP = { PROVIDER_TIMEOUT_MS: '2000', ALLOW_PRIVATE_SMTP_HOSTS: '1' }

beforeAll(async () => {
  sink = await startSmtpSink()
  client = await testApp(LOCAL_SMTP)
})
afterAll(() => sink.close())

const emailConfig = () => ({
  host: sink.host,
  port: sink.port,
  username: 'mailer',
  api_key: 'smtp-password-1',
  from_address: 'crm@acme.example',
})

async function queueEmail(tenant: Tenant, content = 'Your build starts Monday.') {
  const response = await hubCall(client, tenant, 'POST', '/communications', {
    channel: 'email',
    to: 'jane@example.com',
    subject: 'Build day',
    content,
  })
  expect(response.status).toBe(201)
  return response.body.data.id as string
}

describe("email through the account's SMTP integration", () => {
  it('dispatches through SMTP with the stored credentials', async () => {
    const tenant = await createTenant(client)
    expect((await hubCall(client, tenant, 'PUT', '/integrations/email', { config: emailConfig() })).status).toBe(201)
    const id = await queueEmail(tenant)
    const sent = await hubCall(client, tenant, 'POST', `/communications/${id}/dispatch`)
    expect(sent.status, JSON.stringify(sent.body)).toBe(200)
    expect(sent.body.data).toMatchObject({ status: 'sent', provider: 'email', provider_message_id: expect.stringMatching(/^<.+@.+>$/) })
    const mail = sink.mails.at(-1)!
    expect(mail).toMatchObject({ from: 'crm@acme.example', to: ['jane@example.com'], user: 'mailer' })
    expect(mail.raw).toContain('Subject: Build day')
    expect(mail.raw).toContain('Your build starts Monday.')
  })

  it('answers 502 and records the failure when the SMTP server refuses; wrong passwords are not echoed', async () => {
    const tenant = await createTenant(client)
    await hubCall(client, tenant, 'PUT', '/integrations/email', { config: { ...emailConfig(), api_key: 'wrong-password-xyz' } })
    const id = await queueEmail(tenant)
    const sent = await hubCall(client, tenant, 'POST', `/communications/${id}/dispatch`)
    expect(sent.status).toBe(502)
    const row = await db.communication.findUniqueOrThrow({ where: { id } })
    expect(row.status).toBe('failed')
    expect(row.lastError).toMatch(/^The SMTP server 127\.0\.0\.1:\d+ failed: /)
    expect(row.lastError).not.toContain('wrong-password-xyz')
    expect(row.lastError).not.toContain('Invalid username or password')
    expect(row.lastError).toContain('EAUTH 535')
  })

  it('logs a failed send once, with its cause and the request id', async () => {
    const tenant = await createTenant(client)
    await hubCall(client, tenant, 'PUT', '/integrations/email', { config: { ...emailConfig(), api_key: 'wrong-password-xyz' } })
    const id = await queueEmail(tenant)
    const logged = loggedApp(LOCAL_SMTP)
    const response = await logged.app.fetch(
      new Request(`http://crm.test/hub/v1/communications/${id}/dispatch`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tenant.key}` },
      }),
    )
    expect(response.status).toBe(502)
    const requestId = response.headers.get('x-request-id')
    const lines = logged.lines.map((line) => JSON.parse(line)).filter((line) => line.level >= 40 && line.request_id === requestId)
    expect(lines).toHaveLength(1)
    expect(lines[0].err).toMatchObject({ message: expect.stringMatching(/^The SMTP server .* failed: /), stack: expect.any(String) })
  })

  it('without an email integration, email stays queued: the API answers 400 and the worker leaves it', async () => {
    const tenant = await createTenant(client)
    await client.gql(`mutation { updateAccountSettings(input: { autoDispatch: true }) { autoDispatch } }`, {}, { cookie: tenant.cookie })
    const id = await queueEmail(tenant)
    expect(await hubCall(client, tenant, 'POST', `/communications/${id}/dispatch`)).toMatchObject({
      status: 400,
      body: { message: 'No email provider is connected' },
    })
    await runOnce({
      config: testConfig(LOCAL_SMTP),
      accountIds: [tenant.accountId],
      now: new Date(Date.now() + 60_000),
    })
    expect(await db.communication.findUniqueOrThrow({ where: { id } })).toMatchObject({
      status: 'queued',
      attempts: 0,
      lastError: 'No email provider is connected',
    })
    // Once connected, the worker sends it on a later pass.
    await hubCall(client, tenant, 'PUT', '/integrations/email', { config: emailConfig() })
    const before = sink.mails.length
    const result = await runOnce({
      config: testConfig(LOCAL_SMTP),
      accountIds: [tenant.accountId],
      now: new Date(Date.now() + 3 * 60_000),
    })
    expect(result.sent).toBe(1)
    expect(sink.mails.length).toBe(before + 1)
  })

  it('retries a temporary SMTP failure from the worker', async () => {
    const tenant = await createTenant(client)
    await client.gql(`mutation { updateAccountSettings(input: { autoDispatch: true }) { autoDispatch } }`, {}, { cookie: tenant.cookie })
    await hubCall(client, tenant, 'PUT', '/integrations/email', { config: emailConfig() })
    const id = await queueEmail(tenant, 'retry me')
    sink.failNext(1)
    const config = testConfig(LOCAL_SMTP)
    const t0 = new Date(Date.now() + 60_000)
    await runOnce({ config, accountIds: [tenant.accountId], now: t0 })
    expect(await db.communication.findUniqueOrThrow({ where: { id } })).toMatchObject({
      status: 'failed',
      attempts: 1,
      lastError: expect.stringContaining('451'),
    })
    // The reply code, not the server's own words.
    expect((await db.communication.findUniqueOrThrow({ where: { id } })).lastError).not.toContain('Try again later')
    await runOnce({ config, accountIds: [tenant.accountId], now: new Date(t0.getTime() + 60_000) })
    expect(await db.communication.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: 'sent', attempts: 2 })
    expect(sink.mails.filter((m) => m.raw.includes('retry me'))).toHaveLength(1)
  })
})

describe('where the email integration may connect', () => {
  let strict: TestClient
  beforeAll(async () => {
    strict = await testApp({ PROVIDER_TIMEOUT_MS: '2000' })
  })

  it('refuses private hosts, names that resolve to them, and ports that are not for mail, when saved', async () => {
    const tenant = await createTenant(strict)
    const cases: [Record<string, unknown>, string][] = [
      [{ host: '127.0.0.1', port: 2525 }, 'config.host must not resolve to a private, loopback or link-local address'],
      [{ host: '10.1.2.3', port: 587 }, 'config.host must not resolve to a private, loopback or link-local address'],
      [{ host: 'localhost', port: 587 }, 'config.host must not resolve to a private, loopback or link-local address'],
      [{ host: '[::1]', port: 25 }, 'config.host must not resolve to a private, loopback or link-local address'],
      [{ host: '8.8.8.8', port: 6379 }, 'config.port must be one of 25, 465, 587, 2525'],
      [{ host: 'smtp.example.com/x', port: 587 }, 'config.host must be a host name or an IP address'],
    ]
    for (const [settings, message] of cases) {
      const saved = await hubCall(strict, tenant, 'PUT', '/integrations/email', { config: { ...emailConfig(), ...settings } })
      expect(saved, JSON.stringify(settings)).toMatchObject({ status: 400, body: { message } })
    }
    const graphql = await strict.gql(
      'mutation($c: JSON!) { saveIntegration(provider: email, config: $c) { created } }',
      { c: { ...emailConfig(), host: 'localhost', port: 587 } },
      { cookie: tenant.cookie },
    )
    expect(graphql.errors?.[0]).toMatchObject({
      message: 'config.host must not resolve to a private, loopback or link-local address',
      extensions: { code: 'BAD_REQUEST' },
    })
  })

  it('resolves the host again when sending, and never connects to a private address', async () => {
    const tenant = await createTenant(client)
    // Saved while the override was on (as if the name resolved publicly then); sent by a server without it.
    await hubCall(client, tenant, 'PUT', '/integrations/email', { config: emailConfig() })
    const id = await queueEmail(tenant)
    const before = sink.mails.length
    const sent = await hubCall(strict, tenant, 'POST', `/communications/${id}/dispatch`)
    expect(sent.status).toBe(502)
    expect(sink.mails.length).toBe(before)
    expect((await db.communication.findUniqueOrThrow({ where: { id } })).lastError).toMatch(
      /^The SMTP server 127\.0\.0\.1:\d+ was not contacted: config\.host must not resolve to a private/,
    )
  })

  it('does not repeat what a server that is not SMTP says', async () => {
    const banner = net.createServer((socket) => socket.end('554 internal-build-server secret-banner\r\n'))
    await new Promise<void>((resolve) => banner.listen(0, '127.0.0.1', resolve))
    try {
      const tenant = await createTenant(client)
      await hubCall(client, tenant, 'PUT', '/integrations/email', {
        config: { ...emailConfig(), port: (banner.address() as net.AddressInfo).port },
      })
      const id = await queueEmail(tenant)
      expect((await hubCall(client, tenant, 'POST', `/communications/${id}/dispatch`)).status).toBe(502)
      const { lastError } = await db.communication.findUniqueOrThrow({ where: { id } })
      expect(lastError).toMatch(/^The SMTP server 127\.0\.0\.1:\d+ failed: /)
      expect(lastError).not.toMatch(/secret-banner|internal-build-server/)
    } finally {
      banner.close()
    }
  })
})
