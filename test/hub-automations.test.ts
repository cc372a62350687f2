import { beforeAll, describe, expect, it } from 'vitest'
import { db } from '../src/db/client.js'
import { backfillDefaultTemplates } from '../src/services/automations/templates.js'
import { countStatements, keyRemembered, type TestClient, testApp } from './support/app.js'
import { createProject, hubCall } from './support/hub.js'
import { createTenant, type Tenant, twoTenants } from './support/tenants.js'

let client: TestClient
let tenant: Tenant
let other: Tenant

beforeAll(async () => {
  client = await testApp()
  ;[tenant, other] = await twoTenants(client, 'Acme Roofing')
})

const call = (method: string, path: string, body?: unknown, who = tenant) => hubCall(client, who, method, path, body)
const DAY = 24 * 60

/** automations.md, as the spec states it: [channel, minutes after the event]. */
const AUTOMATION_TABLE: Record<string, [string, number][]> = {
  website_visited: [['sms', 0]],
  process_abandoned: [
    ['sms', 0],
    ['email', DAY],
    ['email', 3 * DAY],
    ['email', 7 * DAY],
    ['email', 14 * DAY],
  ],
  contract_ready: [
    ['sms', 0],
    ['email', 0],
  ],
  contract_generated: [
    ['sms', DAY],
    ['sms', 7 * DAY],
    ['sms', 23 * DAY],
  ],
  contract_signed: [
    ['sms', 0],
    ['email', 0],
  ],
  build_day_confirmed: [
    ['sms', 0],
    ['email', 0],
  ],
  material_order_placed: [
    ['sms', 0],
    ['email', 0],
  ],
  day_before_build: [
    ['sms', 0],
    ['email', 0],
  ],
  weather_warning: [
    ['sms', 0],
    ['email', 0],
  ],
  weather_delay: [
    ['sms', 0],
    ['email', 0],
  ],
  install_complete_payment_pending: [
    ['sms', DAY],
    ['email', DAY],
  ],
  paid_in_full: [
    ['sms', 0],
    ['email', 0],
  ],
}

async function record(projectId: string, eventType: string, extra: Record<string, unknown> = {}, who = tenant) {
  const response = await call('POST', '/events', { project_id: projectId, event_type: eventType, ...extra }, who)
  expect(response.status, JSON.stringify(response.body)).toBe(201)
  return response.body.data as { event: any; communications: any[] }
}

const statuses = async (ids: string[]) =>
  Promise.all(ids.map(async (id) => (await call('GET', `/communications/${id}`)).body.data.status as string))

describe('the default automation table', () => {
  it.each(Object.entries(AUTOMATION_TABLE))('%s queues exactly the right channels at the right offsets', async (eventType, expected) => {
    const { project, customer } = await createProject(client, tenant, { build_date: '2026-12-05' })
    const occurredAt = new Date(Math.floor(Date.now() / 1000) * 1000 - 1000)
    const { event, communications } = await record(project.id, eventType, { occurred_at: occurredAt.toISOString() })
    expect(event).toMatchObject({ project_id: project.id, event_type: eventType, source: 'api', occurred_at: occurredAt.toISOString() })
    expect(event.communications).toEqual(communications.map((c) => c.id))
    const actual = communications.map((c) => {
      const offset = c.scheduled_for ? (Date.parse(c.scheduled_for) - occurredAt.getTime()) / 60_000 : 0
      return [c.channel, offset, c.status]
    })
    const wanted = expected.map(([channel, offset]) => [channel, offset, offset > 0 ? 'scheduled' : 'queued'])
    const order = (rows: unknown[][]) => rows.map((r) => JSON.stringify(r)).sort()
    expect(order(actual)).toEqual(order(wanted))
    for (const c of communications) {
      expect(c).toMatchObject({ customer_id: customer.id, project_id: project.id, event_id: event.id, attempts: 0, provider: null })
      expect(c.to).toBe(c.channel === 'email' ? 'jane@example.com' : '+15555550100')
      expect(c.content).toContain('Jane')
      expect(c.content).not.toMatch(/\{\{/)
      if (c.channel === 'email') expect(c.subject).toBeTruthy()
    }
    expect(new Set(communications.map((c) => c.campaign_id)).size).toBe(1)
  })

  it('renders customer, project, account and event data', async () => {
    const { project } = await createProject(client, tenant, { name: 'Cedar shingles', build_date: '2026-12-24' })
    const { communications } = await record(project.id, 'build_day_confirmed')
    const sms = communications.find((c) => c.channel === 'sms')
    expect(sms.content).toBe('Hi Jane, your build day is confirmed for 2026-12-24. — Acme Roofing')
    expect(communications.find((c) => c.channel === 'email').subject).toBe('Build day confirmed: Cedar shingles')
  })

  it('records an unknown event type but queues nothing', async () => {
    const { project } = await createProject(client, tenant)
    const { event, communications } = await record(project.id, 'roof_inspected', { data: { inspector: 'Sam' } })
    expect(communications).toEqual([])
    expect(event).toMatchObject({ event_type: 'roof_inspected', data: { inspector: 'Sam' }, communications: [] })
    const history = await call('GET', `/projects/${project.id}/events`)
    expect(history.body.data.map((e: { id: string }) => e.id)).toEqual([event.id])
  })

  it('skips a channel the customer cannot receive', async () => {
    const { project } = await createProject(client, tenant, {}, { email: null })
    const { communications } = await record(project.id, 'paid_in_full')
    expect(communications.map((c) => c.channel)).toEqual(['sms'])
  })

  it("lists a project's events newest first with their message ids", async () => {
    const { project } = await createProject(client, tenant)
    const first = await record(project.id, 'website_visited', { occurred_at: '2026-01-01T10:00:00Z' })
    const second = await record(project.id, 'contract_ready')
    const history = await call('GET', `/projects/${project.id}/events?limit=1`)
    expect(history.body.pagination).toEqual({ limit: 1, offset: 0, total: 2 })
    expect(history.body.data[0]).toMatchObject({ id: second.event.id, communications: second.communications.map((c) => c.id) })
    expect(Object.keys(history.body.data[0]).sort()).toEqual([
      'communications',
      'created_at',
      'data',
      'event_type',
      'id',
      'occurred_at',
      'project_id',
      'source',
      'updated_at',
    ])
    expect((await call('GET', `/projects/${project.id}/events?offset=1`)).body.data[0].id).toBe(first.event.id)
    // The total comes with the project: the same statements for an empty history as for a full page.
    const { project: fresh } = await createProject(client, tenant)
    await keyRemembered(client, tenant.key)
    const empty = await countStatements(async () => {
      expect((await call('GET', `/projects/${fresh.id}/events`)).body.pagination).toEqual({ limit: 50, offset: 0, total: 0 })
    })
    const full = await countStatements(async () => {
      expect((await call('GET', `/projects/${project.id}/events?offset=1`)).body.pagination).toEqual({ limit: 50, offset: 1, total: 2 })
    })
    expect(full).toBe(empty)
    expect(full).toBeLessThanOrEqual(2) // the project with its count; the page with its messages' ids
  })

  it('answers with the event and messages exactly as stored, in two statements', async () => {
    const { project } = await createProject(client, tenant)
    await record(project.id, 'website_visited') // the key is verified once, then remembered
    let recorded!: { event: any; communications: any[] }
    const statements = await countStatements(async () => {
      recorded = await record(project.id, 'contract_generated', { data: { crew: 'B', 'a-z': [1, 2.5, null], nested: { ok: true } } })
    })
    expect(statements).toBe(2) // project with customer, account and templates; then one write of everything
    const stored = await call('GET', `/projects/${project.id}/events?limit=1`)
    expect(stored.body.data[0]).toEqual(recorded.event)
    expect(recorded.event.communications).toHaveLength(3)
    for (const c of recorded.communications) expect((await call('GET', `/communications/${c.id}`)).body.data).toEqual(c)
  })

  it.each([
    [{ event_type: 'website_visited' }, 400, 'project_id is required'],
    [{ project_id: 'x' }, 400, 'event_type is required'],
    [{ project_id: 'PROJECT', event_type: 'has spaces' }, 400, 'event_type must be 1 to 100 letters, digits, or _ . : -'],
    [{ project_id: 'PROJECT', event_type: 'website_visited', data: 'x' }, 400, 'data must be a JSON object'],
    [
      { project_id: 'PROJECT', event_type: 'website_visited', data: { note: 'a\u0000b' } },
      400,
      'data must not contain the character U+0000',
    ],
    [
      { project_id: 'PROJECT', event_type: 'website_visited', occurred_at: 'yesterday' },
      400,
      'occurred_at must be an ISO 8601 timestamp such as 2026-11-23T14:05:00Z',
    ],
    [{ project_id: 'missing', event_type: 'website_visited' }, 404, 'Project not found'],
  ])('rejects %j', async (body, status, message) => {
    const { project } = await createProject(client, tenant)
    const resolved = JSON.parse(JSON.stringify(body).replace('PROJECT', project.id))
    expect(await call('POST', '/events', resolved)).toMatchObject({ status, body: { message } })
    expect((await call('GET', `/projects/${project.id}/events`)).body.data).toEqual([])
  })

  it("treats another account's project as missing and writes nothing", async () => {
    const { project } = await createProject(client, other)
    expect(await call('POST', '/events', { project_id: project.id, event_type: 'contract_signed' })).toMatchObject({
      status: 404,
      body: { error: 'Not Found', message: 'Project not found' },
    })
    expect((await call('GET', `/projects/${project.id}/events`, undefined, other)).body.data).toEqual([])
    expect((await call('GET', `/communications?project_id=${project.id}`, undefined, other)).body.data).toEqual([])
  })
})

describe('status changes', () => {
  it('a project_status equal to an event type records it (status_change) and queues its messages, once', async () => {
    const { project } = await createProject(client, tenant)
    const changed = await call('PATCH', `/projects/${project.id}/status`, { project_status: 'contract_signed' })
    expect(changed.status).toBe(200)
    const { data } = changed.body
    expect(data.project.project_status).toBe('contract_signed')
    expect(data.event).toMatchObject({
      event_type: 'contract_signed',
      source: 'status_change',
      data: { previous_status: null, project_status: 'contract_signed' },
    })
    expect(data.communications.map((c: { channel: string }) => c.channel).sort()).toEqual(['email', 'sms'])
    expect(data.event.communications).toEqual(data.communications.map((c: { id: string }) => c.id))
    const again = await call('PATCH', `/projects/${project.id}/status`, { project_status: 'contract_signed' })
    expect(again.body.data.event).toBeNull()
    expect((await call('GET', `/projects/${project.id}/events`)).body.pagination.total).toBe(1)
  })
})

describe('superseding events', () => {
  it("contract_signed cancels pending contract_generated reminders, and only this project's", async () => {
    const { project } = await createProject(client, tenant)
    const { project: sibling } = await createProject(client, tenant)
    const reminders = await record(project.id, 'contract_generated')
    const siblingReminders = await record(sibling.id, 'contract_generated')
    await record(project.id, 'contract_signed')
    expect(await statuses(reminders.communications.map((c) => c.id))).toEqual(['cancelled', 'cancelled', 'cancelled'])
    const cancelled = (await call('GET', `/communications/${reminders.communications[0].id}`)).body.data
    expect(cancelled.last_error).toBe('Superseded by contract_signed')
    expect(await statuses(siblingReminders.communications.map((c) => c.id))).toEqual(['scheduled', 'scheduled', 'scheduled'])
    const campaign = (await call('GET', `/campaigns?project_id=${project.id}`)).body.data.find(
      (c: { event_type: string }) => c.event_type === 'contract_generated',
    )
    expect(campaign).toMatchObject({ status: 'cancelled', pending_count: 0 })
  })

  it.each(['contract_ready', 'contract_generated', 'contract_signed'])(
    '%s cancels a pending process_abandoned drip, not what was sent',
    async (eventType) => {
      const { project } = await createProject(client, tenant)
      const drip = await record(project.id, 'process_abandoned')
      const [sent, ...pending] = drip.communications
      expect((await call('POST', `/communications/${sent.id}/mark-sent`)).status).toBe(200)
      await record(project.id, eventType)
      expect(await statuses([sent.id])).toEqual(['sent'])
      expect(await statuses(pending.map((c) => c.id))).toEqual(pending.map(() => 'cancelled'))
    },
  )

  it('paid_in_full cancels pending install_complete_payment_pending messages; other events cancel nothing', async () => {
    const { project } = await createProject(client, tenant)
    const payment = await record(project.id, 'install_complete_payment_pending')
    await record(project.id, 'weather_warning')
    expect(await statuses(payment.communications.map((c) => c.id))).toEqual(['scheduled', 'scheduled'])
    await record(project.id, 'paid_in_full')
    expect(await statuses(payment.communications.map((c) => c.id))).toEqual(['cancelled', 'cancelled'])
  })

  it('a cancelled message is never sent', async () => {
    const { project } = await createProject(client, tenant)
    const drip = await record(project.id, 'process_abandoned')
    await record(project.id, 'contract_ready')
    const id = drip.communications[0].id
    expect(await call('POST', `/communications/${id}/dispatch`)).toMatchObject({
      status: 409,
      body: { error: 'Conflict', message: 'Communication is cancelled' },
    })
    expect(await call('POST', `/communications/${id}/mark-sent`)).toMatchObject({
      status: 409,
      body: { message: 'Communication is cancelled' },
    })
  })
})

describe('campaigns', () => {
  it('one per event that queued messages, listed with pending counts; pause, resume and cancel', async () => {
    const { project } = await createProject(client, tenant)
    const { event, communications } = await record(project.id, 'contract_generated')
    const list = await call('GET', `/campaigns?project_id=${project.id}`)
    expect(list.body.pagination.total).toBe(1)
    const campaign = list.body.data[0]
    expect(campaign).toMatchObject({
      event_id: event.id,
      project_id: project.id,
      event_type: 'contract_generated',
      status: 'active',
      pending_count: 3,
      message_count: 3,
    })
    expect(Object.keys(campaign).sort()).toEqual([
      'created_at',
      'event_id',
      'event_type',
      'id',
      'message_count',
      'name',
      'pending_count',
      'project_id',
      'status',
      'updated_at',
    ])
    expect(communications.every((c) => c.campaign_id === campaign.id)).toBe(true)

    const paused = await call('POST', '/campaigns/adjust', { campaign_id: campaign.id, action: 'pause' })
    expect(paused).toMatchObject({ status: 200, body: { data: { id: campaign.id, status: 'paused', pending_count: 3 } } })
    expect(await call('POST', `/communications/${communications[0].id}/dispatch`)).toMatchObject({
      status: 409,
      body: { message: 'Its campaign is paused: resume the campaign first' },
    })
    expect((await call('GET', '/campaigns?status=paused')).body.data.map((c: { id: string }) => c.id)).toContain(campaign.id)

    // While paused, the first reminder fell due: resuming makes it due now; the later ones stay scheduled.
    await db.communication.update({ where: { id: communications[0].id }, data: { scheduledFor: new Date(Date.now() - 60_000) } })
    const resumed = await call('POST', '/campaigns/adjust', { campaign_id: campaign.id, action: 'resume' })
    expect(resumed.body.data.status).toBe('active')
    expect(await statuses(communications.map((c) => c.id))).toEqual(['queued', 'scheduled', 'scheduled'])

    const cancelled = await call('POST', '/campaigns/adjust', { campaign_id: campaign.id, action: 'cancel' })
    expect(cancelled.body.data).toMatchObject({ status: 'cancelled', pending_count: 0, message_count: 3 })
    expect(await statuses(communications.map((c) => c.id))).toEqual(['cancelled', 'cancelled', 'cancelled'])
    expect(await call('POST', '/campaigns/adjust', { campaign_id: campaign.id, action: 'resume' })).toMatchObject({
      status: 409,
      body: { message: 'Campaign is cancelled' },
    })
  })

  it("rejects an unknown action, a missing id and another account's campaign", async () => {
    const { project } = await createProject(client, other)
    await record(project.id, 'contract_generated', {}, other)
    const theirs = (await call('GET', '/campaigns', undefined, other)).body.data[0]
    expect(await call('POST', '/campaigns/adjust', { campaign_id: theirs.id, action: 'cancel' })).toMatchObject({
      status: 404,
      body: { error: 'Not Found', message: 'Campaign not found' },
    })
    expect((await call('GET', '/campaigns', undefined, other)).body.data[0]).toMatchObject({ status: 'active', pending_count: 3 })
    expect(await call('POST', '/campaigns/adjust', { campaign_id: theirs.id, action: 'explode' })).toMatchObject({
      status: 400,
      body: { message: 'Invalid action "explode": expected one of pause, resume, cancel' },
    })
    expect(await call('POST', '/campaigns/adjust', { action: 'pause' })).toMatchObject({
      status: 400,
      body: { message: 'campaign_id is required' },
    })
    expect((await call('GET', '/campaigns?status=sleeping')).status).toBe(400)
  })
})

describe('templates', () => {
  it('every account starts with the default library; filters by event_type and channel', async () => {
    const t = await createTenant(client)
    const all = await call('GET', '/templates?limit=200', undefined, t)
    expect(all.body.pagination.total).toBe(27)
    const types = new Set(all.body.data.map((x: { event_type: string }) => x.event_type))
    expect([...types].sort()).toEqual(Object.keys(AUTOMATION_TABLE).sort())
    const drip = await call('GET', '/templates?event_type=process_abandoned&channel=email', undefined, t)
    expect(drip.body.data.map((x: { delay_minutes: number }) => x.delay_minutes).sort((a: number, b: number) => a - b)).toEqual([
      DAY,
      3 * DAY,
      7 * DAY,
      14 * DAY,
    ])
    expect(Object.keys(drip.body.data[0]).sort()).toEqual([
      'active',
      'body',
      'channel',
      'created_at',
      'delay_minutes',
      'event_type',
      'id',
      'name',
      'subject',
      'unknown_placeholders',
      'updated_at',
    ])
    expect(all.body.data.every((x: { unknown_placeholders: string[] }) => x.unknown_placeholders.length === 0)).toBe(true)
    expect((await call('GET', '/templates?channel=fax', undefined, t)).status).toBe(400)
  })

  it('are edited through GraphQL; an unknown placeholder is reported and renders as empty text', async () => {
    const t = await createTenant(client)
    const template = (await call('GET', '/templates?event_type=website_visited', undefined, t)).body.data[0]
    const update = `mutation($id: ID!, $input: TemplateInput!) { updateTemplate(id: $id, input: $input) { id body delayMinutes unknownPlaceholders } }`
    const updated = await client.gql(
      update,
      { id: template.id, input: { body: 'Hi {{customer.first_name}}{{customer.shoe_size}}, see {{ event.data.link }}' } },
      { key: t.key },
    )
    expect(updated.errors).toBeUndefined()
    expect(updated.data.updateTemplate.unknownPlaceholders).toEqual(['customer.shoe_size'])
    const { project } = await createProject(client, t)
    const { communications } = await record(project.id, 'website_visited', { data: { link: 'https://acme.test/q/1' } }, t)
    expect(communications[0].content).toBe('Hi Jane, see https://acme.test/q/1')

    const bad = await client.gql(update, { id: template.id, input: { delayMinutes: -5 } }, { key: t.key })
    expect(bad.errors?.[0].extensions.code).toBe('BAD_REQUEST')
    const empty = await client.gql(update, { id: template.id, input: { body: '   ' } }, { key: t.key })
    expect(empty.errors?.[0].message).toBe('body must not be empty')
    const foreign = await client.gql(update, { id: template.id, input: { active: false } }, { key: other.key })
    expect(foreign.errors?.[0]).toMatchObject({ message: 'Template not found', extensions: { code: 'NOT_FOUND' } })
    const deactivated = await client.gql(update, { id: template.id, input: { active: false } }, { key: t.key })
    expect(deactivated.errors).toBeUndefined()
    expect((await record(project.id, 'website_visited', {}, t)).communications).toEqual([])
  })

  it('backfills the library into existing accounts without templates, once', async () => {
    const bare = await db.account.create({ data: { name: 'Old account', accessCodeHash: `old-${Date.now()}` } })
    expect(await backfillDefaultTemplates()).toBeGreaterThanOrEqual(1)
    expect(await db.template.count({ where: { accountId: bare.id } })).toBe(27)
    await backfillDefaultTemplates() // other test files may be creating accounts meanwhile: judge this one only
    expect(await db.template.count({ where: { accountId: bare.id } })).toBe(27)
  })
})

describe('simulateEvent', () => {
  it('answers what an event would queue and cancel, with rendered content and times, storing nothing', async () => {
    const { project } = await createProject(client, tenant, { name: 'Metal roof' })
    const generated = await record(project.id, 'contract_generated')
    const query = `query($p: ID!, $t: String!) { simulateEvent(projectId: $p, eventType: $t) {
      eventType automated cancels messages { channel to subject content status scheduledFor skippedReason } } }`
    const before = await db.communication.count({ where: { accountId: tenant.accountId } })
    const started = Date.now()
    const result = await client.gql(query, { p: project.id, t: 'contract_signed' }, { key: tenant.key })
    expect(result.errors).toBeUndefined()
    const sim = result.data.simulateEvent
    expect(sim).toMatchObject({ eventType: 'contract_signed', automated: true })
    expect(sim.cancels.sort()).toEqual(generated.communications.map((c) => c.id).sort())
    expect(sim.messages.map((m: { channel: string }) => m.channel).sort()).toEqual(['email', 'sms'])
    const email = sim.messages.find((m: { channel: string }) => m.channel === 'email')
    expect(email).toMatchObject({ to: 'jane@example.com', subject: 'Contract signed: Metal roof', status: 'queued', skippedReason: null })
    expect(Date.parse(email.scheduledFor)).toBeGreaterThanOrEqual(started - 1000)
    const reminders = (await client.gql(query, { p: project.id, t: 'contract_generated' }, { key: tenant.key })).data.simulateEvent.messages
    expect(reminders.map((m: { status: string }) => m.status)).toEqual(['scheduled', 'scheduled', 'scheduled'])
    expect(await db.communication.count({ where: { accountId: tenant.accountId } })).toBe(before)
    expect(await statuses(generated.communications.map((c) => c.id))).toEqual(['scheduled', 'scheduled', 'scheduled'])
    const foreign = await client.gql(query, { p: project.id, t: 'contract_signed' }, { key: other.key })
    expect(foreign.errors?.[0].extensions.code).toBe('NOT_FOUND')
  })
})
