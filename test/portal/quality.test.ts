/**
 * What a person notices in the portal, in a real browser: nothing logged in the console (signed
 * out or in), every page fits a 390 px phone without sideways scrolling, the keyboard reaches the
 * skip link and the main actions with a visible focus ring, lists say when they are empty, and
 * times are in the account's time zone whatever the browser's. Screenshots of every page at phone
 * and desktop widths go to test-results/screenshots/quality-*.png.
 */
import { mkdirSync } from 'node:fs'
import type { Server } from 'node:http'
import path from 'node:path'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { formatDateTime } from '../../portal/src/lib/format.js'
import { ADMIN_TOKEN, type TestClient, testApp } from '../support/app.js'
import { closeServer, hasChromium, launchChromium, portalServer, watchErrors } from '../support/browser.js'
import { createProject, hubCall } from '../support/hub.js'
import { ACCOUNT_PAGES } from '../support/portal-pages.js'
import { createTenant, type Tenant } from '../support/tenants.js'
import { invite } from '../support/users.js'

const shots = path.resolve(import.meta.dirname, '../../test-results/screenshots')
const ZONE = 'Asia/Tokyo'
/** A path with no spaces, as long as a real callback URL with a token in it. */
const LONG_URL = `https://93.184.215.14/hooks/${'receiver-with-a-long-path-segment-'.repeat(5)}end`

/** Collects console errors, uncaught exceptions and refused requests of every page of a context. */
function watchConsole(context: BrowserContext): string[] {
  const errors: string[] = []
  context.on('page', (page) => watchErrors(page, errors))
  return errors
}

/** Waits until the page's heading is up and no list or panel is still loading. */
async function settled(page: Page) {
  await page.getByRole('heading', { level: 1 }).waitFor()
  await expect.poll(() => page.locator('.loading').count(), { timeout: 20_000 }).toBe(0)
}

/** An account made by the operator with nothing in it yet (no keys, no users, no endpoints). */
async function emptyAccount(client: TestClient): Promise<string> {
  const created = await client.gql(
    'mutation($name: String!) { createAccount(input: { name: $name }) { accessCode } }',
    { name: `Empty ${Date.now().toString(36)}` },
    { key: ADMIN_TOKEN },
  )
  expect(created.errors, JSON.stringify(created.errors)).toBeUndefined()
  return created.data.createAccount.accessCode
}

describe.skipIf(!hasChromium)('quality a person notices in the portal', () => {
  let base: string
  let server: Server
  let browser: Browser
  let tenant: Tenant
  let client: TestClient

  beforeAll(async () => {
    ;({ base, server } = await portalServer('quality'))
    client = await testApp()
    tenant = await createTenant(client, `Quality ${Date.now().toString(36)} with a business name long enough to need cutting short`)
    const settings = await client.gql(
      'mutation($input: AccountSettingsInput!) { updateAccountSettings(input: $input) { timeZone } }',
      { input: { timeZone: ZONE } },
      { cookie: tenant.cookie },
    )
    expect(settings.errors, JSON.stringify(settings.errors)).toBeUndefined()
    // Something in every list: a project and an event (templates, campaigns), an endpoint with a
    // long URL, an invited user, and the audit entries all of that leaves.
    const { project } = await createProject(client, tenant, { name: 'Metal roof' })
    const event = await hubCall(client, tenant, 'POST', '/events', { project_id: project.id, event_type: 'contract_generated' })
    expect(event.status, JSON.stringify(event.body)).toBe(201)
    const endpoint = await client.gql(
      'mutation($url: String!) { createWebhookEndpoint(input: { url: $url, events: ["lead.created"] }) { endpoint { id } } }',
      { url: LONG_URL },
      { cookie: tenant.cookie },
    )
    expect(endpoint.errors, JSON.stringify(endpoint.errors)).toBeUndefined()
    await invite(client, tenant.cookie, 'member', `someone-with-a-rather-long-address-${Date.now()}@example.com`)
    browser = await launchChromium()
    mkdirSync(shots, { recursive: true })
  }, 120_000)

  afterAll(async () => {
    await browser?.close()
    if (server) await closeServer(server)
  })

  /** A context whose browser clock is far from the account's zone, signed in with `accessCode`. */
  async function signedIn(accessCode: string, width = 1280): Promise<{ page: Page; errors: string[] }> {
    const context = await browser.newContext({ viewport: { width, height: 900 }, timezoneId: 'Pacific/Auckland' })
    const errors = watchConsole(context)
    const page = await context.newPage()
    page.setDefaultTimeout(20_000)
    await page.goto(`${base}/portal/`)
    await page.getByLabel('Access code').fill(accessCode)
    await page.getByRole('button', { name: 'Sign in', exact: true }).click()
    await page.waitForURL(/\/portal\/overview/)
    return { page, errors }
  }

  it('logs nothing without a session: the server root and every account page land on sign-in, the others show their form', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 800 } })
    const errors = watchConsole(context)
    const page = await context.newPage()
    page.setDefaultTimeout(20_000)

    /** The standalone pages fit the phone too. */
    const fits = async (name: string) => {
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
      expect(overflow, `${name} scrolls sideways by ${overflow}px at 390px`).toBeLessThanOrEqual(0)
    }

    await page.goto(`${base}/`)
    await page.waitForURL(`${base}/portal/`)
    await page.getByLabel('Access code').waitFor()
    await fits('sign-in')

    for (const name of ACCOUNT_PAGES) {
      await page.goto(`${base}/portal/${name}`)
      await page.waitForURL((url) => /^\/portal\/?$/.test(url.pathname) && url.searchParams.get('next') === `/${name}`)
      await page.getByLabel('Access code').waitFor()
    }
    await page.goto(`${base}/portal/admin`)
    await page.getByLabel('Admin token').waitFor()
    await fits('admin')
    for (const name of ['accept', 'reset']) {
      await page.goto(`${base}/portal/${name}#token=not-a-real-token`)
      await page.getByLabel('Password', { exact: true }).waitFor()
      await fits(name)
    }
    expect(errors).toEqual([])
    await context.close()
  }, 180_000)

  it('fits every page into a 390 px phone, keeps the navigation on one row and logs nothing, signed in', async () => {
    const { page, errors } = await signedIn(tenant.accessCode, 390)
    for (const name of [...ACCOUNT_PAGES, 'not-a-page']) {
      await page.goto(`${base}/portal/${name}`)
      await settled(page)
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
      expect(overflow, `${name} scrolls sideways by ${overflow}px at 390px`).toBeLessThanOrEqual(0)
      if (name !== 'not-a-page') {
        const rows = await page.locator('.nav-link').evaluateAll((links) => new Set(links.map((l) => l.getBoundingClientRect().top)).size)
        expect(rows, `${name}: the navigation is on one row`).toBe(1)
      }
      await page.screenshot({ path: path.join(shots, `quality-${name}-phone.png`), fullPage: true })
      await page.setViewportSize({ width: 1280, height: 900 })
      const wide = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
      expect(wide, `${name} scrolls sideways at 1280px`).toBeLessThanOrEqual(0)
      await page.screenshot({ path: path.join(shots, `quality-${name}-desktop.png`), fullPage: true })
      await page.setViewportSize({ width: 390, height: 800 })
    }
    // The unknown address itself is answered 404, as it should be; nothing else may fail.
    expect(errors.filter((e) => !e.includes('/portal/not-a-page'))).toEqual([])
    await page.context().close()
  }, 240_000)

  it('labels every form field and shows no raw timestamps on any page', async () => {
    const { page } = await signedIn(tenant.accessCode)
    for (const name of ACCOUNT_PAGES) {
      await page.goto(`${base}/portal/${name}`)
      await settled(page)
      const unlabelled = await page
        .locator('main input:not([type=hidden]), main select, main textarea')
        .evaluateAll((fields) =>
          fields
            .filter((f) => !((f as HTMLInputElement).labels?.length || f.getAttribute('aria-label') || f.getAttribute('aria-labelledby')))
            .map((f) => f.outerHTML.slice(0, 120)),
        )
      expect(unlabelled, `${name}: fields without a label`).toEqual([])
      expect(await page.locator('main').textContent(), `${name}: a raw ISO timestamp`).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/)
    }
    await page.context().close()
  }, 180_000)

  it("shows times in the account's time zone, not the browser's", async () => {
    const { page } = await signedIn(tenant.accessCode)
    const keys = await client.gql('{ apiKeys { name createdAt } }', {}, { cookie: tenant.cookie })
    const created = keys.data.apiKeys.find((k: { name: string }) => k.name === 'test key').createdAt as string
    await page.goto(`${base}/portal/keys`)
    await settled(page)
    await expect.poll(() => page.getByText(`Times in ${ZONE}`).count()).toBe(1)
    const row = page.getByTestId('key-table').getByRole('row').filter({ hasText: 'test key' })
    expect(await row.locator('td[data-label="Created"]').textContent()).toBe(formatDateTime(created, ZONE))
    expect(formatDateTime(created, ZONE)).not.toBe(formatDateTime(created, 'Pacific/Auckland'))
    await page.context().close()
  }, 120_000)

  it('reaches the skip link, the navigation and the main actions by keyboard, each with a visible focus ring', async () => {
    const { page } = await signedIn(tenant.accessCode)
    await page.goto(`${base}/portal/keys`)
    await settled(page)
    /** What has the focus: its accessible text, whether it is a real control, and its outline. */
    const focused = () =>
      page.evaluate(() => {
        const el = document.activeElement as HTMLElement
        const style = getComputedStyle(el)
        return {
          name: (el.getAttribute('aria-label') ?? el.textContent ?? '').trim(),
          id: el.id,
          control: el.matches('a[href], button, input, select, textarea, summary, [tabindex]'),
          ring: style.outlineStyle !== 'none' && Number.parseFloat(style.outlineWidth) >= 2,
          inMain: Boolean(el.closest('main')),
          inDialog: Boolean(el.closest('dialog[open]')),
        }
      })

    await page.keyboard.press('Tab')
    expect(await focused()).toMatchObject({ name: 'Skip to content', ring: true })
    const skip = await page.getByRole('link', { name: 'Skip to content' }).boundingBox()
    expect(skip && skip.x >= 0 && skip.y >= 0).toBe(true)
    const reached: string[] = []
    // The header and the whole navigation, up to its last page.
    for (let i = 0; i < 40 && !reached.includes('Audit log'); i++) {
      await page.keyboard.press('Tab')
      const now = await focused()
      expect(now, `${now.name} has a focus ring`).toMatchObject({ control: true, ring: true })
      reached.push(now.name)
    }
    expect(reached).toEqual(expect.arrayContaining(['Sign out', 'Overview', 'Inbox', 'Customers', 'API keys', 'Webhooks', 'Audit log']))

    // The skip link jumps past the header: the next Tab is in the page's own content.
    await page.goto(`${base}/portal/keys`)
    await settled(page)
    await page.keyboard.press('Tab')
    await page.keyboard.press('Enter')
    expect((await focused()).id).toBe('main')
    const actions: string[] = []
    for (let i = 0; i < 80 && !actions.includes('Revoke test key'); i++) {
      await page.keyboard.press('Tab')
      const now = await focused()
      expect(now, `${now.name} has a focus ring`).toMatchObject({ control: true, ring: true, inMain: true })
      actions.push(now.name)
    }
    expect(actions).toContain('Create key')
    expect(actions).toContain('Revoke test key')

    // The confirmation takes the focus, Escape closes it and gives the focus back.
    await page.keyboard.press('Enter')
    await expect.poll(async () => (await focused()).inDialog).toBe(true)
    expect(await focused()).toMatchObject({ name: 'Cancel', ring: true })
    await page.keyboard.press('Escape')
    await expect.poll(() => page.locator('dialog[open]').count()).toBe(0)
    expect((await focused()).name).toBe('Revoke test key')
    await page.context().close()
  }, 180_000)

  it('says what is missing on every list of a fresh account', async () => {
    const { page, errors } = await signedIn(await emptyAccount(client))
    const expected: Record<string, string> = {
      overview: 'Nothing is scheduled.',
      keys: 'No keys yet.',
      webhooks: 'No endpoints yet.',
      campaigns: 'No campaigns yet.',
      imports: 'No imports yet.',
      users: 'No users yet',
    }
    for (const [name, message] of Object.entries(expected)) {
      await page.goto(`${base}/portal/${name}`)
      await settled(page)
      await expect
        .poll(() => page.locator('.empty').allTextContents(), { timeout: 20_000 })
        .toContainEqual(expect.stringContaining(message))
    }
    expect(errors).toEqual([])
    await page.context().close()
  }, 180_000)

  it('logs nothing when an operator opens an account page, which says where to go instead', async () => {
    const context = await browser.newContext()
    const errors = watchConsole(context)
    const page = await context.newPage()
    await page.goto(`${base}/portal/admin`)
    await page.getByLabel('Admin token').fill(ADMIN_TOKEN)
    await page.getByRole('button', { name: 'Sign in as operator' }).click()
    await page.getByRole('heading', { name: 'Accounts', exact: true }).waitFor()
    await page.goto(`${base}/portal/keys`)
    await page.getByText('You are signed in as the operator').waitFor()
    expect(errors).toEqual([])
    await context.close()
  }, 120_000)
})
