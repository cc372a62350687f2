import { beforeAll, describe, expect, it } from 'vitest'
import { db } from '../src/db/client.js'
import { DEFAULT_TEMPLATES } from '../src/services/automations/library.js'
import { type TestClient, testApp } from './support/app.js'
import { createProject } from './support/hub.js'
import { type Tenant, twoTenants } from './support/tenants.js'

let client: TestClient
let tenant: Tenant
let other: Tenant

beforeAll(async () => {
  client = await testApp()
  ;[tenant, other] = await twoTenants(client, 'Acme Roofing')
})

const gql = (query: string, variables: Record<string, unknown>, who = tenant) => client.gql(query, variables, { key: who.key })

describe('templatePlaceholders', () => {
  it('lists the placeholders a template may use, and none of them is reported unknown', async () => {
    const result = await gql('{ templatePlaceholders }', {})
    const list: string[] = result.data.templatePlaceholders
    expect(list).toContain('customer.first_name')
    expect(list).toContain('project.name')
    expect(list).toContain('event.data.<key>')
    const body = list.map((p) => `{{${p.replace('<key>', 'anything')}}}`).join(' ')
    const preview = await gql(PREVIEW, { p: (await createProject(client, tenant)).project.id, t: 'contract_ready', b: body })
    expect(preview.data.templatePreview.unknownPlaceholders).toEqual([])
  })
})

const PREVIEW = `query($p: ID!, $t: String!, $b: String!, $s: String, $d: JSON) {
  templatePreview(projectId: $p, eventType: $t, body: $b, subject: $s, data: $d) { subject body unknownPlaceholders } }`

describe('templatePreview', () => {
  it('renders unsaved text against the project and its customer, flags unknown placeholders and stores nothing', async () => {
    const { project } = await createProject(client, tenant, { name: 'Metal roof' })
    const before = await db.template.findMany({ where: { accountId: tenant.accountId }, orderBy: { id: 'asc' } })
    const result = await gql(PREVIEW, {
      p: project.id,
      t: 'contract_ready',
      s: 'About {{project.name}}',
      b: 'Hi {{customer.first_name}}, {{event.type}} for {{project.name}} on {{event.data.day}} {{customer.nickname}}',
      d: { day: 'Friday' },
    })
    expect(result.errors).toBeUndefined()
    expect(result.data.templatePreview).toEqual({
      subject: 'About Metal roof',
      body: 'Hi Jane, contract_ready for Metal roof on Friday ',
      unknownPlaceholders: ['customer.nickname'],
    })
    expect(await db.template.findMany({ where: { accountId: tenant.accountId }, orderBy: { id: 'asc' } })).toEqual(before)
  })

  it("refuses another account's project and bad arguments with clear errors", async () => {
    const { project } = await createProject(client, tenant)
    const foreign = await gql(PREVIEW, { p: project.id, t: 'contract_ready', b: 'x' }, other)
    expect(foreign.errors?.[0].extensions.code).toBe('NOT_FOUND')
    const bad = await gql(PREVIEW, { p: project.id, t: 'not a type!', b: 'x'.repeat(6000) })
    expect(bad.errors?.[0].extensions.code).toBe('BAD_REQUEST')
  })
})

const RESET = `mutation($id: ID, $t: String, $c: Channel) { resetTemplates(templateId: $id, eventType: $t, channel: $c) {
  id name body subject delayMinutes active unknownPlaceholders } }`
const UPDATE = `mutation($id: ID!, $input: TemplateInput!) { updateTemplate(id: $id, input: $input) { id body active } }`
const CREATE = `mutation($input: TemplateInput!) { createTemplate(input: $input) { id } }`

async function templatesOf(who: Tenant, eventType: string) {
  return db.template.findMany({ where: { accountId: who.accountId, eventType }, orderBy: [{ channel: 'asc' }, { delayMinutes: 'asc' }] })
}

describe('resetTemplates', () => {
  it('puts one template back to its library text and enables it, leaving the others as edited', async () => {
    const [sms, email] = await templatesOf(tenant, 'contract_signed')
    await gql(UPDATE, { id: sms.id, input: { body: 'Edited {{customer.nick}}', active: false, name: 'Renamed' } })
    await gql(UPDATE, { id: email.id, input: { body: 'Edited email' } })
    const result = await gql(RESET, { id: sms.id })
    expect(result.errors).toBeUndefined()
    const library = DEFAULT_TEMPLATES.find((t) => t.eventType === 'contract_signed' && t.channel === 'sms')
    expect(result.data.resetTemplates).toEqual([
      { id: sms.id, name: library?.name, body: library?.body, subject: null, delayMinutes: 0, active: true, unknownPlaceholders: [] },
    ])
    expect((await db.template.findUniqueOrThrow({ where: { id: email.id } })).body).toBe('Edited email')
  })

  it('resets an event type: edited texts restored, added templates disabled (kept), the library complete again', async () => {
    const drips = (await templatesOf(tenant, 'process_abandoned')).filter((t) => t.channel === 'email')
    await gql(UPDATE, { id: drips[2].id, input: { body: 'Changed', delayMinutes: 5, name: 'My drip' } })
    const added = await gql(CREATE, { input: { eventType: 'process_abandoned', channel: 'email', name: 'Extra', body: 'Extra one' } })
    const addedId = added.data.createTemplate.id
    const result = await gql(RESET, { t: 'process_abandoned' })
    expect(result.errors).toBeUndefined()
    const after = await templatesOf(tenant, 'process_abandoned')
    const active = after.filter((t) => t.active)
    const library = DEFAULT_TEMPLATES.filter((t) => t.eventType === 'process_abandoned')
    const rows = (list: { channel: string; delayMinutes: number; name: string; body: string }[]) =>
      list.map((t) => `${t.channel} ${t.delayMinutes} ${t.name} ${t.body}`).sort()
    expect(rows(active)).toEqual(rows(library))
    expect(after.find((t) => t.id === addedId)?.active).toBe(false)
    expect(active.map((t) => t.id)).toContain(drips[2].id)
  })

  it('resets every template of the account and no other account', async () => {
    const mine = await templatesOf(tenant, 'weather_delay')
    const theirs = await templatesOf(other, 'weather_delay')
    await gql(UPDATE, { id: mine[0].id, input: { body: 'Mine' } })
    await gql(UPDATE, { id: theirs[0].id, input: { body: 'Theirs' } }, other)
    const result = await gql(RESET, {})
    expect(result.errors).toBeUndefined()
    expect(result.data.resetTemplates.length).toBeGreaterThanOrEqual(DEFAULT_TEMPLATES.length)
    expect((await db.template.findUniqueOrThrow({ where: { id: mine[0].id } })).body).not.toBe('Mine')
    expect((await db.template.findUniqueOrThrow({ where: { id: theirs[0].id } })).body).toBe('Theirs')
  })

  it("answers NOT_FOUND for another account's template and BAD_REQUEST for an unknown event type", async () => {
    const [theirs] = await templatesOf(other, 'contract_ready')
    expect((await gql(RESET, { id: theirs.id })).errors?.[0].extensions.code).toBe('NOT_FOUND')
    expect((await gql(RESET, { t: 'nope' })).errors?.[0].extensions.code).toBe('BAD_REQUEST')
    expect((await gql(RESET, { id: theirs.id, t: 'contract_ready' })).errors?.[0].extensions.code).toBe('BAD_REQUEST')
  })
})
