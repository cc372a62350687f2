import type { Server } from 'node:http'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testApp } from '../support/app.js'
import { closeServer, hasChromium, launchChromium, portalServer, screenshots, signInWithCode } from '../support/browser.js'
import { createProject, hubCall } from '../support/hub.js'
import { ACCOUNT_PAGES } from '../support/portal-pages.js'
import { createTenant, type Tenant } from '../support/tenants.js'

describe.skipIf(!hasChromium)('automations in the portal', () => {
  let base: string
  let server: Server
  let browser: Browser
  let tenant: Tenant

  beforeAll(async () => {
    ;({ base, server } = await portalServer('automations'))
    const client = await testApp()
    tenant = await createTenant(client, `Automations ${Date.now().toString(36)}`)
    const { project } = await createProject(client, tenant, { name: 'Metal roof' })
    const event = await hubCall(client, tenant, 'POST', '/events', { project_id: project.id, event_type: 'contract_generated' })
    expect(event.status, JSON.stringify(event.body)).toBe(201)
    browser = await launchChromium()
  }, 120_000)

  afterAll(async () => {
    await browser?.close()
    if (server) await closeServer(server)
  })

  /** A signed-in page that records every console error and uncaught exception. */
  const signedIn = () => signInWithCode(browser, base, tenant.accessCode)

  it('edits a template: the preview follows the text, an unknown placeholder is flagged, the change is saved', async () => {
    const { page } = await signedIn()
    await page.getByRole('navigation', { name: 'Portal' }).getByRole('link', { name: 'Templates' }).click()
    await page.getByTestId('event-type').selectOption('contract_ready')
    await page.getByRole('button', { name: 'Edit Your contract is ready (SMS)' }).click()
    const preview = page.getByTestId('template-preview')
    await expect.poll(() => preview.textContent(), { timeout: 20_000 }).toContain('Hi Jane, your contract for Metal roof is ready')

    const body = page.getByTestId('template-body')
    await body.fill('Good news {{customer.first_name}}: {{customer.nickname}} ')
    await page.getByTestId('placeholder-picker').selectOption('project.name')
    await page.getByRole('button', { name: 'Insert placeholder' }).click()
    await expect.poll(() => body.inputValue()).toBe('Good news {{customer.first_name}}: {{customer.nickname}} {{project.name}}')
    await expect.poll(() => preview.textContent(), { timeout: 20_000 }).toBe('Good news Jane:  Metal roof')
    await expect.poll(() => page.getByTestId('unknown-placeholders').textContent(), { timeout: 20_000 }).toContain('customer.nickname')
    await screenshots(page, 'templates-editor')

    await page.getByRole('button', { name: 'Save', exact: true }).click()
    const row = page.getByTestId('template-row').filter({ hasText: 'Your contract is ready (SMS)' })
    await row.getByText('unknown placeholders').waitFor()

    await row.getByRole('button', { name: /^Disable/ }).click()
    await row.getByText('disabled', { exact: true }).waitFor()
    await row.getByRole('button', { name: /^Reset/ }).click()
    await page.getByRole('dialog').getByRole('button', { name: 'Reset', exact: true }).click()
    await row.getByText('enabled', { exact: true }).waitFor()
    await expect.poll(() => row.getByText('unknown placeholders').count()).toBe(0)
    await page.context().close()
  }, 120_000)

  it('pauses and resumes a campaign', async () => {
    const { page } = await signedIn()
    await page.getByRole('navigation', { name: 'Portal' }).getByRole('link', { name: 'Campaigns' }).click()
    const row = page.getByTestId('campaign-row').first()
    await expect.poll(() => row.getByTestId('campaign-status').textContent(), { timeout: 20_000 }).toBe('active')
    await row.getByRole('button', { name: /^Pause/ }).click()
    await expect.poll(() => row.getByTestId('campaign-status').textContent(), { timeout: 20_000 }).toBe('paused')
    await screenshots(page, 'campaigns')
    await row.getByRole('button', { name: /^Resume/ }).click()
    await expect.poll(() => row.getByTestId('campaign-status').textContent(), { timeout: 20_000 }).toBe('active')
    await page.context().close()
  }, 120_000)

  it('logs no console error on the sign-in page or any account page', async () => {
    const fresh = await (await browser.newContext()).newPage()
    const signInErrors: string[] = []
    fresh.on('console', (message) => message.type() === 'error' && signInErrors.push(message.text()))
    // The sign-in page asks whether a session exists: its answer is what once logged a 401.
    const asked = fresh.waitForResponse((response) => response.url().endsWith('/graphql'))
    await fresh.goto(`${base}/portal/`)
    expect((await asked).status()).toBe(200)
    await fresh.getByLabel('Access code').waitFor()
    expect(signInErrors).toEqual([])
    await fresh.context().close()

    const { page, errors } = await signedIn()
    for (const name of ACCOUNT_PAGES) {
      await page.goto(`${base}/portal/${name}`)
      await page.getByRole('heading', { level: 1 }).waitFor()
      await expect.poll(() => page.locator('.loading').count(), { timeout: 20_000 }).toBe(0)
      // This account never sent an SMS through Twilio: the chart says so instead of drawing empty axes.
      if (name === 'overview') await page.getByText('No SMS credits were spent in the last 30 days.').waitFor()
    }
    expect(errors).toEqual([])
    await page.context().close()
  }, 180_000)
})
