/**
 * The embedded database's cluster is copied from the install's template, or made in a child
 * process when the template is not the installed PGlite's, and moved into place only once
 * complete: a fresh DATA_DIR opens and keeps what is written across a reopen, a copy of the
 * template takes the migrations and pg_trgm, the leftovers of a start killed half-way are replaced,
 * and a folder with unknown content is never deleted.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connectDb, disconnectDb } from '../src/db/client.js'
import { migrate } from '../src/db/migrate.js'
import { buildPgliteTemplate, initialisePgliteDir } from '../src/db/pglite-init.js'

const dirs: string[] = []
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))))

async function dataDir() {
  const dir = await mkdtemp(path.join(tmpdir(), 'crm-pglite-init-'))
  dirs.push(dir)
  return dir
}

describe('initialisePgliteDir', () => {
  it('makes a cluster that opens and keeps its rows across a reopen', async () => {
    const dir = path.join(await dataDir(), 'pglite')
    await initialisePgliteDir(dir, PGlite.defaultStartParams, null)
    const first = await PGlite.create({ dataDir: dir })
    await first.exec(`CREATE TABLE kept (note text); INSERT INTO kept VALUES ('still here')`)
    await first.close()
    const second = await PGlite.create({ dataDir: dir })
    expect((await second.query<{ note: string }>('SELECT note FROM kept')).rows).toEqual([{ note: 'still here' }])
    await second.close()
    expect(await readdir(path.dirname(dir))).toEqual(['pglite'])
  }, 120_000)

  it('replaces what a start killed half-way left behind', async () => {
    const root = await dataDir()
    const dir = path.join(root, 'pglite')
    await mkdir(dir)
    await mkdir(`${dir}.initdb`)
    await writeFile(`${dir}.initdb/PG_VERSION`, 'half made')
    await initialisePgliteDir(dir, PGlite.defaultStartParams, null)
    expect((await readFile(path.join(dir, 'PG_VERSION'), 'utf8')).trim()).toMatch(/^\d+$/)
    expect(await readdir(root)).toEqual(['pglite'])
  }, 120_000)

  it('leaves a folder with other content alone', async () => {
    const dir = path.join(await dataDir(), 'pglite')
    await mkdir(dir)
    await writeFile(path.join(dir, 'notes.txt'), 'not a database')
    await initialisePgliteDir(dir, PGlite.defaultStartParams)
    expect(await readdir(dir)).toEqual(['notes.txt'])
  })
})

describe('a first start from the template', () => {
  let template: string
  beforeAll(async () => {
    template = path.join(await dataDir(), 'pglite-template')
    expect(await buildPgliteTemplate(template)).toBe('built')
    expect(await buildPgliteTemplate(template)).toBe('current')
    // A table only the template has tells a copy of it from a cluster made by initdb.
    const pglite = await PGlite.create({ dataDir: path.join(template, 'cluster') })
    await pglite.exec('CREATE TABLE from_template (id int)')
    await pglite.close()
  }, 180_000)

  const tables = async (dir: string) => {
    const pglite = await PGlite.create({ dataDir: dir })
    const { rows } = await pglite.query<{ name: string }>(`SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'`)
    await pglite.close()
    return rows.map((r) => r.name)
  }

  it('copies the template, which takes the migrations, the memory settings and pg_trgm', async () => {
    const root = await dataDir()
    expect(await initialisePgliteDir(path.join(root, 'pglite'), PGlite.defaultStartParams, template)).toBe('template')
    expect(await readdir(root)).toEqual(['pglite'])
    // Shared by every first start, the template is writable by its owner only, and so are copies.
    expect((await stat(path.join(template, 'cluster/PG_VERSION'))).mode & 0o777).toBe(0o644)
    expect((await stat(path.join(root, 'pglite/PG_VERSION'))).mode & 0o777).toBe(0o644)
    const database = await connectDb({ dataDir: root })
    try {
      expect(await migrate(database.scripts)).not.toEqual([])
      const [row] = await database.scripts.transaction((run) =>
        run(`SELECT current_setting('shared_buffers') AS buffers, similarity('plumbing', 'plumber') > 0.3 AS similar`),
      )
      expect(row).toEqual({ buffers: '16MB', similar: true })
    } finally {
      await disconnectDb()
    }
    expect(await tables(path.join(root, 'pglite'))).toEqual(expect.arrayContaining(['from_template', 'customers']))
  }, 120_000)

  it('ignores a template another PGlite release made and runs initdb', async () => {
    await writeFile(path.join(template, 'pglite-version'), '0.0.1\n')
    const dir = path.join(await dataDir(), 'pglite')
    expect(await initialisePgliteDir(dir, PGlite.defaultStartParams, template)).toBe('initdb')
    expect(await tables(dir)).not.toContain('from_template')
  }, 120_000)
})
