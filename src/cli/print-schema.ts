/**
 * Prints the Pothos schema as SDL to src/schema/schema.graphql (written by `npm run generate`), the
 * committed, reviewed artifact that codegen.ts generates typed documents from; test/artifacts.test.ts
 * compares it with the file.
 */
import { lexicographicSortSchema, printSchema } from 'graphql'
import { schema } from '../schema/index.js'

export const SCHEMA_PATH = new URL('../schema/schema.graphql', import.meta.url)

export const printedSchema = () => `${printSchema(lexicographicSortSchema(schema))}\n`
