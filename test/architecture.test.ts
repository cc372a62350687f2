/**
 * The tree shows the architecture: src/ reads in the order a request travels, and no module imports
 * from a layer above its own (docs/architecture.md lists the layers). A new import that runs back up
 * fails here, naming the file and the import.
 */
import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'

const src = path.resolve(import.meta.dirname, '../src')

/** Top to bottom; a module may import from its own layer and the ones below. */
const layers: string[][] = [
  ['main.ts', 'cli'],
  ['app.ts'],
  ['endpoints', 'rest'],
  ['schema'],
  ['services'],
  ['context'],
  ['http'],
  ['db'],
  ['crypto.ts', 'env.ts', 'errors.ts', 'generated'],
]

const layerOf = (file: string) => {
  const top = path.relative(src, file).split(path.sep)[0].replace(/\.js$/, '.ts')
  const index = layers.findIndex((layer) => layer.includes(top))
  if (index < 0)
    throw new Error(`${path.relative(src, file)} is in no layer: add its folder to test/architecture.test.ts and docs/architecture.md`)
  return index
}

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true })
  const files = await Promise.all(
    entries.map((entry) => {
      const full = path.join(dir, entry.name)
      if (entry.isDirectory()) return entry.name === 'generated' ? [] : sourceFiles(full)
      return entry.name.endsWith('.ts') ? [full] : []
    }),
  )
  return files.flat()
}

const importsOf = (source: string) => [...source.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map((m) => m[1])

describe('the layers of src/', () => {
  it('no module imports from a layer above its own', async () => {
    const upward: string[] = []
    for (const file of await sourceFiles(src)) {
      const own = layerOf(file)
      for (const specifier of importsOf(await readFile(file, 'utf8'))) {
        const target = path.resolve(path.dirname(file), specifier)
        if (layerOf(target) < own) upward.push(`${path.relative(src, file)} imports ${specifier}`)
      }
    }
    expect(upward).toEqual([])
  })

  it('route tables reach data only through their GraphQL operations', async () => {
    const tables = ['rest/v1.ts', 'rest/hub.ts', 'rest/leads.ts'].map((f) => path.join(src, f))
    for (const table of tables) {
      const imports = importsOf(await readFile(table, 'utf8'))
      expect(
        imports.filter((i) => /\/db\//.test(i) || /services\//.test(i)),
        table,
      ).toEqual([])
    }
  })
})
