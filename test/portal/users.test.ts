/**
 * Users in a real browser: the owner (access code) invites a member, the member accepts the link,
 * signs in with email and password and finds only the pages their role allows; the owner removes
 * them and their open page is sent back to sign-in. A viewer and a member see only the webhook,
 * integration and import forms their role may use; an owner with a password turns the access code
 * off and back on.
 */
import type { Server } from 'node:http'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { db } from '../../src/db/client.js'
import { testApp } from '../support/app.js'
import { closeServer, hasChromium, launchChromium, portalServer } from '../support/browser.js'
import { uploadCsv } from '../support/csv-imports.js'
import { createTenant, login, type Tenant } from '../support/tenants.js'
import { createUser } from '../support/users.js'

describe.skipIf(!hasChromium)('users in the portal', () => {
  let base: string
  let server: Server
  let browser: Browser
  let tenant: Tenant

  beforeAll(async () => {
    ;({ base, server } = await portalServer('users'))
    tenant = await createTenant(await testApp(), `Users ${Date.now().toString(36)}`)
    browser = await launchChromium()
  }, 120_000)

  afterAll(async () => {
    await browser?.close()
    if (server) await closeServer(server)
  })

  const newPage = async () => {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage()
    page.setDefaultTimeout(20_000)
    return page
  }
  /** A page signed in with a session cookie (`name=value`). */
  const pageWith = async (cookie: string) => {
    const page = await newPage()
    const [name, value] = cookie.split('=')
    await page.context().addCookies([{ name, value, url: base }])
    return page
  }
  const navLinks = async (page: Page) => (await page.getByRole('navigation', { name: 'Portal' }).getByRole('link').allTextContents()).sort()

  it('invite → accept → sign in → only the pages the role allows; removal ends the session', async () => {
    // Email addresses are unique across accounts: a run of its own, whatever ran on this database before.
    const email = `mia-${Date.now().toString(36)}@example.com`
    const owner = await newPage()
    await owner.goto(`${base}/portal/`)
    await owner.getByLabel('Access code').fill(tenant.accessCode)
    await owner.getByRole('button', { name: 'Sign in', exact: true }).click()
    await owner.getByRole('link', { name: 'Users' }).click()
    await owner.getByLabel('Email').fill(email)
    await owner.getByLabel('Name', { exact: true }).fill('Mia Member')
    await owner.getByLabel('Role', { exact: true }).selectOption('MEMBER')
    await owner.getByRole('button', { name: 'Invite' }).click()
    const link = await owner.locator('input[readonly]').first().inputValue()
    expect(link).toContain('/portal/accept/#token=')

    const member = await newPage()
    await member.goto(link.trim())
    await member.getByLabel('Password', { exact: true }).fill('password12')
    await member.getByRole('button', { name: 'Save and sign in' }).click()
    await member.getByText('most common passwords').waitFor()
    await member.getByLabel('Password', { exact: true }).fill('a long member passphrase')
    await member.getByRole('button', { name: 'Save and sign in' }).click()
    await member.waitForURL(/\/portal\/overview/)
    await member.getByRole('button', { name: 'Sign out' }).click()
    await member.waitForURL(/signedOut/)

    await member.getByLabel('Email', { exact: true }).fill(email)
    await member.getByLabel('Password', { exact: true }).fill('a long member passphrase')
    await member.getByRole('button', { name: 'Continue with email' }).click()
    await member.waitForURL(/\/portal\/overview/)
    await member.getByRole('link', { name: 'Sessions' }).waitFor()
    // The navigation fills in once the role has loaded; until then it shows only the pages everyone has.
    await expect
      .poll(() => navLinks(member))
      .toEqual([
        'Campaigns',
        'Customers',
        'Import & export',
        'Inbox',
        'Integrations',
        'Leads',
        'Overview',
        'Projects',
        'Sessions',
        'Templates',
        'Webhooks',
      ])
    await expect
      .poll(() => navLinks(owner))
      .toEqual([
        'API keys',
        'Audit log',
        'Campaigns',
        'Customers',
        'Import & export',
        'Inbox',
        'Integrations',
        'Leads',
        'Overview',
        'Projects',
        'Sessions',
        'Settings',
        'Templates',
        'Users',
        'Webhooks',
      ])

    // An owner sees everyone's sessions; each row's button names the session it ends.
    await owner.getByRole('link', { name: 'Sessions' }).click()
    await owner.getByLabel("Everyone's sessions").check()
    await owner.getByRole('button', { name: /^End the session of Mia Member signed in / }).waitFor()
    await owner.getByRole('button', { name: 'Sign out of this session', exact: true }).waitFor()
    await owner.getByRole('link', { name: 'Users' }).click()
    // The link navigates in the page: reloading before it lands would reload the sessions page.
    await owner.waitForURL(/\/portal\/users/)

    // The owner removes the member; the member's next request goes back to sign-in.
    await owner.reload()
    owner.on('dialog', (dialog) => void dialog.accept())
    // Each row's buttons name the person they act on.
    await owner.getByRole('button', { name: 'Password reset link for Mia Member', exact: true }).waitFor()
    await owner.getByRole('button', { name: 'Remove Mia Member', exact: true }).click()
    await owner.getByRole('button', { name: 'Remove and revoke their keys' }).click()
    await owner.getByRole('row', { name: /Mia Member/ }).waitFor({ state: 'detached' })
    await member.getByRole('link', { name: 'Sessions' }).click()
    await member.waitForURL(/\/portal\/?\?next=%2Fsessions/)
  }, 240_000)

  it('shows the webhook, integration and import forms only to roles that may use them', async () => {
    const client = await testApp()
    const endpoint = await db.webhookEndpoint.create({
      data: { accountId: tenant.accountId, url: 'https://hooks.example.com/roles', events: ['lead.created'], secretEncrypted: 'unused' },
    })
    await db.webhookDelivery.create({
      data: { accountId: tenant.accountId, endpointId: endpoint.id, event: 'lead.created', body: '{}', status: 'failed', attempts: 1 },
    })
    const viewer = await createUser(client, tenant, 'viewer')
    const member = await createUser(client, tenant, 'member')

    /** Which write controls each page shows to the holder of `cookie`. */
    const controls = async (cookie: string) => {
      const page = await pageWith(cookie)
      await page.goto(`${base}/portal/webhooks`)
      const card = page.getByTestId('endpoint').filter({ hasText: 'https://hooks.example.com/roles' })
      await card.getByTestId('delivery').waitFor()
      const shown: string[] = []
      if (await page.getByRole('button', { name: 'Add endpoint' }).count()) shown.push('add endpoint')
      for (const name of ['Send test event', 'Pause', 'Rotate secret', 'Delete', 'Change events', 'Replay lead.created delivery'])
        if (await card.getByRole('button', { name, exact: true }).count()) shown.push(name)

      await page.goto(`${base}/portal/integrations`)
      const sendblue = page.getByTestId('integration-sendblue')
      await sendblue.getByText('Not connected').waitFor()
      if (await sendblue.getByRole('button', { name: 'Connect Sendblue' }).count()) shown.push('Connect Sendblue')

      await page.goto(`${base}/portal/imports`)
      await page.getByText('No imports yet.').waitFor()
      if (await page.getByRole('button', { name: 'Upload' }).count()) shown.push('Upload')
      await page.context().close()
      return shown
    }

    expect(await controls(viewer.cookie)).toEqual([])
    expect(await controls(member.cookie)).toEqual(['Upload'])
    expect(await controls(tenant.cookie)).toEqual([
      'add endpoint',
      'Send test event',
      'Pause',
      'Rotate secret',
      'Delete',
      'Change events',
      'Replay lead.created delivery',
      'Connect Sendblue',
      'Upload',
    ])

    // An import under way: the viewer follows it but has none of its controls; the owner has them.
    await uploadCsv(client, tenant, 'leads', 'Name,Phone\nAda,+15555550123\n')
    const importControls = async (cookie: string) => {
      const page = await pageWith(cookie)
      await page.goto(`${base}/portal/imports`)
      const panel = page.getByTestId('csv-import')
      await panel.getByText('test.csv').waitFor()
      const shown: string[] = []
      for (const name of ['Check rows (dry run)', 'Cancel import', 'Close'])
        if (await panel.getByRole('button', { name, exact: true }).count()) shown.push(name)
      await page.context().close()
      return shown
    }
    expect(await importControls(viewer.cookie)).toEqual(['Close'])
    expect(await importControls(tenant.cookie)).toEqual(['Check rows (dry run)', 'Cancel import'])
  }, 240_000)

  it('lets an owner signed in with their password turn the access code off and back on', async () => {
    const client = await testApp()
    const account = await createTenant(client, `Access code ${Date.now().toString(36)}`)
    const owner = await createUser(client, account, 'owner')

    // Signed in with the access code itself, the owner has no such control: the server would refuse.
    const viaCode = await pageWith(account.cookie)
    await viaCode.goto(`${base}/portal/users`)
    await viaCode.getByRole('row', { name: new RegExp(owner.email) }).waitFor()
    expect(await viaCode.getByRole('heading', { name: 'Access code' }).count()).toBe(0)

    const page = await pageWith(owner.cookie)
    await page.goto(`${base}/portal/users`)
    await page.getByRole('button', { name: 'Turn the access code off' }).click()
    await page.getByRole('button', { name: 'Turn the access code back on' }).waitFor()
    const refused = await client.gql('mutation($code: String!) { portalLogin(accessCode: $code) { account { id } } }', {
      code: account.accessCode,
    })
    expect(refused.errors?.[0]?.message).toMatch(/access code sign-in is turned off/)
    // The access code's session has ended: its next request goes back to sign-in.
    await viaCode.getByRole('link', { name: 'Sessions' }).click()
    await viaCode.waitForURL(/\/portal\/?\?next=%2Fsessions/)

    await page.getByRole('button', { name: 'Turn the access code back on' }).click()
    await page.getByRole('button', { name: 'Turn the access code off' }).waitFor()
    expect(await login(client, account.accessCode)).toMatch(/^obq_session=/)
    await page.context().close()
    await viaCode.context().close()
  }, 120_000)
})
