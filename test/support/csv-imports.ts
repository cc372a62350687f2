/** Driving a CSV import through its GraphQL operations, and running its job until it is idle. */
import { expect } from 'vitest'
import { runImportSlice } from '../../src/schema/csv/runner.js'
import type { TestClient } from './app.js'
import type { Tenant } from './tenants.js'

export const IMPORT_FIELDS = `id status columns totalRows processedRows problemRows createdRows updatedRows
  suggestedMapping { field column } problems(first: 500) { line message }`

/** Starts an import and sends `bytes` in chunks of `chunkBytes`; the answer of completeCsvUpload. */
export async function uploadCsv(
  client: TestClient,
  tenant: Tenant,
  kind: 'leads' | 'customers',
  bytes: Buffer | string,
  chunkBytes = 256 * 1024,
) {
  const data = typeof bytes === 'string' ? Buffer.from(bytes) : bytes
  const started = await client.gql(
    `mutation($kind: CsvImportKind!) { startCsvImport(kind: $kind, fileName: "test.csv") { id } }`,
    { kind },
    { cookie: tenant.cookie },
  )
  expect(started.errors, JSON.stringify(started.errors)).toBeUndefined()
  const id = started.data.startCsvImport.id as string
  for (let seq = 0; seq * chunkBytes < data.length; seq++) {
    const chunk = data.subarray(seq * chunkBytes, (seq + 1) * chunkBytes)
    const sent = await client.gql(
      `mutation($id: ID!, $seq: Int!, $b: String!) { appendCsvImportChunk(id: $id, seq: $seq, base64: $b) { chunkCount } }`,
      { id, seq, b: chunk.toString('base64') },
      { cookie: tenant.cookie },
    )
    expect(sent.errors, JSON.stringify(sent.errors)).toBeUndefined()
  }
  const completed = await client.gql(
    `mutation($id: ID!) { completeCsvUpload(id: $id) { ${IMPORT_FIELDS} } }`,
    { id },
    { cookie: tenant.cookie },
  )
  return { id, ...completed }
}

export async function checkImport(client: TestClient, tenant: Tenant, id: string, mapping: { field: string; column: string }[]) {
  const result = await client.gql(
    `mutation($id: ID!, $m: [CsvColumnMappingInput!]!) { checkCsvImport(id: $id, mapping: $m) { status } }`,
    { id, m: mapping },
    { cookie: tenant.cookie },
  )
  expect(result.errors, JSON.stringify(result.errors)).toBeUndefined()
}

export async function runImport(client: TestClient, tenant: Tenant, id: string) {
  const result = await client.gql(`mutation($id: ID!) { runCsvImport(id: $id) { status } }`, { id }, { cookie: tenant.cookie })
  expect(result.errors, JSON.stringify(result.errors)).toBeUndefined()
}

export async function readImport(client: TestClient, tenant: Tenant, id: string) {
  const result = await client.gql(`query($id: ID!) { csvImport(id: $id) { ${IMPORT_FIELDS} } }`, { id }, { cookie: tenant.cookie })
  expect(result.errors, JSON.stringify(result.errors)).toBeUndefined()
  return result.data.csvImport
}

/** Runs the import job for the tenant until nothing is due. */
export async function drainImports(tenant: Tenant, leaseMs = 60_000) {
  while (await runImportSlice({ leaseMs, accountIds: [tenant.accountId] }));
}
