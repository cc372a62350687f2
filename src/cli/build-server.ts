/**
 * `npm start` runs the server as one ES module bundled from our TypeScript by esbuild (~1 s, before
 * every start, so it is never stale): plain Node then runs it without tsx's loader, whose hooks
 * thread and transpiled sources cost ~50 MB of a server that must stay under 300 MB (README,
 * Performance). Dependencies stay where they are, imported from node_modules as before. There is
 * no source map (Node would keep it in memory); stack traces name our functions and the bundle's
 * lines, which carry `// src/…` file markers. `npm run dev` runs the sources under tsx.
 *
 * Usage: `tsx src/cli/build-server.ts [entry.ts out.mjs]` (default: src/main.ts → src/generated/main.mjs).
 */
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { build, type Plugin } from 'esbuild'

const root = path.resolve(import.meta.dirname, '../..')

export async function buildServer(entry = 'src/main.ts', outfile = 'src/generated/main.mjs'): Promise<string> {
  const out = path.resolve(root, outfile)
  await build({
    entryPoints: [path.resolve(root, entry)],
    outfile: out,
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'warning',
    plugins: [keepModuleLocations],
  })
  return out
}

/**
 * Our modules find their files relative to themselves (migrations, the portal's pages, the
 * OpenAPI examples, the generated Prisma client's directory). In one bundle they would all share
 * the bundle's location, so each keeps its own: `import.meta.url`/`dirname`/`filename` become the
 * source file's, as under tsx.
 */
const keepModuleLocations: Plugin = {
  name: 'keep-module-locations',
  setup(builder) {
    builder.onLoad({ filter: /\.ts$/ }, async ({ path: file }) => {
      const source = await readFile(file, 'utf8')
      const contents = source
        .replaceAll('import.meta.url', JSON.stringify(pathToFileURL(file).href))
        .replaceAll('import.meta.dirname', JSON.stringify(path.dirname(file)))
        .replaceAll('import.meta.filename', JSON.stringify(file))
      return { contents, loader: 'ts' }
    })
  },
}

if (process.argv[1] === import.meta.filename) {
  const [entry, outfile] = process.argv.slice(2)
  await buildServer(entry, outfile)
}
