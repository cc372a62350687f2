import type { Server } from 'node:http'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { db } from '../../src/db/client.js'
import { testApp } from '../support/app.js'
import { closeServer, hasChromium, launchChromium, portalServer, screenshots, signInWithCode } from '../support/browser.js'
import { createProject, hubCall } from '../support/hub.js'
import { createTenant, type Tenant } from '../support/tenants.js'

describe.skipIf(!hasChromium)('records in the portal', () => {
  let base: string
  let server: Server
  let browser: Browser
  let tenant: Tenant
  let projectId: string

  beforeAll(async () => {
    ;({ base, server } = await portalServer('records'))
    const client = await testApp()
    tenant = await createTenant(client, `Records ${Date.now().toString(36)}`)
    // 25 older customers, a minute apart, so the table has two pages and a known order.
    await db.customer.createMany({
      data: Array.from({ length: 25 }, (_, i) => ({
        accountId: tenant.accountId,
        name: `Customer ${String(i + 1).padStart(2, '0')}`,
        email: `customer${i + 1}@example.com`,
        createdAt: new Date(Date.UTC(2026, 0, 1, 9, i)),
      })),
    })
    const { project } = await createProject(client, tenant, { name: 'Metal roof', value: 9800 })
    projectId = project.id
    const event = await hubCall(client, tenant, 'POST', '/events', { project_id: project.id, event_type: 'contract_generated' })
    expect(event.status, JSON.stringify(event.body)).toBe(201)
    browser = await launchChromium()
  }, 120_000)

  afterAll(async () => {
    await browser?.close()
    if (server) await closeServer(server)
  })

  const signedIn = () => signInWithCode(browser, base, tenant.accessCode)

  const rowNames = (page: Page) => page.getByTestId('record-row').locator('th').allTextContents()

  it('searches, sorts and pages the customers table', async () => {
    const { page, errors } = await signedIn()
    await page.getByRole('navigation', { name: 'Portal' }).getByRole('link', { name: 'Customers' }).click()
    const pageNumber = page.getByTestId('page-number')
    await expect.poll(() => pageNumber.textContent()).toBe('Page 1 of 2 (26 in all)')
    // Newest first: the project's customer, then the seeded ones from the last.
    expect((await rowNames(page)).slice(0, 3)).toEqual(['Jane Roofer', 'Customer 25', 'Customer 24'])
    await screenshots(page, 'records-customers')

    await page.getByRole('button', { name: 'Next page' }).click()
    await expect.poll(() => pageNumber.textContent()).toBe('Page 2 of 2 (26 in all)')
    await expect
      .poll(() => rowNames(page))
      .toEqual(['Customer 06', 'Customer 05', 'Customer 04', 'Customer 03', 'Customer 02', 'Customer 01'])
    expect(await page.getByRole('button', { name: 'Next page' }).isDisabled()).toBe(true)
    await page.getByRole('button', { name: 'Previous page' }).click()
    await expect.poll(() => pageNumber.textContent()).toBe('Page 1 of 2 (26 in all)')

    await page.getByRole('button', { name: /^Created/ }).click()
    await expect.poll(async () => (await rowNames(page)).slice(0, 2)).toEqual(['Customer 01', 'Customer 02'])
    expect(await page.getByRole('columnheader', { name: /^Created/ }).getAttribute('aria-sort')).toBe('ascending')

    await page.getByLabel('Search customers').fill('customer7@')
    await expect.poll(() => rowNames(page)).toEqual(['Customer 07'])
    await expect.poll(() => pageNumber.textContent()).toBe('Page 1 of 1 (1 in all)')
    await page.getByLabel('Search customers').fill('nobody-like-this')
    await page.getByText('No customer matches the search.').waitFor()
    expect(errors).toEqual([])
    await page.context().close()
  }, 120_000)

  it('opens a project with its timeline, edits a field, and flags a refused one at its field', async () => {
    const { page, errors } = await signedIn()
    await page.getByRole('navigation', { name: 'Portal' }).getByRole('link', { name: 'Projects' }).click()
    await page.getByRole('link', { name: 'Metal roof' }).click()
    await page.waitForURL(/\/portal\/projects\/view\?id=/)
    const timeline = page.getByTestId('timeline')
    await timeline.getByText('contract_generated').waitFor()
    expect(await timeline.getByText('sms to +15555550100').count()).toBeGreaterThan(0)
    await screenshots(page, 'records-project')

    await page.getByLabel('Name', { exact: true }).fill('Metal roof, north side')
    await page.getByRole('button', { name: 'Save', exact: true }).click()
    await page.getByText('Saved.').waitFor()
    await expect.poll(() => page.getByTestId('record-name').textContent()).toBe('Metal roof, north side')
    // The router's background prefetches settle first: a reload or a click cuts requests in flight.
    await page.waitForLoadState('networkidle')
    await page.reload()
    await expect.poll(() => page.getByTestId('record-name').textContent()).toBe('Metal roof, north side')

    // A value typed as an accountant writes it is kept as typed and refused at its field; the stored value stays.
    const projectId = new URL(page.url()).searchParams.get('id')!
    await page.getByLabel('Value', { exact: true }).fill('12,500')
    await page.getByRole('button', { name: 'Save', exact: true }).click()
    await expect.poll(() => page.getByLabel('Value', { exact: true }).getAttribute('aria-invalid')).toBe('true')
    expect(await page.locator('.field-error').textContent()).toBe('Value must be a number, such as 12500 or 12500.50')
    expect(await page.getByLabel('Value', { exact: true }).inputValue()).toBe('12,500')
    expect(Number((await db.project.findUniqueOrThrow({ where: { id: projectId } })).value)).toBe(9800)
    await page.getByLabel('Value', { exact: true }).fill('12500.50')
    await page.getByRole('button', { name: 'Save', exact: true }).click()
    await page.getByText('Saved.').waitFor()
    await expect.poll(async () => Number((await db.project.findUniqueOrThrow({ where: { id: projectId } })).value)).toBe(12500.5)

    // The customer's page: a bad email is refused by the server and shown at the field.
    await page.waitForLoadState('networkidle')
    await page.getByRole('link', { name: 'Jane Roofer' }).click()
    await page.waitForURL(/\/portal\/customers\/view\?id=/)
    await page.getByTestId('timeline').getByText('contract_generated').waitFor()
    await page.getByLabel('Email').fill('not-an-email')
    await page.getByRole('button', { name: 'Save', exact: true }).click()
    await expect.poll(() => page.getByLabel('Email').getAttribute('aria-invalid')).toBe('true')
    expect(await page.locator('.field-error').textContent()).toContain('email')
    // The refusal is a 400, which the browser logs (its console line and the response); nothing else may be.
    expect(errors.filter((error) => !/status of 400|: 400 \S+\/graphql$/.test(error))).toEqual([])
    expect(errors).toEqual(expect.arrayContaining([expect.stringContaining('status of 400'), expect.stringMatching(/: 400 \S+\/graphql$/)]))
    await page.context().close()
  }, 120_000)

  it('deletes a customer after confirming, and restores it', async () => {
    const { page } = await signedIn()
    await page.goto(`${base}/portal/customers`)
    await page.getByRole('link', { name: 'Customer 25' }).click()
    await page.getByRole('button', { name: 'Delete customer' }).click()
    const dialog = page.getByRole('dialog')
    await dialog.getByText('moves to the deleted view of its list').waitFor()
    await dialog.getByRole('button', { name: 'Delete customer' }).click()
    await page.getByText('This customer is deleted.').waitFor()
    await screenshots(page, 'records-deleted')
    const id = new URL(page.url()).searchParams.get('id')!
    expect((await db.customer.findUnique({ where: { id } }))?.deletedAt).not.toBeNull()

    await page.getByRole('button', { name: 'Restore customer' }).click()
    await page.getByRole('button', { name: 'Delete customer' }).waitFor()
    expect(await page.getByText('This customer is deleted.').count()).toBe(0)
    expect((await db.customer.findUnique({ where: { id } }))?.deletedAt).toBeNull()
    await page.context().close()
  }, 120_000)

  it('lists the customers deleted in the last 30 days and restores one from the list', async () => {
    const gone = await db.customer.findFirstOrThrow({ where: { accountId: tenant.accountId, name: 'Customer 24' } })
    expect((await hubCall(await testApp(), tenant, 'DELETE', `/customers/${gone.id}`)).status).toBe(200)
    const { page, errors } = await signedIn()
    await page.goto(`${base}/portal/customers`)
    const pageNumber = page.getByTestId('page-number')
    await expect.poll(() => pageNumber.textContent()).toBe('Page 1 of 2 (25 in all)')
    expect(await rowNames(page)).not.toContain('Customer 24')

    await page.getByLabel('Deleted customers (last 30 days)').check()
    await expect.poll(() => rowNames(page)).toEqual(['Customer 24'])
    await expect.poll(() => pageNumber.textContent()).toBe('Page 1 of 1 (1 in all)')
    // A deleted record has no page: its name is not a link.
    expect(await page.getByTestId('record-row').getByRole('link').count()).toBe(0)
    await screenshots(page, 'records-deleted-list')

    await page.getByRole('button', { name: 'Restore Customer 24' }).click()
    await page.getByText('No customer was deleted in the last 30 days.').waitFor()
    expect((await db.customer.findUnique({ where: { id: gone.id } }))?.deletedAt).toBeNull()
    await page.getByLabel('Deleted customers (last 30 days)').uncheck()
    await expect.poll(() => pageNumber.textContent()).toBe('Page 1 of 2 (26 in all)')
    expect(errors).toEqual([])
    await page.context().close()
  }, 120_000)

  it("previews what a status change queues, confirms it, and finds the messages on the project's timeline", async () => {
    const { page, errors } = await signedIn()
    await page.goto(`${base}/portal/projects/view?id=${projectId}`)
    await page.getByLabel('New status').fill('contract_signed')
    await page.getByRole('button', { name: 'Preview change' }).click()
    const dialog = page.getByRole('dialog')
    const messages = dialog.getByTestId('simulated-message')
    await expect.poll(() => messages.count()).toBe(2)
    expect(await dialog.textContent()).toContain('sms to +15555550100')
    expect(await dialog.textContent()).toContain('email to jane@example.com')
    expect(await dialog.textContent()).toContain('thanks for signing')
    expect(await dialog.getByTestId('simulation-cancels').textContent()).toContain('It cancels 3 scheduled messages')
    await screenshots(page, 'records-status-preview')
    // Nothing is recorded by the preview.
    expect(await db.projectEvent.count({ where: { projectId, eventType: 'contract_signed' } })).toBe(0)

    await dialog.getByRole('button', { name: 'Change status' }).click()
    await page.getByText(/Status changed\. \d+ messages? queued/).waitFor()
    await expect.poll(() => page.getByTestId('project-status').textContent()).toBe('contract_signed')
    const timeline = page.getByTestId('timeline')
    await timeline.getByText('contract_signed', { exact: true }).waitFor()
    await timeline.getByText(/thanks for signing/).waitFor()
    await timeline.getByText('email to jane@example.com').waitFor()
    // The reminders contract_generated scheduled are cancelled, as the preview said.
    await expect.poll(() => timeline.getByText('cancelled', { exact: true }).count()).toBe(3)
    await screenshots(page, 'records-status-changed')
    expect(errors).toEqual([])
    await page.context().close()
  }, 120_000)

  it('lists and edits a lead', async () => {
    const lead = await db.lead.create({ data: { accountId: tenant.accountId, name: 'Lee Lead', phone: '+15555550177' } })
    await db.quote.create({ data: { accountId: tenant.accountId, leadId: lead.id, quoteNumber: `Q-${lead.id.slice(-6)}` } })
    const { page, errors } = await signedIn()
    await page.getByRole('navigation', { name: 'Portal' }).getByRole('link', { name: 'Leads' }).click()
    await page.getByRole('link', { name: 'Lee Lead' }).click()
    await page
      .getByTestId('timeline')
      .getByText(/^Quote Q-/)
      .waitFor()
    await page.getByLabel('Stage', { exact: true }).selectOption('follow_up')
    await page.getByRole('button', { name: 'Save', exact: true }).click()
    await page.getByText('Saved.').waitFor()
    expect((await db.lead.findUniqueOrThrow({ where: { id: lead.id } })).pipelineStage).toBe('follow_up')
    await screenshots(page, 'records-lead')
    expect(errors).toEqual([])
    await page.context().close()
  }, 120_000)
})
