/**
 * The reviewed artifacts stay true: the committed SDL and OpenAPI documents match what the code
 * generates, the documents pass a standard OpenAPI linter, the served documents are the generated
 * ones, and /graphql passes the GraphQL-over-HTTP server audit.
 */
import { readFile } from 'node:fs/promises'
import { createConfig, lintFromString } from '@redocly/openapi-core'
import { Ajv2020 } from 'ajv/dist/2020.js'
import addFormats from 'ajv-formats'
import { auditServer } from 'graphql-http'
import { beforeAll, describe, expect, it } from 'vitest'
import { OPENAPI_PATHS, printedOpenApi } from '../src/cli/generate.js'
import { printedSchema, SCHEMA_PATH } from '../src/cli/print-schema.js'
import { type TestClient, testApp } from './support/app.js'
import { withComponents } from './support/contract.js'

let client: TestClient
beforeAll(async () => {
  client = await testApp()
})

describe('committed artifacts', () => {
  it('src/schema/schema.graphql is the printed schema (run `npm run generate`)', async () => {
    expect(await readFile(SCHEMA_PATH, 'utf8')).toBe(printedSchema())
  })

  it.each(['crm', 'leads'] as const)('src/rest/openapi/%s.json is the generated document (run `npm run generate`)', async (which) => {
    expect(await readFile(OPENAPI_PATHS[which], 'utf8')).toBe(printedOpenApi(which))
  })
})

describe('OpenAPI documents', () => {
  it.each(['crm', 'leads'] as const)('/openapi/%s.json is served and passes the Redocly linter (recommended rules)', async (which) => {
    const response = await client.call('GET', `/openapi/${which}.json`)
    expect(response.status).toBe(200)
    const served = await response.json()
    expect(served).toEqual(JSON.parse(printedOpenApi(which)))
    const config = await createConfig({ extends: ['recommended'], rules: { 'info-license': 'off', 'info-license-url': 'off' } })
    const problems = await lintFromString({ source: JSON.stringify(served), absoluteRef: `${which}.json`, config })
    const errors = problems.filter((p) => p.severity === 'error')
    expect(errors.map((p) => `${p.ruleId}: ${p.message} at ${p.location[0]?.pointer}`)).toEqual([])
  })

  it.each(['crm', 'leads'] as const)('%s: every success example (captured from the demo data) matches its schema', async (which) => {
    const doc = JSON.parse(printedOpenApi(which)) as {
      components?: object
      paths: Record<
        string,
        Record<string, { responses: Record<string, { content?: Record<string, { schema: object; example?: unknown }> }> }>
      >
    }
    const ajv = new Ajv2020({ strict: false, allErrors: true })
    ;(addFormats as unknown as (a: Ajv2020) => void)(ajv)
    let checked = 0
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(methods)) {
        const json = operation.responses['200']?.content?.['application/json']
        if (!json?.example) continue
        const validate = ajv.compile(withComponents(json.schema, doc))
        expect(validate(json.example), `${method} ${path}: ${ajv.errorsText(validate.errors)}`).toBe(true)
        checked++
      }
    }
    expect(checked).toBeGreaterThanOrEqual(which === 'crm' ? 15 : 6)
  })

  it('/docs renders the reference from local assets', async () => {
    const html = await (await client.call('GET', '/docs')).text()
    expect(html).toContain('/docs/assets/swagger-ui-bundle.js')
    expect(html).not.toMatch(/https?:\/\/(?!.*localhost)/)
    const asset = await client.call('GET', '/docs/assets/swagger-ui-bundle.js')
    expect(asset.status).toBe(200)
    expect(asset.headers.get('content-type')).toMatch(/javascript/)
    expect((await client.call('GET', '/docs/assets/../../package.json')).status).toBe(404)
  })
})

describe('GraphQL over HTTP', () => {
  it('/graphql passes the graphql-http server audit with no errors', async () => {
    const fetchFn = (input: RequestInfo | URL, init?: RequestInit) => client.app.fetch(new Request(input, init))
    const results = await auditServer({ url: 'http://crm.test/graphql', fetchFn })
    const failures = results.filter((r) => r.status === 'error')
    expect(failures.map((r) => `${r.id} ${r.name}: ${'reason' in r ? r.reason : ''}`)).toEqual([])
  })
})
