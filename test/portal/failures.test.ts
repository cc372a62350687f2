/**
 * What the portal shows when a mutation fails: the button that started it is busy while it runs
 * and comes back afterwards, and the error shows where the action was. The real app refuses
 * requests for real; only "the server cannot be reached" and "a proxy answered 502" are made by
 * intercepting the browser's own request, since the app itself never answers that way.
 */
import type { Server } from 'node:http'
import type { Browser, BrowserContext, Page, Route } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type App, createApp } from '../../src/app.js'
import { db } from '../../src/db/client.js'
import { ADMIN_TOKEN, testApp, testConfig, testDatabase } from '../support/app.js'
import { closeServer, hasChromium, launchChromium, listen } from '../support/browser.js'
import { createTenant, type Tenant } from '../support/tenants.js'
import { invite } from '../support/users.js'

/** Holds the browser's requests for one GraphQL operation until `release`, then lets `answer` settle them. */
async function holdOperation(page: Page, operation: string, answer: (route: Route) => Promise<void>) {
  let release = () => {}
  const released = new Promise<void>((resolve) => {
    release = resolve
  })
  await page.route('**/graphql', async (route) => {
    if (!route.request().postData()?.includes(`mutation ${operation}`)) return route.continue()
    await released
    await answer(route)
  })
  return { release, stop: () => page.unroute('**/graphql') }
}

describe.skipIf(!hasChromium)('portal mutations that fail', () => {
  let app: App
  let base: string
  let server: Server
  let browser: Browser
  let context: BrowserContext
  let page: Page
  let tenant: Tenant

  beforeAll(async () => {
    await testDatabase()
    // A client address of its own per run: with REDIS_URL the sign-in throttle outlives the process.
    const clientIp = `portal-failures-${Date.now()}-${Math.random().toString(36).slice(2)}`
    const api = await listen((request) => app.fetch(request, { clientIp }))
    ;({ server, url: base } = api)
    app = createApp(testConfig({ PUBLIC_URL: base }))
    tenant = await createTenant(await testApp(), `Failures ${Date.now().toString(36)}`)
    browser = await launchChromium()
    context = await browser.newContext()
    const [name, value] = tenant.cookie.split('=')
    await context.addCookies([{ name, value, url: base }])
    page = await context.newPage()
    page.setDefaultTimeout(10_000)
  }, 120_000)

  afterAll(async () => {
    await browser?.close()
    if (server) await closeServer(server)
  })

  it('keeps "Create key" busy while the request runs, then re-enables it with the error when the server cannot be reached', async () => {
    await page.goto(`${base}/portal/keys`)
    await page.getByLabel('Name', { exact: true }).fill('offline key')
    const held = await holdOperation(page, 'CreateApiKey', (route) => route.abort('connectionrefused'))
    await page.getByRole('button', { name: 'Create key' }).click()
    const busy = page.getByRole('button', { name: 'Creating…' })
    await busy.waitFor()
    expect(await busy.isDisabled()).toBe(true)

    held.release()
    await page.getByText('Could not reach the server. Check your connection and try again.').waitFor()
    expect(await page.getByRole('button', { name: 'Create key' }).isEnabled()).toBe(true)

    await held.stop()
    await page.getByRole('button', { name: 'Create key' }).click()
    expect(await page.getByTestId('secret-value').inputValue()).toMatch(/^obq_live_/)
  })

  it('shows a proxy error inside the revoke dialog, with both buttons usable again', async () => {
    await page.goto(`${base}/portal/keys`)
    const held = await holdOperation(page, 'RevokeApiKey', (route) =>
      route.fulfill({ status: 502, contentType: 'text/html', body: '<h1>Bad gateway</h1>' }),
    )
    await page.getByRole('button', { name: 'Revoke test key' }).click()
    const dialog = page.getByRole('dialog', { name: 'Revoke this key?' })
    await dialog.waitFor()
    // The least harmful choice has the focus when the dialog opens.
    expect(await dialog.getByRole('button', { name: 'Cancel' }).evaluate((button) => button === document.activeElement)).toBe(true)

    await dialog.getByRole('button', { name: 'Revoke key' }).click()
    await dialog.getByRole('button', { name: 'Working…' }).waitFor()
    expect(await dialog.getByRole('button', { name: 'Cancel' }).isDisabled()).toBe(true)
    held.release()
    await expect.poll(() => dialog.getByRole('alert').textContent()).toMatch(/^The server answered 502\b/)
    expect(await dialog.getByRole('button', { name: 'Revoke key' }).isEnabled()).toBe(true)
    await held.stop()

    await dialog.getByRole('button', { name: 'Cancel' }).click()
    await dialog.waitFor({ state: 'hidden' })
    const row = page.locator('tr', { hasText: 'test key' }).first()
    expect(await row.getByTestId('key-status').textContent()).toBe('Active')
    // The next attempt starts clean: no error from the last one.
    await page.getByRole('button', { name: 'Revoke test key' }).first().click()
    expect(await dialog.getByRole('alert').count()).toBe(0)
    await dialog.getByRole('button', { name: 'Cancel' }).click()
  })

  it("shows the server's refusal in the endpoint card, re-enables every action, and clears it on the next success", async () => {
    const endpoint = await db.webhookEndpoint.create({
      data: { accountId: tenant.accountId, url: 'https://hooks.example.com/crm', events: ['lead.created'], secretEncrypted: 'unused' },
    })
    const delivery = await db.webhookDelivery.create({
      data: { accountId: tenant.accountId, endpointId: endpoint.id, event: 'lead.created', body: '{}', status: 'failed', attempts: 1 },
    })
    await page.goto(`${base}/portal/webhooks`)
    const card = page.getByTestId('endpoint').filter({ hasText: 'https://hooks.example.com/crm' })
    await card.getByTestId('delivery').waitFor()
    // Gone by the time the owner clicks (deleted with its endpoint elsewhere, or by retention).
    await db.webhookDelivery.delete({ where: { id: delivery.id } })

    await card.getByRole('button', { name: 'Replay lead.created delivery' }).click()
    await card.getByRole('alert').getByText('Webhook delivery not found').waitFor()
    for (const name of ['Replay lead.created delivery', 'Send test event', 'Pause', 'Rotate secret', 'Delete'])
      expect(await card.getByRole('button', { name, exact: true }).isEnabled(), name).toBe(true)

    await card.getByRole('button', { name: 'Send test event' }).click()
    await card.getByText('Test event queued: it appears in the log below.').waitFor()
    expect(await card.getByRole('alert').count()).toBe(0)
  })

  it("keeps a user's link button disabled while the link is being made", async () => {
    await invite(await testApp(), tenant.cookie, 'member', 'link-busy@example.com')
    await page.goto(`${base}/portal/users`)
    const button = page.getByRole('row', { name: /link-busy@example\.com/ }).getByRole('button', { name: /^New invitation/ })
    const held = await holdOperation(page, 'CreateUserLink', (route) => route.continue())
    await button.click()
    await expect.poll(() => button.isDisabled(), { timeout: 10_000 }).toBe(true)
    held.release()
    await page.getByTestId('secret-value').waitFor()
    await held.stop()
    await expect.poll(() => button.isEnabled(), { timeout: 10_000 }).toBe(true)
  })

  it("shows a failed removal's error in its dialog, and not when the dialog opens again", async () => {
    await invite(await testApp(), tenant.cookie, 'member', 'remove-fails@example.com')
    await page.goto(`${base}/portal/users`)
    const remove = page.getByRole('row', { name: /remove-fails@example\.com/ }).getByRole('button', { name: /^Remove/ })
    const held = await holdOperation(page, 'RemoveUser', (route) =>
      route.fulfill({ status: 502, contentType: 'text/html', body: '<h1>Bad gateway</h1>' }),
    )
    await remove.click()
    const dialog = page.getByRole('dialog', { name: 'Remove A member?' })
    await dialog.getByRole('button', { name: 'Remove and revoke their keys' }).click()
    held.release()
    await expect.poll(() => dialog.getByRole('alert').textContent(), { timeout: 10_000 }).toMatch(/^The server answered 502\b/)
    await held.stop()
    await dialog.getByRole('button', { name: 'Cancel' }).click()
    await dialog.waitFor({ state: 'hidden' })

    await remove.click()
    await dialog.waitFor()
    expect(await dialog.getByRole('alert').count()).toBe(0)
    await dialog.getByRole('button', { name: 'Cancel' }).click()
  })

  it('sends the visitor to sign in when the session has ended before a save', async () => {
    await page.goto(`${base}/portal/settings`)
    await page.getByTestId('credit-balance').waitFor()
    await context.clearCookies()
    await page.getByRole('button', { name: 'Save settings' }).click()
    await page.waitForURL(/\/portal\/?\?next=%2Fsettings$/)
    await page.getByLabel('Access code').waitFor()
  })

  it('shows a refused grant beside its Grant button, which works again for a valid amount', async () => {
    await page.goto(`${base}/portal/admin`)
    await page.getByLabel('Admin token').fill(ADMIN_TOKEN)
    await page.getByRole('button', { name: 'Sign in as operator' }).click()
    const row = page.locator('tr', { hasText: tenant.accountId })
    const amount = row.getByLabel(/^Credits to grant to/)
    await amount.fill('2000000')
    await row.getByRole('button', { name: 'Grant' }).click()
    await row.getByRole('alert').getByText('amount must be between 1 and 1000000').waitFor()
    expect(await row.getByRole('button', { name: 'Grant' }).isEnabled()).toBe(true)
    expect(await amount.inputValue()).toBe('2000000')

    await amount.fill('5')
    await row.getByRole('button', { name: 'Grant' }).click()
    await row.getByText('Granted 5.').waitFor()
    expect(await row.getByRole('alert').count()).toBe(0)
  })
})
