/**
 * `npm run generate`: writes the reviewed artifacts — the SDL printed from the Pothos schema and
 * the two OpenAPI documents — so a change to the schema or a route table shows up in review.
 * test/artifacts.test.ts fails when the committed files are out of date.
 */
import { writeFile } from 'node:fs/promises'
import { openApiDocument } from '../rest/openapi/apis.js'
import { schema } from '../schema/index.js'
import { printedSchema, SCHEMA_PATH } from './print-schema.js'

export const OPENAPI_PATHS = {
  crm: new URL('../rest/openapi/crm.json', import.meta.url),
  leads: new URL('../rest/openapi/leads.json', import.meta.url),
}

export const printedOpenApi = (which: keyof typeof OPENAPI_PATHS) => `${JSON.stringify(openApiDocument(which, schema), null, 2)}\n`

if (process.argv[1]?.endsWith('generate.ts')) {
  await writeFile(SCHEMA_PATH, printedSchema())
  for (const which of ['crm', 'leads'] as const) await writeFile(OPENAPI_PATHS[which], printedOpenApi(which))
  console.log('wrote src/schema/schema.graphql, src/rest/openapi/crm.json, src/rest/openapi/leads.json')
}
