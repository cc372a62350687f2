/**
 * GraphQL Code Generator: typed documents from the committed SDL (src/schema/schema.graphql,
 * printed by `npm run generate`). Runs at install (`npm run generate:code`); the generated files
 * are not committed. Each consumer writes `graphql(\`…\`)` and gets a typed document string.
 */
import type { CodegenConfig } from '@graphql-codegen/cli'

/** One target: documents found in `sources`, plain strings (no client library needed). */
const typedDocuments = (sources: string[], options: { nodeEsm?: boolean } = {}) => ({
  documents: sources,
  preset: 'client' as const,
  config: {
    documentMode: 'string',
    enumsAsTypes: true,
    useTypeImports: true,
    scalars: { DateTime: 'string', JSON: 'unknown' },
    // Node's ESM resolution (tsx, tsc with NodeNext) needs explicit .js extensions.
    ...(options.nodeEsm ? { emitLegacyCommonJSImports: false } : {}),
  },
  presetConfig: { fragmentMasking: false },
})

const config: CodegenConfig = {
  schema: 'src/schema/schema.graphql',
  ignoreNoDocuments: true,
  generates: {
    // The REST route tables: a row's `respond` sees its operation's result type.
    'src/generated/gql/': typedDocuments(['src/rest/**/*.ts'], { nodeEsm: true }),
    // The tests' fixtures.
    'test/generated/gql/': typedDocuments(['test/support/**/*.ts'], { nodeEsm: true }),
    // The portal (bundled by Next.js).
    'portal/src/gql/': typedDocuments(['portal/src/**/*.{ts,tsx}', '!portal/src/gql/**']),
  },
}

export default config
