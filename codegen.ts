/**
 * GraphQL Code Generator: typed documents from the committed SDL (src/schema/schema.graphql,
 * printed by `npm run generate:schema`). Runs at install through `npm run build:portal`.
 * Add a target per consumer; the generated files are not committed.
 */
import type { CodegenConfig } from '@graphql-codegen/cli'

const config: CodegenConfig = {
  schema: 'src/schema/schema.graphql',
  ignoreNoDocuments: true,
  generates: {
    // The REST route tables (and the tests): `graphql(...)` returns a typed document string, so a
    // row's `respond` sees the operation's result type and a schema change is a type error there.
    'src/generated/gql/': {
      documents: ['src/rest/**/*.ts'],
      preset: 'client',
      config: {
        documentMode: 'string',
        enumsAsTypes: true,
        useTypeImports: true,
        scalars: { DateTime: 'string', JSON: 'unknown' },
        // Node's ESM resolution (tsx, tsc with NodeNext) needs explicit .js extensions.
        emitLegacyCommonJSImports: false,
      },
      presetConfig: { fragmentMasking: false },
    },
    // The portal: `graphql(...)` in portal/src returns a typed document string.
    'portal/src/gql/': {
      documents: ['portal/src/**/*.{ts,tsx}', '!portal/src/gql/**'],
      preset: 'client',
      config: {
        documentMode: 'string',
        enumsAsTypes: true,
        useTypeImports: true,
        scalars: { DateTime: 'string', JSON: 'unknown' },
      },
      presetConfig: { fragmentMasking: false },
    },
  },
}

export default config
