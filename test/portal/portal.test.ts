/**
 * The portal in a real browser: Debian's Chromium driven by playwright-core against the real
 * app on a real port (the built portal in portal/out, the API on the same origin). Skipped only
 * when /usr/bin/chromium is absent. Screenshots of each page at phone and desktop widths go to
 * test-results/screenshots/.
 */
import type { Server } from 'node:http'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SCOPES } from '../../portal/src/lib/scopes.js'
import { type App, createApp } from '../../src/app.js'
import { countKeyRequest, flushUsage } from '../../src/context/usage.js'
import { db } from '../../src/db/client.js'
import { startWebhookDelivery } from '../../src/services/webhooks/delivery.js'
import { ADMIN_TOKEN, testApp, testConfig, testDatabase } from '../support/app.js'
import { closeServer, hasChromium, launchChromium, listen, screenshots, WIDTHS } from '../support/browser.js'
import { seedConversation } from '../support/fixtures.js'
import { createTenant, type Tenant } from '../support/tenants.js'

/** A month of activity, so the overview has something to chart. */
async function seedActivity(accountId: string) {
  const day = 86_400_000
  const now = Date.now()
  const statuses = ['delivered', 'delivered', 'sent', 'failed'] as const
  for (const [i, channel] of (['sms', 'sms', 'imessage', 'email', 'voice'] as const).entries()) {
    await seedConversation(accountId, {
      channel,
      messages: [
        { sender: 'customer', content: 'Hi, can you quote a roof repair?', at: new Date(now - (i * 5 + 2) * day) },
        ...statuses
          .slice(0, 4 - (i % 3))
          .map((_, j) => ({ sender: 'agent' as const, content: `Reply ${j}`, at: new Date(now - (i * 5 + 1) * day + j) })),
      ],
    })
  }
  await db.message.updateMany({ where: { accountId, sender: 'agent', content: 'Reply 3' }, data: { status: 'failed' } })
  await db.message.updateMany({
    where: { accountId, sender: 'agent', content: { in: ['Reply 0', 'Reply 1'] } },
    data: { status: 'delivered' },
  })
  const endpoint = await db.webhookEndpoint.create({
    data: {
      accountId,
      url: 'https://hooks.example.com/crm',
      events: ['lead.created', 'quote.accepted'],
      active: false,
      secretEncrypted: 'unused',
    },
  })
  await db.webhookDelivery.createMany({
    data: Array.from({ length: 40 }, (_, i) => ({
      accountId,
      endpointId: endpoint.id,
      event: i % 3 ? 'lead.created' : 'quote.accepted',
      body: '{}',
      status: i % 9 === 4 ? ('failed' as const) : ('succeeded' as const),
      attempts: 1,
      lastStatusCode: i % 9 === 4 ? 500 : 200,
      nextAttemptAt: null,
      createdAt: new Date(now - (i % 27) * day - i * 60_000),
      deliveredAt: i % 9 === 4 ? null : new Date(now - (i % 27) * day - i * 60_000 + 300),
    })),
  })
  // SMS replies went out through Twilio (a credit each); the account's key was busy most days.
  await db.message.updateMany({ where: { accountId, channel: 'sms', sender: 'agent' }, data: { provider: 'twilio' } })
  const key = await db.apiKey.findFirstOrThrow({ where: { accountId } })
  for (let d = 0; d < 24; d++)
    for (let n = 0; n < ((d * 7) % 13) + 1; n++)
      countKeyRequest(accountId, key.id, d % 5 === 2 && n < 2 ? 'refused' : 'answered', now - d * day)
  await flushUsage()
  await db.communication.createMany({
    data: [3, 26, 50].map((hours, i) => ({
      accountId,
      channel: 'sms' as const,
      status: 'scheduled' as const,
      to: `+1555555010${i}`,
      content: ['Reminder: your inspection is tomorrow at 9am.', 'Your quote is ready to review.', 'How did we do? Reply 1-5.'][i],
      scheduledFor: new Date(now + hours * 3_600_000),
    })),
  })
}

describe.skipIf(!hasChromium)('portal in Chromium', () => {
  let app: App
  let base: string
  let servers: Server[] = []
  let stopDelivery: (() => Promise<void>) | undefined
  let browser: Browser
  let context: BrowserContext
  let page: Page
  let tenant: Tenant
  const received: { headers: Record<string, string>; body: string }[] = []

  beforeAll(async () => {
    await testDatabase()
    // A client address of its own per run: with REDIS_URL the sign-in throttle outlives the process.
    const clientIp = `portal-test-${Date.now()}-${Math.random().toString(36).slice(2)}`
    const api = await listen((request) => app.fetch(request, { clientIp }))
    base = api.url
    app = createApp(testConfig({ PUBLIC_URL: base, ALLOW_PRIVATE_WEBHOOK_URLS: '1' }))
    const receiver = await listen(async (request) => {
      received.push({ headers: Object.fromEntries(request.headers), body: await request.text() })
      return new Response('thanks', { status: 200 })
    })
    servers = [api.server, receiver.server]
    ;(globalThis as { receiverUrl?: string }).receiverUrl = `${receiver.url}/hooks/crm`

    tenant = await createTenant(await testApp(), `Portal ${Date.now().toString(36)}`)
    await seedActivity(tenant.accountId)
    stopDelivery = startWebhookDelivery({ config: app.config, accountId: tenant.accountId, intervalMs: 200 })

    browser = await launchChromium()
    context = await browser.newContext({ viewport: { width: WIDTHS.desktop, height: 900 } })
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base })
    page = await context.newPage()
    page.setDefaultTimeout(10_000)
  }, 120_000)

  afterAll(async () => {
    await browser?.close()
    await stopDelivery?.()
    await Promise.all(servers.map(closeServer))
  })

  const bearer = (key: string) => fetch(`${base}/v1/conversations`, { headers: { authorization: `Bearer ${key}` } })

  it('serves the portal under /portal with a 404 page and no way out of its folder', async () => {
    const index = await fetch(`${base}/portal`)
    expect(index.status).toBe(200)
    expect(index.headers.get('content-type')).toMatch(/text\/html/)
    expect((await fetch(`${base}/portal/keys`)).status).toBe(200)
    expect((await fetch(`${base}/portal/nope`)).status).toBe(404)
    expect((await fetch(`${base}/portal/%2e%2e/package.json`)).status).toBe(404)
    expect((await fetch(`${base}/portal/..%2fpackage.json`)).status).toBe(404)
    const html = await index.text()
    const asset = /\/portal\/_next\/static\/[^"]+\.js/.exec(html)?.[0]
    expect(asset).toBeDefined()
    const script = await fetch(`${base}${asset}`)
    expect(script.headers.get('content-type')).toMatch(/javascript/)
    expect(script.headers.get('cache-control')).toMatch(/immutable/)
  })

  it('refuses a wrong access code with a clear message, then signs in with the right one', async () => {
    await page.goto(`${base}/portal/`)
    await page.getByLabel('Access code').fill('not-the-code')
    await page.getByRole('button', { name: 'Sign in' }).click()
    await expect.poll(() => page.locator('.notice-error').textContent()).toMatch(/access code is not right/)
    await screenshots(page, 'sign-in')

    await page.getByLabel('Access code').fill(tenant.accessCode)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.waitForURL(/\/portal\/overview$/)
    await page.getByRole('heading', { name: 'Messages by channel and status' }).waitFor()
    await page.locator('.recharts-bar-rectangle').first().waitFor()
    await page.getByText('Reminder: your inspection is tomorrow at 9am.').waitFor()
    for (const chart of ['API requests by key', 'Rate-limit refusals by key', 'SMS credits spent'])
      await page.getByRole('region', { name: chart }).locator('.recharts-bar-rectangle').first().waitFor()
    // 36 of the 40 seeded deliveries succeeded.
    await page
      .getByRole('region', { name: 'Webhook success by endpoint' })
      .locator('tr', { hasText: 'hooks.example.com' })
      .getByText('90.0%')
      .waitFor()
    await screenshots(page, 'overview')
  })

  let secret = ''
  it('creates a key shown once, copies it, and the key calls the API', async () => {
    await page.getByRole('link', { name: 'API keys' }).click()
    await page.waitForURL(/\/portal\/keys$/)
    await page.getByLabel('Name', { exact: true }).fill('browser key')
    // Every documented scope is selected by default.
    expect(await page.locator('input[name="scopes"]:checked').count()).toBe(SCOPES.length)
    await page.getByRole('button', { name: 'Create key' }).click()
    const shown = page.getByTestId('secret-value')
    await shown.waitFor()
    secret = await shown.inputValue()
    expect(secret).toMatch(/^obq_live_/)
    await expect.poll(() => page.getByText('will not be shown again').count()).toBeGreaterThan(0)
    await page.getByRole('button', { name: 'Copy', exact: true }).click()
    await page.getByRole('button', { name: 'Copied' }).waitFor()
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret)
    expect((await bearer(secret)).status).toBe(200)

    await page.getByRole('button', { name: 'I have saved it' }).click()
    await page.locator('tr', { hasText: 'browser key' }).waitFor()
    await screenshots(page, 'keys')
  })

  it('revokes the key after a confirmation, and the key is refused', async () => {
    await page.getByRole('button', { name: 'Revoke browser key' }).click()
    const dialog = page.getByRole('dialog', { name: 'Revoke this key?' })
    await dialog.waitFor()
    await screenshots(page, 'keys-revoke-dialog')
    await dialog.getByRole('button', { name: 'Revoke key' }).click()
    await page
      .locator('tr', { hasText: 'browser key' })
      .getByText(/^Revoked/)
      .waitFor()
    expect((await bearer(secret)).status).toBe(401)
  })

  it('creates a webhook endpoint and shows a test delivery in its log', async () => {
    await page.getByRole('link', { name: 'Webhooks' }).click()
    await page.waitForURL(/\/portal\/webhooks$/)
    const url = (globalThis as { receiverUrl?: string }).receiverUrl!
    await page.getByLabel('Endpoint URL').fill(url)
    await page.getByRole('button', { name: 'Add endpoint' }).click()
    expect(await page.getByTestId('secret-value').inputValue()).toMatch(/^whsec_/)
    await page.getByRole('button', { name: 'I have saved it' }).click()
    const endpoint = page.getByTestId('endpoint').filter({ hasText: url })
    await endpoint.getByRole('button', { name: 'Send test event' }).click()
    const delivery = endpoint.getByTestId('delivery').filter({ hasText: 'test' })
    await delivery.getByText('succeeded').waitFor({ timeout: 15_000 })
    await delivery.getByText('1 attempt').click()
    await delivery.getByText('thanks').waitFor()
    expect(received.some((r) => r.body.includes('"event":"test"'))).toBe(true)
    await screenshots(page, 'webhooks')
  })

  it('saves an integration whose secret reads back masked, with callback URLs to paste', async () => {
    await page.getByRole('link', { name: 'Integrations' }).click()
    await page.waitForURL(/\/portal\/integrations$/)
    const twilio = page.getByTestId('integration-twilio')
    await twilio.getByLabel('Account SID').fill('AC0123')
    await twilio.getByLabel('Auth token').fill('twilio-token-abcd1234')
    await twilio.getByRole('button', { name: 'Connect Twilio' }).click()
    await twilio.getByText('Twilio connected.').waitFor()
    await twilio.getByText('Stored: ••••••••1234').waitFor()
    // The saved form starts again from what is stored, secrets empty.
    expect(await twilio.getByLabel('Auth token').inputValue()).toBe('')
    expect(await twilio.getByLabel('Account SID').inputValue()).toBe('AC0123')
    // Saving another provider keeps what was typed here and not saved yet.
    await twilio.getByLabel('Account SID').fill('AC4567')
    const vapi = page.getByTestId('integration-vapi')
    await vapi.getByLabel('API key').fill('vapi-key-5678')
    await vapi.getByRole('button', { name: 'Connect Vapi' }).click()
    await vapi.getByText('Vapi connected.').waitFor()
    expect(await twilio.getByLabel('Account SID').inputValue()).toBe('AC4567')
    expect(await page.content()).not.toContain('twilio-token-abcd1234')
    expect(await twilio.getByLabel('Status callback URL').inputValue()).toBe(`${base}/callbacks/twilio/${tenant.accountId}/status`)
    await screenshots(page, 'integrations')
  })

  it('changes the account settings, and times follow the new time zone', async () => {
    await page.getByRole('link', { name: 'Settings' }).click()
    await page.waitForURL(/\/portal\/settings$/)
    await page.getByTestId('credit-balance').waitFor()
    await page.getByLabel('Time zone').fill('Mars/Olympus')
    await page.getByRole('button', { name: 'Save settings' }).click()
    await expect.poll(() => page.locator('.notice-error').textContent()).toMatch(/not a time zone/)
    await page.getByLabel('Time zone').fill('America/Chicago')
    await page.getByLabel('From').fill('08:00')
    await page.getByLabel('Until').fill('20:00')
    await page.getByLabel('Test mode').check()
    await page.getByRole('button', { name: 'Save settings' }).click()
    await page.getByText('Settings saved.').waitFor()
    await page.getByText('Times in America/Chicago').waitFor()
    // An edit after saving takes the message down: it no longer describes the form.
    await page.getByLabel('Auto-dispatch').click()
    await page.getByText('Settings saved.').waitFor({ state: 'detached' })
    await page.getByLabel('Auto-dispatch').click()
    const account = await db.account.findUniqueOrThrow({ where: { id: tenant.accountId } })
    expect(account).toMatchObject({ timeZone: 'America/Chicago', sendingWindowStart: '08:00', sendingWindowEnd: '20:00', testMode: true })
    await screenshots(page, 'settings')
  })

  it('signs out, and the key pages are closed', async () => {
    // Signed out while the overview's usage query is still on its way: the server refuses that
    // query (the session is gone) while the signed-out page loads, and the visitor must still
    // land there, not on sign-in with `next`. Holding the query and the navigation fixes that order.
    let releaseUsage = () => {}
    const usageHeld = new Promise<void>((resolve) => {
      releaseUsage = resolve
    })
    await page.route('**/graphql', async (route) => {
      if (route.request().postData()?.includes('OverviewUsage')) await usageHeld
      await route.continue()
    })
    await page.goto(`${base}/portal/overview`)
    await page.getByRole('heading', { name: 'Overview' }).waitFor()
    let releaseNavigation = () => {}
    const navigationHeld = new Promise<void>((resolve) => {
      releaseNavigation = resolve
    })
    let navigating = () => {}
    const navigationStarted = new Promise<void>((resolve) => {
      navigating = resolve
    })
    // The sign-in page's payload, which both the signed-out page and sign-in with `next` load.
    await page.route(/\/portal\.txt\?/, async (route) => {
      navigating()
      await navigationHeld
      await route.continue()
    })
    await page.getByRole('button', { name: 'Sign out' }).click()
    await navigationStarted
    const refused = page.waitForResponse((response) => Boolean(response.request().postData()?.includes('OverviewUsage')))
    releaseUsage()
    expect((await refused).status()).toBe(401)
    await page.waitForTimeout(1000) // the page's effects see the refusal
    releaseNavigation()
    await page.waitForURL(/\/portal\/?\?signedOut=1$/)
    await page.unrouteAll({ behavior: 'wait' })
    await page.getByText('You have signed out.').waitFor()
    await page.goto(`${base}/portal/keys`)
    await page.waitForURL(/\/portal\/?\?next=/)
    await page.getByLabel('Access code').waitFor()
    expect(await page.getByTestId('key-table').count()).toBe(0)
    const keys = await page.evaluate(() =>
      fetch('/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ apiKeys { id } }' }),
      }).then((r) => r.json()),
    )
    expect(keys.errors[0].extensions.code).toBe('UNAUTHENTICATED')
  })

  it('lets the operator sign in, create an account (code shown once) and grant credits', async () => {
    await page.goto(`${base}/portal/admin`)
    await page.getByLabel('Admin token').fill('wrong-token-wrong-token')
    await page.getByRole('button', { name: 'Sign in as operator' }).click()
    await expect.poll(() => page.locator('.notice-error').textContent()).toMatch(/admin token is not right/)
    await screenshots(page, 'admin-sign-in')
    await page.getByLabel('Admin token').fill(ADMIN_TOKEN)
    await page.getByRole('button', { name: 'Sign in as operator' }).click()
    await page.getByRole('heading', { name: 'Accounts', exact: true }).waitFor()
    const name = `Browser Co ${Date.now().toString(36)}`
    await page.getByLabel('Account name').fill(name)
    await page.getByRole('button', { name: 'Create account' }).click()
    const code = await page.getByTestId('secret-value').inputValue()
    expect(code.length).toBeGreaterThanOrEqual(8)
    const row = page.locator('tr', { hasText: name })
    await row.getByLabel(`Credits to grant to ${name}`).fill('250')
    await row.getByRole('button', { name: 'Grant' }).click()
    await row.getByText('Granted 250.').waitFor()
    await row.getByText('250', { exact: true }).waitFor()
    await screenshots(page, 'admin')
  })

  it('shows the sign-in throttle as a message, not a broken page', async () => {
    const wrong = () =>
      fetch(`${base}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: 'mutation { portalLogin(accessCode: "wrong-wrong") { account { id } } }' }),
      })
    for (let i = 0; i < 10; i++) await wrong()
    await page.goto(`${base}/portal/`)
    await page.getByLabel('Access code').fill('still-wrong')
    await page.getByRole('button', { name: 'Sign in' }).click()
    await expect
      .poll(() => page.locator('.notice-error').textContent())
      .toMatch(/Too many failed sign-in attempts\. Try again in (about )?\d+ (seconds|minutes)\./)
    await screenshots(page, 'sign-in-throttled')
  })
})
