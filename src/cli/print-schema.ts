/**
 * `npm run generate:schema`: prints the Pothos schema as SDL to src/schema/schema.graphql, the
 * committed, reviewed artifact that codegen.ts generates typed documents from. A staleness test
 * can import `printedSchema` and compare it with the file.
 */
import { writeFile } from 'node:fs/promises'
import { pathToFileURL } from 'node:url'
import { lexicographicSortSchema, printSchema } from 'graphql'
import { schema } from '../schema/index.js'

export const SCHEMA_PATH = new URL('../schema/schema.graphql', import.meta.url)

export const printedSchema = () => `${printSchema(lexicographicSortSchema(schema))}\n`

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await writeFile(SCHEMA_PATH, printedSchema())
  console.log(`wrote ${SCHEMA_PATH.pathname}`)
}
