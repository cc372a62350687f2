/**
 * CSV imports written as sets (decision 0027): a batch's good rows go to the database in a fixed
 * number of statements, and leave exactly what the same rows sent one upsert at a time leave: the
 * records, the change feed's entries with their previous values, and the webhook events.
 */
import { randomBytes } from 'node:crypto'
import { beforeAll, describe, expect, it } from 'vitest'
import { asActor } from '../src/db/change-tags.js'
import { db } from '../src/db/client.js'
import { IMPORT_KINDS } from '../src/schema/csv/fields.js'
import { BATCH_ROWS } from '../src/schema/csv/runner.js'
import { type RowWrite, writeSet } from '../src/schema/csv/set-writes.js'
import { countStatements, type TestClient, testApp } from './support/app.js'
import { checkImport, drainImports, readImport, runImport, uploadCsv } from './support/csv-imports.js'
import { createTenant } from './support/tenants.js'

let client: TestClient
beforeAll(async () => {
  client = await testApp()
})

const MAPPING = [
  { field: 'external_id', column: 'External ID' },
  { field: 'name', column: 'Name' },
  { field: 'phone', column: 'Phone' },
  { field: 'email', column: 'Email' },
  { field: 'pipeline_stage', column: 'Stage' },
]

const ROWS = 1_200
/** Data rows (0-based) that are bad, and why the import says so. */
const BAD: Record<number, { cells: string; message: string }> = {
  17: { cells: 'L-17,Bad Phone,12345,,', message: 'phone must be an E.164 phone number such as +15555550100' },
  400: { cells: ',No Id,+15550000400,,', message: 'external_id is required' },
  777: { cells: 'L-777,,,,', message: 'a new lead needs name or phone' },
  1100: { cells: 'L-1100,Bad Stage,+15550001100,,sold', message: expect.stringContaining('pipeline_stage') },
}
/** A row repeating an earlier row's external id, in the same batch: it updates the lead the earlier row created. */
const DUPLICATE = { at: 100, cells: 'L-3,Lead 3 Renamed,,,closed_won' }

function leadFile() {
  const lines = ['External ID,Name,Phone,Email,Stage']
  for (let i = 0; i < ROWS; i++) {
    if (BAD[i]) lines.push(BAD[i].cells)
    else if (i === DUPLICATE.at) lines.push(DUPLICATE.cells)
    else lines.push(`L-${i},Lead ${i},+1555${String(2000000 + i)},l${i}@example.com,${i % 50 === 0 ? 'quoted' : ''}`)
  }
  return lines.join('\n')
}

/** A lead both tenants hold before the import, so some rows update (one of them without changing anything). */
async function seedExisting(accountId: string) {
  await db.lead.create({ data: { accountId, externalId: 'L-5', name: 'Old Five', phone: '+15550000005' } })
  await db.lead.create({ data: { accountId, externalId: 'L-9', name: 'Lead 9', phone: '+15552000009', email: 'l9@example.com' } })
  await db.webhookEndpoint.create({
    data: { accountId, url: 'https://example.com/h', events: ['lead.created', 'lead.updated', 'sale.completed'], secretEncrypted: 'x' },
  })
}

const WITHOUT_IDS = new Set(['id', 'created_at', 'updated_at'])
const stripped = (value: unknown) =>
  value && typeof value === 'object'
    ? Object.fromEntries(Object.entries(value as Record<string, unknown>).filter(([k]) => !WITHOUT_IDS.has(k)))
    : value

/** The account's change-feed entries and webhook events, without ids and times, in a comparable order. */
async function effects(accountId: string) {
  const changes = await db.change.findMany({ where: { accountId, objectType: 'lead' }, orderBy: { id: 'asc' } })
  const leads = await db.lead.findMany({ where: { accountId }, select: { id: true, externalId: true } })
  const externalIdOf = new Map(leads.map((l) => [l.id, l.externalId]))
  const feed = changes
    .filter((c) => c.actor === 'csv_import')
    .map((c) => ({ lead: externalIdOf.get(c.objectId), action: c.action, data: stripped(c.data), previous: c.previous }))
  const deliveries = await db.webhookDelivery.findMany({ where: { accountId } })
  const events = deliveries.map((d) => {
    const body = JSON.parse(d.body) as { event: string; data: Record<string, unknown>; previous?: unknown }
    return { event: body.event, lead: body.data.external_id, data: stripped(body.data), previous: body.previous }
  })
  const order = (a: { lead?: unknown }, b: { lead?: unknown }) => String(a.lead).localeCompare(String(b.lead))
  // Per lead, entries keep their order (a stable sort); across leads, parallel single upserts have none.
  return { feed: feed.sort(order), events: events.sort((a, b) => order(a, b) || a.event.localeCompare(b.event)) }
}

describe('CSV import as sets', () => {
  it('imports exactly the good rows of 1,200, names the bad lines, and leaves what single upserts leave', async () => {
    const imported = await createTenant(client)
    const single = await createTenant(client)
    await seedExisting(imported.accountId)
    await seedExisting(single.accountId)

    const uploaded = await uploadCsv(client, imported, 'leads', leadFile())
    await checkImport(client, imported, uploaded.id, MAPPING)
    await drainImports(imported)
    await runImport(client, imported, uploaded.id)
    // Written as sets: a few statements a batch, where one upsert a row takes several a row.
    expect(await countStatements(() => drainImports(imported))).toBeLessThan(ROWS / 4)
    const done = await readImport(client, imported, uploaded.id)
    const badLines = Object.keys(BAD).map((i) => Number(i) + 2) // the header is line 1
    expect(done).toMatchObject({ status: 'done', processedRows: ROWS, problemRows: badLines.length })
    expect(done.problems).toEqual(Object.values(BAD).map(({ message }, i) => ({ line: badLines[i], message })))
    // L-3 twice and L-5, L-9 existing: every other good row created a lead.
    expect(done).toMatchObject({ createdRows: ROWS - badLines.length - 3, updatedRows: 3 })

    // The same good rows, one upsert at a time, in the order of the file.
    const lines = leadFile().split('\n')
    await asActor('csv_import', async () => {
      for (let i = 0; i < ROWS; i++) {
        if (BAD[i]) continue
        const [externalId, name, phone, email, stage] = lines[i + 1].split(',')
        const input = Object.fromEntries(
          Object.entries({ externalId, name, phone, email, pipelineStage: stage }).filter(([, v]) => v !== ''),
        )
        await IMPORT_KINDS.leads.write(single.accountId, input as never)
      }
    })

    const leadsOf = async (accountId: string) =>
      (await db.lead.findMany({ where: { accountId }, orderBy: { externalId: 'asc' } })).map((l) => [
        l.externalId,
        l.name,
        l.phone,
        l.email,
        l.pipelineStage,
      ])
    const leads = await leadsOf(imported.accountId)
    expect(leads).toHaveLength(ROWS - badLines.length - 1) // the duplicate row adds no lead
    expect(leads).toEqual(await leadsOf(single.accountId))
    expect(leads).toContainEqual(['L-3', 'Lead 3 Renamed', '+15552000003', 'l3@example.com', 'closed_won'])
    expect(leads).toContainEqual(['L-5', 'Lead 5', '+15552000005', 'l5@example.com', 'new_lead'])

    const [bySet, bySingle] = [await effects(imported.accountId), await effects(single.accountId)]
    expect(bySet.feed).toHaveLength(ROWS - badLines.length - 1) // L-9's row changes nothing: no entry
    expect(bySet.feed.filter((c) => c.lead === 'L-3')).toEqual([
      expect.objectContaining({ action: 'created' }),
      expect.objectContaining({ action: 'updated', previous: { name: 'Lead 3', pipeline_stage: 'new_lead' } }),
    ])
    expect(bySet.feed).toEqual(bySingle.feed)
    expect(bySet.events.filter((e) => e.lead === 'L-3').map((e) => e.event)).toEqual(['lead.created', 'lead.updated', 'sale.completed'])
    expect(bySet.events).toHaveLength(ROWS - badLines.length) // L-9's row fires nothing; L-3's second fires sale.completed too
    expect(bySet.events).toEqual(bySingle.events)
  }, 300_000)

  it('writes a batch the database refuses row by row: only the refused row is a problem', async () => {
    const tenant = await createTenant(client)
    // A rule of the database the field rules do not know, for this tenant only.
    const name = `refuse_${randomBytes(4).toString('hex')}`
    await db.$executeRawUnsafe(`CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'refused' USING ERRCODE = 'check_violation'; END $$`)
    await db.$executeRawUnsafe(`CREATE TRIGGER ${name} BEFORE INSERT ON leads FOR EACH ROW
      WHEN (NEW.account_id = '${tenant.accountId}' AND NEW.name = 'Refused') EXECUTE FUNCTION ${name}()`)
    try {
      const file = ['External ID,Name', ...Array.from({ length: 300 }, (_, i) => `R-${i},${i === 42 ? 'Refused' : `Lead ${i}`}`)]
      const uploaded = await uploadCsv(client, tenant, 'leads', file.join('\n'))
      await checkImport(client, tenant, uploaded.id, MAPPING.slice(0, 2))
      await drainImports(tenant)
      await runImport(client, tenant, uploaded.id)
      await drainImports(tenant)
      const done = await readImport(client, tenant, uploaded.id)
      expect(done).toMatchObject({ status: 'done', processedRows: 300, createdRows: 299, problemRows: 1 })
      expect(done.problems).toEqual([{ line: 44, message: 'the row breaks a rule of the database' }])
      expect(await db.lead.count({ where: { accountId: tenant.accountId } })).toBe(299)
    } finally {
      await db.$executeRawUnsafe(`DROP TRIGGER ${name} ON leads`)
      await db.$executeRawUnsafe(`DROP FUNCTION ${name}()`)
    }
  })

  it('writes a batch in the same number of statements whatever its size, creating or updating', async () => {
    const tenant = await createTenant(client)
    const rows = (count: number, from: number, name: string): RowWrite[] =>
      Array.from({ length: count }, (_, i) => ({
        line: i + 2,
        input: { externalId: `S-${from + i}`, name: `${name} ${from + i}`, phone: `+1555300${String(from + i).padStart(4, '0')}` },
      }))
    const write = (batch: RowWrite[]) => () => db.$transaction((tx) => writeSet(tx, 'leads', tenant.accountId, batch))
    const small = await countStatements(write(rows(5, 0, 'New')))
    const large = await countStatements(write(rows(BATCH_ROWS, 1_000, 'New')))
    expect(large).toBe(small)
    const updatesSmall = await countStatements(write(rows(5, 0, 'Renamed')))
    const updatesLarge = await countStatements(write(rows(BATCH_ROWS, 1_000, 'Renamed')))
    expect(updatesLarge).toBe(updatesSmall)
    expect(await db.lead.count({ where: { accountId: tenant.accountId, name: { startsWith: 'Renamed' } } })).toBe(BATCH_ROWS + 5)
  })
})
