import type { Server } from 'node:http'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { db } from '../../src/db/client.js'
import { type TestClient, testApp } from '../support/app.js'
import { closeServer, hasChromium, launchChromium, portalServer, screenshots, signInWithCode } from '../support/browser.js'
import { type CallbackSender, callbackSender } from '../support/callbacks.js'
import { seedConversation } from '../support/fixtures.js'
import { hubCall } from '../support/hub.js'
import { createTenant, type Tenant } from '../support/tenants.js'

const TWILIO = { account_sid: 'AC0123456789abcdef', api_key: 'twilio-auth-token-1234', from_number: '+15555550000' }
const SAM = '+15555550601'
const OPTED_OUT = '+15555550602'
const CALLER = '+15555550603'
/** Polls as long as a page action may take on a busy machine (expect.poll alone gives up after a second). */
const eventually = <T>(read: () => T | Promise<T>) => expect.poll(read, { timeout: 20_000 })

describe.skipIf(!hasChromium)('the inbox in the portal', () => {
  let base: string
  let server: Server
  let browser: Browser
  let client: TestClient
  let tenant: Tenant
  let send: CallbackSender
  let inboundCount = 0

  /** A text from `from`, delivered as Twilio delivers it: a signed form post to the inbound callback. */
  async function textFrom(from: string, body: string) {
    const params = {
      MessageSid: `SMinbox${++inboundCount}`,
      From: from,
      To: TWILIO.from_number,
      Body: body,
      AccountSid: TWILIO.account_sid,
    }
    const answer = await send.twilio(tenant.accountId, 'inbound', params, TWILIO.api_key)
    expect(answer.status, await answer.clone().text()).toBe(200)
  }

  beforeAll(async () => {
    ;({ base, server } = await portalServer('inbox'))
    client = await testApp()
    send = callbackSender(client.app)
    tenant = await createTenant(client, `Inbox ${Date.now().toString(36)}`)
    expect((await hubCall(client, tenant, 'PUT', '/integrations/twilio', { config: TWILIO })).status).toBe(201)
    const settings = await client.gql(
      'mutation { updateAccountSettings(input: { testMode: true }) { testMode } }',
      {},
      { cookie: tenant.cookie },
    )
    expect(settings.errors).toBeUndefined()
    for (const [name, phone] of [
      ['Sam Rivera', SAM],
      ['Alex Stone', OPTED_OUT],
    ]) {
      const lead = await client.call('POST', '/api/v1/leads', { key: tenant.key, body: { name, phone } })
      expect(lead.status).toBe(201)
    }
    const call = await seedConversation(tenant.accountId, {
      channel: 'voice',
      participant: CALLER,
      transcript: [
        { speaker: 'AI', text: 'Hi, this is Acme Roofing calling about your build day.', at: new Date('2026-11-20T15:00:01Z') },
        { speaker: 'Customer', text: 'Thursday works for me.', at: new Date('2026-11-20T15:00:05Z') },
      ],
    })
    await db.conversation.update({
      where: { id: call.id },
      data: { summary: 'Customer confirmed Thursday.', recordingUrl: 'https://storage.example/recording-1.wav', endedAt: new Date() },
    })
    await textFrom(OPTED_OUT, 'STOP')
    await textFrom(SAM, 'Is Thursday still on?')
    browser = await launchChromium()
  }, 120_000)

  afterAll(async () => {
    await browser?.close()
    if (server) await closeServer(server)
  })

  const signedIn = (who = tenant) => signInWithCode(browser, base, who.accessCode)

  const row = (page: Page, participant: string) => page.getByTestId('conversation-row').filter({ hasText: participant })
  const thread = (page: Page) => page.getByRole('region', { name: /^\+1555/ })

  it('reads a call, follows a text thread live, replies in test mode, and shows the opted-out number', async () => {
    const { page, errors } = await signedIn()
    await page.getByRole('navigation', { name: 'Portal' }).getByRole('link', { name: 'Inbox' }).click()
    await page.waitForURL(/\/portal\/inbox/)
    await eventually(() => page.getByTestId('conversation-row').count()).toBe(3)
    // Newest activity first: Sam's text came last.
    await eventually(() => page.getByTestId('conversation-row').first().textContent()).toContain(SAM)
    await screenshots(page, 'inbox-list')

    await row(page, CALLER).click()
    const call = page.getByTestId('call-details')
    await call.getByText('Customer confirmed Thursday.').waitFor()
    expect(await call.getByRole('link', { name: /Listen to the recording/ }).getAttribute('href')).toBe(
      'https://storage.example/recording-1.wav',
    )
    await eventually(() => call.getByTestId('transcript').textContent()).toContain('Thursday works for me.')
    await screenshots(page, 'inbox-call')

    await row(page, SAM).click()
    await page.waitForURL(/\/portal\/inbox\?id=/)
    const messages = page.getByTestId('messages')
    await messages.getByText('Is Thursday still on?').waitFor()
    // A marker that a reload would wipe: the new message must arrive in this same document.
    await page.evaluate(() => Object.assign(window, { inboxMarker: 'same page' }))
    await textFrom(SAM, 'Running ten minutes late?')
    await messages.getByText('Running ten minutes late?').waitFor()
    expect(await page.evaluate(() => (window as unknown as { inboxMarker?: string }).inboxMarker)).toBe('same page')
    await eventually(() => thread(page).getByTestId('live-status').textContent()).toBe('Live')
    // The list follows too: the thread's row now counts the new message.
    await eventually(() => row(page, SAM).textContent()).toContain('2 messages')

    const reply = page.getByTestId('reply-box')
    await reply.getByTestId('test-mode').waitFor()
    await reply.getByLabel('Reply by SMS').fill('No problem, see you at 9.')
    await reply.getByRole('button', { name: 'Send reply' }).click()
    const sent = messages.getByTestId('message').filter({ hasText: 'No problem, see you at 9.' })
    await eventually(() => sent.textContent()).toContain('test mode, not sent')
    await eventually(() => reply.getByLabel('Reply by SMS').inputValue()).toBe('')
    expect(await messages.getByTestId('message').allTextContents()).toHaveLength(3)
    const stored = await db.message.findFirstOrThrow({ where: { accountId: tenant.accountId, content: 'No problem, see you at 9.' } })
    expect(stored).toMatchObject({ direction: 'outbound', provider: 'test', status: 'sent' })
    await screenshots(page, 'inbox-thread')

    await row(page, OPTED_OUT).click()
    const blocked = page.getByTestId('reply-box')
    await blocked.getByText(/opted out of SMS/).waitFor()
    expect(await blocked.getByLabel('Reply by SMS').isDisabled()).toBe(true)
    expect(await blocked.getByRole('button', { name: 'Send reply' }).isDisabled()).toBe(true)
    expect(await row(page, OPTED_OUT).textContent()).toContain('opted out')
    await screenshots(page, 'inbox-opted-out')

    expect(errors).toEqual([])
    await page.context().close()
  }, 180_000)

  it('shows a sent reply as sent when fetching it back fails', async () => {
    const { page, errors } = await signedIn()
    // The refetch of the message just sent fails; the send itself goes through.
    await page.route('**/graphql', (route) =>
      route.request().postData()?.includes('query PortalMessage(')
        ? route.fulfill({ status: 502, contentType: 'text/html', body: '<h1>Bad gateway</h1>' })
        : route.continue(),
    )
    await page.goto(`${base}/portal/inbox`)
    await row(page, SAM).click()
    await page.waitForURL(/\/portal\/inbox\?id=/)
    const reply = page.getByTestId('reply-box')
    await reply.getByLabel('Reply by SMS').fill('Back at 10 then.')
    const refetched = page.waitForResponse((response) => response.request().postData()?.includes('query PortalMessage(') ?? false)
    await reply.getByRole('button', { name: 'Send reply' }).click()
    await refetched
    await reply.getByRole('button', { name: 'Sending…' }).waitFor({ state: 'detached' })
    expect(await reply.getByRole('alert').count()).toBe(0)
    expect(await reply.getByLabel('Reply by SMS').inputValue()).toBe('')
    // The thread's subscription brings the message.
    await page.getByTestId('messages').getByTestId('message').filter({ hasText: 'Back at 10 then.' }).waitFor()
    expect(errors.filter((e) => !e.includes('502'))).toEqual([])
    await page.context().close()
  }, 120_000)

  it('filters by channel and searches, with an empty state', async () => {
    const { page, errors } = await signedIn()
    await page.goto(`${base}/portal/inbox`)
    await eventually(() => page.getByTestId('conversation-row').count()).toBe(3)
    await page.getByTestId('channel-filter').selectOption('voice')
    await eventually(() => page.getByTestId('conversation-row').allTextContents()).toEqual([expect.stringContaining(CALLER)])
    await page.getByTestId('channel-filter').selectOption('')
    await page.getByRole('searchbox', { name: 'Search' }).fill('0602')
    await page.getByRole('searchbox', { name: 'Search' }).press('Enter')
    await eventually(() => page.getByTestId('conversation-row').allTextContents()).toEqual([expect.stringContaining(OPTED_OUT)])
    await page.getByRole('searchbox', { name: 'Search' }).fill('nobody@example.com')
    await page.getByRole('button', { name: 'Search', exact: true }).click()
    await page.getByText('No conversation matches this channel and search.').waitFor()
    expect(errors).toEqual([])
    await page.context().close()
  }, 120_000)

  it("shows a long thread's latest 100 messages, and the earlier ones on request", async () => {
    const chatty = await createTenant(client, `Long thread ${Date.now().toString(36)}`)
    const long = await seedConversation(chatty.accountId, {
      channel: 'email',
      participant: 'long.thread@example.com',
      messages: Array.from({ length: 130 }, (_, i) => ({
        content: `Note ${String(i + 1).padStart(3, '0')}`,
        at: new Date(Date.UTC(2026, 10, 1, 9, i)),
      })),
    })
    const { page, errors } = await signedIn(chatty)
    await page.goto(`${base}/portal/inbox?id=${long.id}`)
    const shown = () => page.getByTestId('messages').getByTestId('message').locator('p').allTextContents()
    await eventually(async () => (await shown()).length).toBe(100)
    expect((await shown()).slice(0, 1)).toEqual(['Note 031'])
    expect((await shown()).at(-1)).toBe('Note 130')
    await page.getByRole('button', { name: 'Show earlier messages' }).click()
    await eventually(async () => (await shown()).length).toBe(130)
    expect(await shown()).toEqual(Array.from({ length: 130 }, (_, i) => `Note ${String(i + 1).padStart(3, '0')}`))
    expect(await page.getByRole('button', { name: 'Show earlier messages' }).count()).toBe(0)
    expect(errors).toEqual([])
    await page.context().close()
  }, 120_000)

  it('pages with Load more, 25 at a time', async () => {
    const busy = await createTenant(client, `Busy inbox ${Date.now().toString(36)}`)
    for (let i = 0; i < 27; i++) {
      await seedConversation(busy.accountId, {
        channel: 'email',
        participant: `customer${i}@example.com`,
        messages: [{ content: `Email ${i}` }],
      })
    }
    const { page, errors } = await signedIn(busy)
    await page.goto(`${base}/portal/inbox`)
    await eventually(() => page.getByTestId('conversation-row').count()).toBe(25)
    await page.getByText('25 of 27 shown').waitFor()
    await page.getByRole('button', { name: 'Load more' }).click()
    await eventually(() => page.getByTestId('conversation-row').count()).toBe(27)
    await page.getByText('27 of 27 shown').waitFor()
    expect(await page.getByRole('button', { name: 'Load more' }).count()).toBe(0)
    expect(errors).toEqual([])
    await page.context().close()
  }, 120_000)
})
