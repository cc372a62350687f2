/**
 * Writes the SQL that brings the committed migrations up to prisma/schema.prisma, as a new
 * folder in Prisma's layout (prisma/migrations/<timestamp>_<name>/migration.sql).
 *
 * `prisma migrate dev` needs a native schema engine that cannot be downloaded everywhere; the
 * same engine compiled to WebAssembly computes the diff offline, replaying the existing
 * migrations into an in-memory PGlite "shadow" database.
 *
 * Usage: npm run db:make-migration -- <name>
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import path from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm'
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils'
import * as engineBindings from '@prisma/schema-engine-wasm/schema_engine_bg'
import { PrismaPGlite } from 'pglite-prisma-adapter'

// The package imports its .wasm as an ES module (a bundler convention Node lacks): instantiate
// it by hand against the JS bindings, as the package's own entry point would.
const bindingsPath = createRequire(import.meta.url).resolve('@prisma/schema-engine-wasm/schema_engine_bg')
const wasmPath = bindingsPath.replace(/\.js$/, '.wasm')
const { instance } = await WebAssembly.instantiate(await readFile(wasmPath), {
  './schema_engine_bg.js': engineBindings as unknown as WebAssembly.ModuleImports,
})
engineBindings.__wbg_set_wasm(instance.exports)
;(instance.exports.__wbindgen_start as () => void)()
const { SchemaEngine } = engineBindings

const root = path.resolve(import.meta.dirname, '../..')
const migrationsDir = path.join(root, 'prisma/migrations')
const schemaPath = path.join(root, 'prisma/schema.prisma')

const name = (process.argv[2] ?? '').replace(/[^a-z0-9_]/gi, '_')
if (!name) {
  console.error('usage: npm run db:make-migration -- <name>')
  process.exit(2)
}

const newPglite = () => new PGlite({ extensions: { pg_trgm } })
const factory = {
  provider: 'postgres' as const,
  adapterName: 'pglite-with-extensions',
  connect: () => new PrismaPGlite(newPglite()).connect(),
  connectToShadowDb: () => new PrismaPGlite(newPglite()).connect(),
}

const schema = await readFile(schemaPath, 'utf8')
const dirs = (await readdir(migrationsDir, { withFileTypes: true }).catch(() => []))
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort()
const migrationDirectories = await Promise.all(
  dirs.map(async (dir) => ({
    path: dir,
    migrationFile: {
      path: 'migration.sql',
      content: { tag: 'ok' as const, value: await readFile(path.join(migrationsDir, dir, 'migration.sql'), 'utf8') },
    },
  })),
)

const engine = await SchemaEngine.new(
  { datamodels: [[schemaPath, schema]] },
  () => {},
  bindMigrationAwareSqlAdapterFactory(factory as never),
)
const result = await engine.diff({
  from: {
    tag: 'migrations',
    baseDir: migrationsDir,
    lockfile: { path: 'migration_lock.toml', content: 'provider = "postgresql"\n' },
    shadowDbInitScript: '',
    migrationDirectories: migrationDirectories as never,
  },
  to: { tag: 'schemaDatamodel', files: [{ path: schemaPath, content: schema }] },
  script: true,
  exitCode: null,
  filters: { externalTables: [], externalEnums: [] },
})

// The engine re-emits CREATE EXTENSION on every diff (PGlite's shadow database does not report
// extensions back); an extension an earlier migration created is not a change.
const existing = migrationDirectories.map((d) => d.migrationFile.content.value).join('\n')
const sql = (result.stdout ?? '').replace(
  /-- CreateExtension\n(CREATE EXTENSION IF NOT EXISTS "[\w-]+";)\n*/g,
  (statement, create: string) => (existing.includes(create) ? '' : statement),
)
if (!sql.trim() || /^-- This is an empty migration/.test(sql.trim())) {
  console.log('schema.prisma matches the migrations: nothing to write')
  process.exit(0)
}
const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14)
const dir = path.join(migrationsDir, `${stamp}_${name}`)
await mkdir(dir, { recursive: true })
await writeFile(path.join(dir, 'migration.sql'), sql)
await writeFile(path.join(migrationsDir, 'migration_lock.toml'), 'provider = "postgresql"\n')
console.log(`wrote ${path.relative(root, dir)}/migration.sql`)
process.exit(0)
