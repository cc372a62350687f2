/**
 * What a production install runs: the bundles of `npm start`, `npm run db:migrate` and
 * `npm run worker`, under plain node. `npm ci --omit=dev` installs only `dependencies`, so every
 * package a bundle imports must be one of them; a container copies the built tree from its build
 * stage to its runtime stage, so no bundle may name the directory it was built in.
 */
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { builtinModules } from 'node:module'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { BUNDLES, bundle } from '../src/cli/build-server.js'

const root = path.resolve(import.meta.dirname, '..')
const { dependencies } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string> }
const dirs: string[] = []
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))))

const packageOf = (specifier: string) =>
  specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/')
const isBuiltin = (specifier: string) => specifier.startsWith('node:') || builtinModules.includes(packageOf(specifier))

/** Built into a folder of this test's own, so it never rewrites a bundle another test is running. */
const build = (entry: string) =>
  bundle(entry, BUNDLES[entry as keyof typeof BUNDLES].replace(/^src\/generated\//, 'test/generated/production/'))

function run(file: string, env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  // From another directory: the bundle must find the migrations relative to itself, not the cwd.
  const child = spawn(process.execPath, [file], {
    cwd: tmpdir(),
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout.on('data', (d) => (output += d))
  child.stderr.on('data', (d) => (output += d))
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, output })))
}

describe('production bundles', () => {
  it.each(Object.keys(BUNDLES))('%s imports only production dependencies and names no build directory', async (entry) => {
    const { outfile, metafile } = await build(entry)
    const imported = new Set(
      metafile.outputs[path.relative(process.cwd(), outfile)].imports
        .filter((i) => i.external && !isBuiltin(i.path))
        .map((i) => packageOf(i.path)),
    )
    expect(imported.size).toBeGreaterThan(0)
    expect([...imported].filter((name) => !(name in dependencies))).toEqual([])
    expect(readFileSync(outfile, 'utf8')).not.toContain(root)
  })

  it("`npm run db:migrate`'s bundle migrates a new embedded database, then finds it up to date", async () => {
    const { outfile } = await build('src/cli/migrate.ts')
    const dataDir = await mkdtemp(path.join(tmpdir(), 'crm-migrate-'))
    dirs.push(dataDir)
    const first = await run(outfile, { DATA_DIR: dataDir })
    expect(first).toMatchObject({ code: 0, output: expect.stringMatching(/^applied: \d{4}/) })
    const second = await run(outfile, { DATA_DIR: dataDir })
    expect(second).toMatchObject({ code: 0, output: expect.stringContaining('database is up to date') })
  }, 300_000) // two starts of the embedded database: ~30 s on a busy machine, minutes on an overloaded one
})
