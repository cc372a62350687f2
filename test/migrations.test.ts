import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../src/db/client.js'
import { migrate, readMigrations } from '../src/db/migrate.js'
import { testDatabase } from './support/app.js'

let database: Database
let scratch: string
beforeAll(async () => {
  database = await testDatabase()
  scratch = await mkdtemp(path.join(tmpdir(), 'crm-migrations-'))
})
afterAll(() => rm(scratch, { recursive: true, force: true }))

const rows = (sql: string, params?: unknown[]) => database.scripts.transaction((run) => run(sql, params))

describe('migrations', () => {
  it('are recorded in _prisma_migrations as prisma migrate deploy records them', async () => {
    const committed = await readMigrations()
    const recorded = await rows(
      `SELECT migration_name, checksum, finished_at, applied_steps_count FROM "_prisma_migrations" ORDER BY migration_name`,
    )
    expect(recorded.map((r) => r.migration_name)).toEqual(committed.map((m) => m.name))
    for (const [i, row] of recorded.entries()) {
      expect(row.checksum).toBe(committed[i].checksum)
      expect(row.finished_at).not.toBeNull()
      expect(row.applied_steps_count).toBe(1)
    }
  })

  it('applying them again is a no-op', async () => {
    expect(await migrate(database.scripts)).toEqual([])
  })

  it('a failing migration leaves the database as it was, and a fixed one then applies', async () => {
    const dir = path.join(scratch, 'migrations')
    const write = async (name: string, sql: string) => {
      await mkdir(path.join(dir, name), { recursive: true })
      await writeFile(path.join(dir, name, 'migration.sql'), sql)
    }
    const table = `probe_${Date.now()}`
    await write('29990101000000_probe', `CREATE TABLE "${table}" (id int);\nINSERT INTO "${table}" VALUES (1);\nSELECT broken_function();`)
    await expect(migrate(database.scripts, await readMigrations(dir))).rejects.toThrow()
    const exists = await rows(`SELECT to_regclass($1) AS t`, [table])
    expect(exists[0].t).toBeNull()
    const recorded = await rows(`SELECT 1 FROM "_prisma_migrations" WHERE migration_name = '29990101000000_probe'`)
    expect(recorded).toHaveLength(0)

    await write('29990101000000_probe', `CREATE TABLE "${table}" (id int);`)
    expect(await migrate(database.scripts, await readMigrations(dir))).toEqual(['29990101000000_probe'])
    await rows(`DROP TABLE "${table}"; DELETE FROM "_prisma_migrations" WHERE migration_name = '29990101000000_probe'`)
  })

  it('every list filter and search has an index (trigram, on the generated search column, for substring search)', async () => {
    const indexes = await rows(`SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema()`)
    const defs = indexes.map((i) => String(i.indexdef))
    const has = (table: string, pattern: RegExp) =>
      defs.some((d) => d.includes(`ON public.${table} `) && pattern.test(d)) ||
      defs.some((d) => d.includes(` ${table} `) && pattern.test(d))
    expect(has('leads', /gin \(search_text gin_trgm_ops\)/)).toBe(true)
    expect(has('customers', /gin \(search_text gin_trgm_ops\)/)).toBe(true)
    expect(has('conversations', /\(account_id, channel, created_at DESC/)).toBe(true)
    expect(has('conversations', /\(account_id, status, created_at DESC/)).toBe(true)
    expect(has('conversations', /\(account_id, started_at\)/)).toBe(true)
    expect(has('leads', /\(account_id, pipeline_stage, created_at DESC/)).toBe(true)
    expect(has('leads', /\(account_id, ai_status, created_at DESC/)).toBe(true)
    expect(has('projects', /\(account_id, pipeline_stage, created_at DESC/)).toBe(true)
    expect(has('communications', /\(account_id, status, created_at DESC/)).toBe(true)
  })
})
