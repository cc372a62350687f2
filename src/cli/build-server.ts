/**
 * The processes an operator runs (`npm start`, `npm run db:migrate`, `npm run worker`, `npm run admin`) are ES
 * modules bundled from our TypeScript by esbuild (~1 s, at install and again before each run where
 * esbuild is installed, so they are never stale): plain Node runs them without tsx, so a
 * production install (`npm ci --omit=dev`) needs neither tsx nor esbuild, and no tsx loader costs
 * the server memory (its hooks thread and transpiled sources, ~50 MB). Dependencies stay where they
 * are, imported from node_modules. There is no source map (Node would keep it in memory); stack
 * traces name our functions and the bundle's lines, which carry `// src/…` file markers.
 * `npm run dev` runs the sources under tsx.
 *
 * Without arguments it also makes the embedded database's cluster template (src/db/pglite-template.ts)
 * unless the installed PGlite already made it, so a first start need not run PGlite's `initdb`.
 *
 * Usage: `tsx src/cli/build-server.ts [entry.ts out.mjs]` (default: every bundle in BUNDLES, and the template).
 */
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { build, type Metafile, type Plugin } from 'esbuild'
import { buildPgliteTemplate } from '../db/pglite-init.js'

const root = path.resolve(import.meta.dirname, '../..')

/** Entry point → bundle, for the scripts of package.json that run without tsx. */
export const BUNDLES = {
  'src/main.ts': 'src/generated/main.mjs',
  'src/cli/migrate.ts': 'src/generated/cli/migrate.mjs',
  'src/cli/worker.ts': 'src/generated/cli/worker.mjs',
  'src/cli/admin.ts': 'src/generated/cli/admin.mjs',
} as const

export async function buildServer(entry = 'src/main.ts', outfile = 'src/generated/main.mjs'): Promise<string> {
  return (await bundle(entry, outfile)).outfile
}

/** Builds one bundle; its metafile lists what it imports. */
export async function bundle(entry: string, outfile: string): Promise<{ outfile: string; metafile: Metafile }> {
  const out = path.resolve(root, outfile)
  const { metafile } = await build({
    entryPoints: [path.resolve(root, entry)],
    outfile: out,
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'warning',
    metafile: true,
    banner: { js: "import { fileURLToPath as __toPath } from 'node:url'; import { dirname as __dirOf } from 'node:path';" },
    plugins: [keepModuleLocations(path.dirname(out))],
  })
  return { outfile: out, metafile }
}

/**
 * Our modules find their files relative to themselves (migrations, the portal's pages, the
 * OpenAPI examples, the generated Prisma client's directory). In one bundle they would all share
 * the bundle's location, so each keeps its own: `import.meta.url`/`dirname`/`filename` become the
 * source file's, as under tsx. They are resolved from the bundle's own URL at run time, so a built
 * tree still works when it is copied elsewhere (a container's build stage to its runtime stage).
 */
const keepModuleLocations = (outDir: string): Plugin => ({
  name: 'keep-module-locations',
  setup(builder) {
    builder.onLoad({ filter: /\.ts$/ }, async ({ path: file }) => {
      const url = `new URL(${JSON.stringify(path.relative(outDir, file).split(path.sep).join('/'))}, import.meta.url)`
      const source = await readFile(file, 'utf8')
      const contents = source
        .replaceAll('import.meta.url', `${url}.href`)
        .replaceAll('import.meta.dirname', `__dirOf(__toPath(${url}))`)
        .replaceAll('import.meta.filename', `__toPath(${url})`)
      return { contents, loader: 'ts' }
    })
  },
})

if (process.argv[1] === import.meta.filename) {
  const [entry, outfile] = process.argv.slice(2)
  if (entry) await buildServer(entry, outfile)
  else {
    await Promise.all(Object.entries(BUNDLES).map(([from, to]) => bundle(from, to)))
    await buildPgliteTemplate()
  }
}
