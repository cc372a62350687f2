/**
 * CSV import of customers and leads through GraphQL: the chunked upload, the dry run's problems by
 * line, the import as upserts by external_id, a 10,000-row file, an import whose process dies and
 * is resumed by the next claim, and malformed files answered 400. Export: filters, quoting and
 * formula neutralisation, and a file that imports back unchanged.
 */
import { parse } from 'csv-parse/sync'
import { beforeAll, describe, expect, it } from 'vitest'
import { db } from '../src/db/client.js'
import { BATCH_ROWS, runImportSlice, startCsvImports } from '../src/schema/csv/runner.js'
import { type TestClient, testApp } from './support/app.js'
import { checkImport, drainImports, readImport, runImport, uploadCsv } from './support/csv-imports.js'
import { createTenant } from './support/tenants.js'

let client: TestClient
beforeAll(async () => {
  client = await testApp()
})

const LEAD_MAPPING = [
  { field: 'external_id', column: 'External ID' },
  { field: 'name', column: 'Name' },
  { field: 'phone', column: 'Phone' },
  { field: 'email', column: 'Email' },
]

/** A process that dies keeps its lease until it runs out: the test lets it run out at once. */
const expireLease = (importId: string) => db.csvImport.update({ where: { id: importId }, data: { leaseExpiresAt: new Date(0) } })

const leadsCsv = (count: number, from = 0) =>
  [
    'External ID,Name,Phone,Email',
    ...Array.from(
      { length: count },
      (_, i) => `L-${from + i},Lead ${from + i},+1555${String(1000000 + from + i)},l${from + i}@example.com`,
    ),
  ].join('\n')

describe('CSV import', () => {
  it('reports every bad row by line in the dry run, writes nothing, then imports the rest as upserts', async () => {
    const tenant = await createTenant(client)
    await db.lead.create({ data: { accountId: tenant.accountId, externalId: 'L-1', name: 'Old name', phone: '+15550000001' } })
    const file = [
      'External ID,Name,Phone,Email,Notes',
      'L-1,Ada Updated,+15551000001,ada@example.com,"multi',
      'line note"',
      'L-2,Bob,not-a-phone,bob@example.com,',
      'L-3,Cy,+15551000003,,',
      ',Dee,+15551000004,dee@example.com,',
      'L-5,,,,no name or phone',
      'L-6,"Eve, ""the"" second",+15551000006,eve@example.com,',
    ].join('\r\n')
    const uploaded = await uploadCsv(client, tenant, 'leads', file, 50)
    expect(uploaded.errors).toBeUndefined()
    const done = uploaded.data.completeCsvUpload
    expect(done.status).toBe('uploaded')
    expect(done.columns).toEqual(['External ID', 'Name', 'Phone', 'Email', 'Notes'])
    expect(done.totalRows).toBe(6)
    expect(done.suggestedMapping).toEqual(expect.arrayContaining(LEAD_MAPPING))

    await checkImport(client, tenant, uploaded.id, LEAD_MAPPING)
    await drainImports(tenant)
    const checked = await readImport(client, tenant, uploaded.id)
    expect(checked).toMatchObject({ status: 'checked', processedRows: 6, problemRows: 3, createdRows: 2, updatedRows: 1 })
    expect(checked.problems).toEqual([
      { line: 4, message: 'phone must be an E.164 phone number such as +15555550100' },
      { line: 6, message: 'external_id is required' },
      { line: 7, message: 'a new lead needs name or phone' },
    ])
    expect(await db.lead.count({ where: { accountId: tenant.accountId } })).toBe(1) // a dry run writes nothing

    await runImport(client, tenant, uploaded.id)
    await drainImports(tenant)
    const imported = await readImport(client, tenant, uploaded.id)
    expect(imported).toMatchObject({ status: 'done', processedRows: 6, problemRows: 3, createdRows: 2, updatedRows: 1 })
    const leads = await db.lead.findMany({ where: { accountId: tenant.accountId }, orderBy: { externalId: 'asc' } })
    expect(leads.map((l) => [l.externalId, l.name, l.phone, l.email])).toEqual([
      ['L-1', 'Ada Updated', '+15551000001', 'ada@example.com'],
      ['L-3', 'Cy', '+15551000003', null],
      ['L-6', 'Eve, "the" second', '+15551000006', 'eve@example.com'],
    ])
    // The uploaded bytes are not kept once the import is done.
    expect(await db.csvImportChunk.count({ where: { importId: uploaded.id } })).toBe(0)
  })

  it('checks a 10,000-row file in batches, and a dry run whose process dies resumes where its last batch ended', async () => {
    const tenant = await createTenant(client)
    const uploaded = await uploadCsv(client, tenant, 'leads', `${leadsCsv(9_999)}\nL-x,Bad,123,\n`)
    expect(uploaded.data.completeCsvUpload.totalRows).toBe(10_000)
    await checkImport(client, tenant, uploaded.id, LEAD_MAPPING)

    // A process claims the dry run, does two batches and dies: its lease stays until it runs out.
    const first = await runImportSlice({ leaseMs: 60_000, maxBatches: 2, accountIds: [tenant.accountId] })
    expect(first).toMatchObject({ resumedFrom: 0, processedRows: 500, finished: false })
    expect(await runImportSlice({ leaseMs: 60_000, accountIds: [tenant.accountId] })).toBeUndefined() // still leased
    await expireLease(uploaded.id)
    const resumed = await runImportSlice({ leaseMs: 60_000, accountIds: [tenant.accountId] })
    expect(resumed).toMatchObject({ resumedFrom: 500, processedRows: 10_000, finished: true })
    const checked = await readImport(client, tenant, uploaded.id)
    expect(checked).toMatchObject({ status: 'checked', processedRows: 10_000, problemRows: 1, createdRows: 9_999 })
    expect(checked.problems).toEqual([{ line: 10_001, message: 'phone must be an E.164 phone number such as +15555550100' }])
  }, 300_000)

  it('hands an import back when its process stops, and the next claim resumes it at once', async () => {
    const tenant = await createTenant(client)
    const uploaded = await uploadCsv(client, tenant, 'leads', leadsCsv(5_000))
    await checkImport(client, tenant, uploaded.id, LEAD_MAPPING)
    // Stopped as it starts: the claim it has made finishes its first batch, then hands the import back.
    const stop = startCsvImports({ leaseMs: 60_000, pollMs: 50, accountIds: [tenant.accountId] })
    await stop(60_000)
    const stopped = await db.csvImport.findUniqueOrThrow({ where: { id: uploaded.id } })
    expect(stopped).toMatchObject({ status: 'checking', processedRows: BATCH_ROWS, leaseToken: null, leaseExpiresAt: null })
    const resumed = await runImportSlice({ leaseMs: 60_000, accountIds: [tenant.accountId] })
    expect(resumed).toMatchObject({ resumedFrom: stopped.processedRows, processedRows: 5_000, finished: true })
  }, 300_000)

  it('resumes an import whose process dies after its last recorded batch, without duplicating records', async () => {
    const tenant = await createTenant(client)
    const uploaded = await uploadCsv(client, tenant, 'leads', leadsCsv(1_000))
    await checkImport(client, tenant, uploaded.id, LEAD_MAPPING)
    await drainImports(tenant)
    await runImport(client, tenant, uploaded.id)
    const first = await runImportSlice({ leaseMs: 60_000, maxBatches: 2, accountIds: [tenant.accountId] })
    expect(first).toMatchObject({ resumedFrom: 0, processedRows: 500, finished: false })
    expect(await db.lead.count({ where: { accountId: tenant.accountId } })).toBe(500)
    await expireLease(uploaded.id)
    expect(await runImportSlice({ leaseMs: 60_000, accountIds: [tenant.accountId] })).toMatchObject({ resumedFrom: 500, finished: true })
    expect(await readImport(client, tenant, uploaded.id)).toMatchObject({ status: 'done', processedRows: 1_000, problemRows: 0 })
    expect(await db.lead.count({ where: { accountId: tenant.accountId } })).toBe(1_000)
    const sample = await db.lead.findFirst({ where: { accountId: tenant.accountId, externalId: 'L-999' } })
    expect(sample).toMatchObject({ name: 'Lead 999', phone: '+15551000999', email: 'l999@example.com' })
  }, 300_000)

  it('imports customers by external_id', async () => {
    const tenant = await createTenant(client)
    const uploaded = await uploadCsv(client, tenant, 'customers', 'id,full name,email\nC-1,Ann,ann@example.com\nC-2,Ben,ben@\n')
    await checkImport(client, tenant, uploaded.id, [
      { field: 'external_id', column: 'id' },
      { field: 'name', column: 'full name' },
      { field: 'email', column: 'email' },
    ])
    await drainImports(tenant)
    expect((await readImport(client, tenant, uploaded.id)).problems).toEqual([{ line: 3, message: expect.stringMatching(/^email /) }])
    await runImport(client, tenant, uploaded.id)
    await drainImports(tenant)
    const customers = await db.customer.findMany({ where: { accountId: tenant.accountId } })
    expect(customers.map((c) => [c.externalId, c.name, c.email])).toEqual([['C-1', 'Ann', 'ann@example.com']])
  })

  it('answers malformed files, chunks and mappings with a clear 400', async () => {
    const tenant = await createTenant(client)
    const notUtf8 = await uploadCsv(client, tenant, 'leads', Buffer.from([0x61, 0x2c, 0x62, 0x0a, 0xff, 0xfe, 0x2c, 0x31, 0x0a]))
    expect(notUtf8.status).toBe(400)
    expect(notUtf8.errors?.[0]).toMatchObject({ message: expect.stringMatching(/not UTF-8/), extensions: { code: 'BAD_REQUEST' } })

    const unclosed = await uploadCsv(client, tenant, 'leads', 'a,b\n1,"2\n3,4\n')
    expect(unclosed.status).toBe(400)
    expect(unclosed.errors?.[0].message).toMatch(/not valid CSV: Quote Not Closed/)

    const noRows = await uploadCsv(client, tenant, 'leads', 'a,b\n')
    expect(noRows.errors?.[0].message).toBe('The file has a header but no rows')
    const twice = await uploadCsv(client, tenant, 'leads', 'a,a\n1,2\n')
    expect(twice.errors?.[0].message).toBe('The header names the column "a" twice')

    const started = await client.gql(`mutation { startCsvImport(kind: leads, fileName: "x.csv") { id } }`, {}, { cookie: tenant.cookie })
    const id = started.data.startCsvImport.id
    const append = (seq: number, b: string) =>
      client.gql(
        `mutation($id: ID!, $seq: Int!, $b: String!) { appendCsvImportChunk(id: $id, seq: $seq, base64: $b) { chunkCount } }`,
        { id, seq, b },
        { cookie: tenant.cookie },
      )
    expect((await append(0, 'not base64!')).errors?.[0].message).toBe('base64 must be base64-encoded bytes')
    expect((await append(1, 'YQ==')).status).toBe(409)
    expect((await append(0, Buffer.from('External ID,Name\nX,Y\n').toString('base64'))).data.appendCsvImportChunk.chunkCount).toBe(1)
    expect((await append(0, 'YQ==')).data.appendCsvImportChunk.chunkCount).toBe(1) // a retried chunk counts once
    await client.gql(`mutation($id: ID!) { completeCsvUpload(id: $id) { status } }`, { id }, { cookie: tenant.cookie })
    const check = (mapping: unknown) =>
      client.gql(
        `mutation($id: ID!, $m: [CsvColumnMappingInput!]!) { checkCsvImport(id: $id, mapping: $m) { status } }`,
        { id, m: mapping },
        { cookie: tenant.cookie },
      )
    expect((await check([{ field: 'name', column: 'Name' }])).errors?.[0].message).toBe('mapping: a column must be mapped to external_id')
    expect((await check([{ field: 'external_id', column: 'Nope' }])).errors?.[0].message).toBe('mapping: the file has no column "Nope"')
    expect((await check([{ field: 'shoe_size', column: 'Name' }])).errors?.[0].message).toBe('mapping: leads have no field shoe_size')
    // Another account's import is missing, not forbidden.
    const other = await createTenant(client)
    const foreign = await client.gql(`query($id: ID!) { csvImport(id: $id) { id } }`, { id }, { cookie: other.cookie })
    expect(foreign.data.csvImport).toBeNull()
    expect((await client.gql(`mutation($id: ID!) { runCsvImport(id: $id) { id } }`, { id }, { cookie: other.cookie })).status).toBe(404)
  })

  it('needs the write scope of the records it imports', async () => {
    const tenant = await createTenant(client)
    const { secret } = await tenant.createKey({ scopes: ['leads:read'] })
    const refused = await client.gql(`mutation { startCsvImport(kind: leads, fileName: "x.csv") { id } }`, {}, { key: secret })
    expect(refused.status).toBe(403)
    expect(refused.errors?.[0].message).toBe('Insufficient scope: leads:write required')
  })

  it('shows an import only to a caller holding the read scope of its records', async () => {
    const tenant = await createTenant(client)
    const leads = await uploadCsv(client, tenant, 'leads', leadsCsv(2))
    const customers = await uploadCsv(client, tenant, 'customers', 'External ID,Name\nC-1,Ada\n')
    const read = async (key: string) => ({
      list: (await client.gql(`{ csvImports { id } }`, {}, { key })).data?.csvImports.map((row: { id: string }) => row.id),
      leads: await client.gql(`query($id: ID!) { csvImport(id: $id) { id fileName } }`, { id: leads.id }, { key }),
      customers: await client.gql(`query($id: ID!) { csvImport(id: $id) { id fileName } }`, { id: customers.id }, { key }),
    })

    const hub = await read((await tenant.createKey({ scopes: ['read:hub'] })).secret)
    expect(hub.list).toEqual([customers.id])
    expect(hub.customers.data?.csvImport.id).toBe(customers.id)
    expect(hub.leads.status).toBe(403)
    expect(hub.leads.errors?.[0].message).toBe('Insufficient scope: leads:read required')

    const webhooks = await read((await tenant.createKey({ scopes: ['webhooks:read'] })).secret)
    expect(webhooks.list).toEqual([])
    expect(webhooks.customers.errors?.[0].message).toBe('Insufficient scope: read:hub required')
    expect(webhooks.leads.errors?.[0].message).toBe('Insufficient scope: leads:read required')

    expect((await read(tenant.key)).list).toEqual([customers.id, leads.id])
  })
})

describe('CSV export', () => {
  it('exports the filtered list, quoted, with formulas neutralised, and imports back unchanged', async () => {
    const tenant = await createTenant(client)
    await db.lead.createMany({
      data: [
        {
          accountId: tenant.accountId,
          externalId: 'E-1',
          name: '=HYPERLINK("http://evil")',
          phone: '+15552000001',
          pipelineStage: 'follow_up',
        },
        {
          accountId: tenant.accountId,
          externalId: 'E-2',
          name: 'Smith, "Jo"\nline two',
          phone: '+15552000002',
          pipelineStage: 'follow_up',
        },
        { accountId: tenant.accountId, externalId: 'E-3', name: '@SUM(1)', phone: '+15552000003', pipelineStage: 'new_lead' },
      ],
    })
    const exported = await client.gql(
      `query { leadsCsv(stage: follow_up) { fileName rowCount truncated csv } }`,
      {},
      { cookie: tenant.cookie },
    )
    expect(exported.errors).toBeUndefined()
    const { csv, rowCount, truncated, fileName } = exported.data.leadsCsv
    expect({ rowCount, truncated }).toEqual({ rowCount: 2, truncated: false })
    expect(fileName).toMatch(/^leads-\d{4}-\d{2}-\d{2}\.csv$/)
    const rows = parse(csv, { columns: true }) as Record<string, string>[]
    expect(rows.map((r) => [r.external_id, r.name, r.phone, r.pipeline_stage]).sort()).toEqual([
      ['E-1', `'=HYPERLINK("http://evil")`, `'+15552000001`, 'follow_up'],
      ['E-2', 'Smith, "Jo"\nline two', `'+15552000002`, 'follow_up'],
    ])

    // The exported file, imported into another account, gives the same leads.
    const other = await createTenant(client)
    const uploaded = await uploadCsv(client, other, 'leads', csv)
    await checkImport(client, other, uploaded.id, uploaded.data.completeCsvUpload.suggestedMapping)
    await drainImports(other)
    await runImport(client, other, uploaded.id)
    await drainImports(other)
    const copied = await db.lead.findMany({ where: { accountId: other.accountId }, orderBy: { externalId: 'asc' } })
    expect(copied.map((l) => [l.externalId, l.name, l.phone, l.pipelineStage])).toEqual([
      ['E-1', '=HYPERLINK("http://evil")', '+15552000001', 'follow_up'],
      ['E-2', 'Smith, "Jo"\nline two', '+15552000002', 'follow_up'],
    ])
  })

  it('exports customers with a search', async () => {
    const tenant = await createTenant(client)
    await db.customer.createMany({
      data: [
        { accountId: tenant.accountId, name: 'Alice Roof', email: 'alice@example.com' },
        { accountId: tenant.accountId, name: 'Bob Gutter', email: 'bob@example.com' },
      ],
    })
    const exported = await client.gql(`query { customersCsv(search: "roof") { rowCount csv } }`, {}, { cookie: tenant.cookie })
    const rows = parse(exported.data.customersCsv.csv, { columns: true }) as Record<string, string>[]
    expect(rows.map((r) => r.name)).toEqual(['Alice Roof'])
  })
})
