/**
 * Creates the embedded database's cluster (PostgreSQL's `initdb`) without running `initdb` in the
 * server: by copying the cluster template made at install (./pglite-template.ts), or, when there
 * is none for the installed PGlite, in a short-lived child process.
 *
 * PGlite 0.5 runs `initdb` inside the process that opens the database: a second PostgreSQL
 * instance, a full copy of its 128 MB WebAssembly heap and a tarball of the new cluster, which
 * take the process to ~800 MB and of which ~160 MB stay referenced for the life of the process
 * (docs/performance.md#the-embedded-databases-memory). Copying the template is a file copy; a
 * child returns all of that memory to the system when it exits. Either way the server then opens
 * the cluster as on every later start.
 *
 * The cluster is built in a sibling folder that is renamed into place only once complete, so a
 * start killed half-way leaves no half-made cluster behind: the next start simply begins again.
 */
import { execFile } from 'node:child_process'
import { access, chmod, cp, mkdir, readdir, rename, rm, rmdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { promisify } from 'node:util'
import { PGLITE_TEMPLATE_DIR, pgliteVersion, templateCluster } from './pglite-template.js'

const run = promisify(execFile)
/** initdb takes seconds; a child still running after this is stuck, and start-up fails with that cause. */
const INITDB_TIMEOUT_MS = 300_000

// Runs in the child: argv is [node, PGlite's module URL, data folder, start parameters as JSON].
const CHILD = `
const [, moduleUrl, dataDir, startParams] = process.argv
const { PGlite } = await import(moduleUrl)
const pglite = await PGlite.create({ dataDir, startParams: JSON.parse(startParams) })
await pglite.close()
`

const exists = (file: string) =>
  access(file).then(
    () => true,
    () => false,
  )

/**
 * Makes `dir` a PostgreSQL cluster unless it already is one: a copy of the template in
 * `templateDir` when it was made by the installed PGlite, otherwise a new one from `initdb` in a
 * child process. A folder that exists with other content is left to PGlite as it is (never
 * deleted here). Returns how the cluster was made (`undefined`: it was not).
 */
export async function initialisePgliteDir(
  dir: string,
  startParams: string[],
  templateDir: string | null = PGLITE_TEMPLATE_DIR,
): Promise<'template' | 'initdb' | undefined> {
  if (await exists(`${dir}/PG_VERSION`)) return undefined
  const content = await readdir(dir).catch(() => undefined)
  if (content && content.length > 0) return undefined
  const building = `${dir}.initdb`
  await rm(building, { recursive: true, force: true })
  const template = templateDir ? await templateCluster(templateDir) : undefined
  const copied = template !== undefined && (await copyTemplate(template, building))
  if (!copied) await initdbInChild(dir, building, startParams)
  if (content) await rmdir(dir)
  await rename(building, dir)
  return copied ? 'template' : 'initdb'
}

/** Copies the template's cluster; an unreadable template leaves nothing behind and answers false. */
async function copyTemplate(template: string, building: string): Promise<boolean> {
  try {
    await cp(template, building, { recursive: true, errorOnExist: true })
    return true
  } catch {
    await rm(building, { recursive: true, force: true })
    return false
  }
}

async function initdbInChild(dir: string, building: string, startParams: string[]): Promise<void> {
  const moduleUrl = import.meta.resolve('@electric-sql/pglite')
  try {
    await run(process.execPath, ['--input-type=module', '-e', CHILD, moduleUrl, building, JSON.stringify(startParams)], {
      maxBuffer: 16 * 2 ** 20,
      timeout: INITDB_TIMEOUT_MS,
    })
  } catch (error) {
    await rm(building, { recursive: true, force: true })
    const { stderr } = error as { stderr?: string }
    throw new Error(`creating the embedded database in ${dir} failed${stderr ? `: ${stderr.trim()}` : ''}`, { cause: error })
  }
}

/**
 * Makes the template in `templateDir` unless the installed PGlite already made the one there.
 * It is built beside and renamed into place, so an interrupted build leaves no template.
 */
export async function buildPgliteTemplate(templateDir = PGLITE_TEMPLATE_DIR): Promise<'built' | 'current'> {
  if (await templateCluster(templateDir)) return 'current'
  const { PGlite } = await import('@electric-sql/pglite')
  const building = `${templateDir}.building`
  await rm(building, { recursive: true, force: true })
  await mkdir(building, { recursive: true })
  await initialisePgliteDir(path.join(building, 'cluster'), PGlite.defaultStartParams, null)
  await writeFile(path.join(building, 'pglite-version'), `${await pgliteVersion()}\n`)
  await readOnlyForOthers(building)
  await rm(templateDir, { recursive: true, force: true })
  await rename(building, templateDir)
  return 'built'
}

/**
 * PGlite writes its files world-writable (0666); the template is shared by every first start of
 * an installation (in a container image, by every container), so only its owner may change it.
 * Copies take these modes, which suit a DATA_DIR too.
 */
async function readOnlyForOthers(dir: string): Promise<void> {
  await chmod(dir, 0o755)
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true }))
    await chmod(path.join(entry.parentPath, entry.name), entry.isDirectory() ? 0o755 : 0o644)
}
