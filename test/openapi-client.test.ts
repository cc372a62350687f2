/**
 * The served OpenAPI documents are what a client generator needs: openapi-typescript turns them
 * into types, and a small integrator's program type-checks against them under `--strict` — and
 * fails to where it gets a field, a required input or a nullability wrong.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import openapiTS, { astToString } from 'openapi-typescript'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type TestClient, testApp } from './support/app.js'
import { typeErrors } from './support/type-check.js'

const folder = mkdtempSync(path.join(tmpdir(), 'openapi-client-'))
let client: TestClient

beforeAll(async () => {
  client = await testApp()
  for (const name of ['crm', 'leads']) {
    const served = await client.call('GET', `/openapi/${name}.json`)
    expect(served.status).toBe(200)
    writeFileSync(path.join(folder, `${name}.ts`), astToString(await openapiTS(await served.text())))
  }
}, 120_000)
afterAll(() => rmSync(folder, { recursive: true, force: true }))

/** The integrator's program: what a typed client lets them write. */
const program = `
import type { components as Crm, operations as CrmOps } from './crm.js'
import type { components as Leads, operations as LeadOps } from './leads.js'

type Json<Op, Status extends number> = Op extends { responses: infer R }
  ? Status extends keyof R ? R[Status] extends { content: { 'application/json': infer B } } ? B : never : never
  : never
type Body<Op> = Op extends { requestBody?: { content: { 'application/json': infer B } } } ? B : never

// Named component schemas per resource, and single-resource bodies that are not nullable.
export const customerName = (answer: Json<CrmOps['getCustomer'], 200>): string | null => answer.data.name
export const leadStage = (answer: Json<LeadOps['apiGetLead'], 200>): Leads['schemas']['Lead']['pipeline_stage'] => answer.data.pipeline_stage
export const names = (page: Json<CrmOps['listCustomers'], 200>): (string | null)[] => page.data.map((c: Crm['schemas']['Customer']) => c.name)
// An offset page always carries its total; a cursor page (?cursor=) says where to continue.
type CustomerList = Json<CrmOps['listCustomers'], 200>
export const total = (page: CustomerList): number | null => ('offset' in page.pagination ? page.pagination.total : null)
export const next = (page: CustomerList): string | null => ('has_more' in page.pagination && page.pagination.has_more ? page.pagination.next_cursor : null)

// One-of-required inputs: an upsert names the customer by id or by external_id.
export const byExternalId: Body<CrmOps['upsertCustomer']> = { external_id: 'crm-42', name: 'Ada' }
export const byId: Body<CrmOps['upsertCustomer']> = { id: '0198c0de-0000-7000-8000-000000000000' }
// @ts-expect-error neither id nor external_id
export const anonymous: Body<CrmOps['upsertCustomer']> = { name: 'Ada' }
// @ts-expect-error a name is a string
export const wrongType: Body<CrmOps['upsertCustomer']> = { external_id: 'crm-42', name: 42 }
export const lead: Body<LeadOps['apiCreateLead']> = { phone: '+15555550100', pipeline_stage: 'quoted' }
// @ts-expect-error stages are an enum
export const badStage: Body<LeadOps['apiCreateLead']> = { phone: '+15555550100', pipeline_stage: 'maybe' }

// The errors and the rate-limit headers a client handles.
export const limited = (answer: Json<CrmOps['listCustomers'], 429>): string => answer.message
export const apiError = (answer: Json<LeadOps['apiGetLead'], 404>): string => answer.error
type Headers429 = CrmOps['listCustomers']['responses'][429]['headers']
export const retryAfter = (headers: Headers429): number | undefined => headers['Retry-After']
export const remaining = (headers: CrmOps['listCustomers']['responses'][200]['headers']): number => headers['RateLimit-Remaining']
`

function typeCheck(source: string): string[] {
  const file = path.join(folder, 'program.ts')
  writeFileSync(file, source)
  return typeErrors(file)
}

describe('a typed client generated from the OpenAPI documents', () => {
  it('type-checks an integrator program under --strict', () => {
    expect(typeCheck(program)).toEqual([])
  }, 120_000)

  it('catches a program that reads a field the API does not have', () => {
    const errors = typeCheck(`${program}\nexport const nope = (answer: Json<CrmOps['getCustomer'], 200>) => answer.data.nickname\n`)
    expect(errors.join('\n')).toMatch(/nickname/)
  }, 120_000)
})
