/**
 * The import and export page in Chromium: a CSV with two bad rows is uploaded, the dry run lists
 * both by line, the rest is imported, and closing it leads to a new upload; a filtered list is
 * exported and the downloaded file read back. Screenshots at phone and desktop widths go to
 * test-results/screenshots/.
 */
import { readFile } from 'node:fs/promises'
import type { Server } from 'node:http'
import { parse } from 'csv-parse/sync'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { db } from '../../src/db/client.js'
import { startCsvImports } from '../../src/schema/csv/runner.js'
import { testApp } from '../support/app.js'
import { closeServer, hasChromium, launchChromium, portalServer, screenshots, WIDTHS } from '../support/browser.js'
import { checkImport, drainImports, uploadCsv } from '../support/csv-imports.js'
import { createTenant, type Tenant } from '../support/tenants.js'

describe.skipIf(!hasChromium)('import and export page in Chromium', () => {
  let base: string
  let server: Server
  let browser: Browser
  let page: Page
  let tenant: Tenant
  let stopImports: (() => Promise<void>) | undefined
  const consoleErrors: string[] = []

  beforeAll(async () => {
    ;({ base, server } = await portalServer('imports'))
    tenant = await createTenant(await testApp(), `Imports ${Date.now().toString(36)}`)
    stopImports = startCsvImports({ leaseMs: 60_000, pollMs: 200, accountIds: [tenant.accountId] })
    browser = await launchChromium()
    const context = await browser.newContext({ viewport: { width: WIDTHS.desktop, height: 900 }, acceptDownloads: true })
    const [name, value] = tenant.cookie.split('=')
    await context.addCookies([{ name, value, url: base }])
    page = await context.newPage()
    page.setDefaultTimeout(20_000)
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text())
    })
  }, 120_000)

  afterAll(async () => {
    await browser?.close()
    await stopImports?.()
    if (server) await closeServer(server)
  })

  it('reports the two bad rows by line in the dry run, then imports the rest', async () => {
    await page.goto(`${base}/portal/imports`)
    await page.getByRole('heading', { name: 'Import customers or leads' }).waitFor()
    const file = [
      'external_id,name,phone,email',
      'W-1,Ada Lovelace,+15553000001,ada@example.com',
      'W-2,Bad Phone,555-CALL-NOW,bad@example.com',
      'W-3,Cy Young,+15553000003,',
      'W-4,Bad Email,+15553000004,not-an-email',
      'W-5,Eve Adams,+15553000005,eve@example.com',
    ].join('\n')
    await page.getByLabel('CSV file').setInputFiles({ name: 'web-leads.csv', mimeType: 'text/csv', buffer: Buffer.from(file) })
    await page.getByRole('button', { name: 'Upload' }).click()
    await page.getByRole('button', { name: 'Check rows (dry run)' }).click()
    const problems = page.getByRole('table', { name: 'Rows with problems' })
    await problems.waitFor()
    expect(await problems.locator('tbody tr').allTextContents()).toEqual([
      '3phone must be an E.164 phone number such as +15555550100',
      expect.stringMatching(/^5email /),
    ])
    await page.getByText('Dry run: 3 to create, 0 to update, 2 with problems (skipped).').waitFor()
    expect(await db.lead.count({ where: { accountId: tenant.accountId } })).toBe(0)
    await screenshots(page, 'imports-dry-run')

    await page.getByRole('button', { name: 'Import 3 rows' }).click()
    await page.getByText('Imported: 3 created, 0 updated, 2 skipped.').waitFor()
    const leads = await db.lead.findMany({ where: { accountId: tenant.accountId }, orderBy: { externalId: 'asc' } })
    expect(leads.map((l) => l.externalId)).toEqual(['W-1', 'W-3', 'W-5'])
    await screenshots(page, 'imports-done')

    // Closing the finished import leads to a new upload, not back to the import just closed.
    await page.getByRole('button', { name: 'Import another file' }).click()
    const listed = page.locator('.recent-imports li', { hasText: 'web-leads.csv' })
    await expect.poll(() => listed.textContent(), { timeout: 20_000 }).toContain('leads, done')
    await page.getByRole('button', { name: 'Upload' }).waitFor()
    expect(await page.getByTestId('csv-import').count()).toBe(0)
  }, 120_000)

  it('exports a filtered list as a CSV file that reads back', async () => {
    await page.getByLabel('Search').fill('adams')
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()])
    expect(download.suggestedFilename()).toMatch(/^leads-.*\.csv$/)
    const rows = parse(await readFile(await download.path()), { columns: true }) as Record<string, string>[]
    expect(rows.map((r) => [r.external_id, r.name, r.phone])).toEqual([['W-5', 'Eve Adams', "'+15553000005"]])
    await page.getByText('1 leads exported.').waitFor()
    expect(consoleErrors.filter((e) => !/favicon|401/.test(e))).toEqual([])
  }, 60_000)

  it('shows the first 500 problems of a file with more, and says so', async () => {
    const client = await testApp()
    const many = await createTenant(client, `Imports many ${Date.now().toString(36)}`)
    const file = ['External ID,Name,Phone', ...Array.from({ length: 600 }, (_, i) => `B-${i},Bad ${i},not-a-phone`)].join('\n')
    const uploaded = await uploadCsv(client, many, 'leads', file)
    await checkImport(client, many, uploaded.id, [
      { field: 'external_id', column: 'External ID' },
      { field: 'name', column: 'Name' },
      { field: 'phone', column: 'Phone' },
    ])
    await drainImports(many)
    const context = await browser.newContext({ viewport: { width: WIDTHS.desktop, height: 900 } })
    const [name, value] = many.cookie.split('=')
    await context.addCookies([{ name, value, url: base }])
    const other = await context.newPage()
    other.setDefaultTimeout(20_000)
    await other.goto(`${base}/portal/imports`)
    await other.getByText('The first 500 of 600 rows with problems').waitFor()
    expect(await other.getByRole('table', { name: 'Rows with problems' }).locator('tbody tr').count()).toBe(500)
    await context.close()
  }, 120_000)
})
