/**
 * Applies the committed SQL migrations in prisma/migrations, in name order, recording each in
 * `_prisma_migrations` exactly as `prisma migrate deploy` does, so either tool can take over.
 * Each migration runs in one transaction together with its record: a failing migration leaves
 * the database as it was. An advisory lock keeps two starting processes from racing.
 */
import { createHash, randomUUID } from 'node:crypto'
import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import type { ScriptRunner } from './client.js'

export const migrationsDir = path.resolve(import.meta.dirname, '../../prisma/migrations')

const MIGRATION_LOCK = 72_707_369 // arbitrary, fixed advisory-lock key

const createTable = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum"              VARCHAR(64) NOT NULL,
  "finished_at"           TIMESTAMPTZ,
  "migration_name"        VARCHAR(255) NOT NULL,
  "logs"                  TEXT,
  "rolled_back_at"        TIMESTAMPTZ,
  "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`

export interface Migration {
  name: string
  sql: string
  checksum: string
}

export async function readMigrations(dir = migrationsDir): Promise<Migration[]> {
  const entries = await readdir(dir, { withFileTypes: true })
  const names = entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort()
  return Promise.all(
    names.map(async (name) => {
      const sql = await readFile(path.join(dir, name, 'migration.sql'), 'utf8')
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') }
    }),
  )
}

/** Applies what is pending; returns the names applied (empty when up to date). */
export async function migrate(scripts: ScriptRunner, migrations?: Migration[]): Promise<string[]> {
  const all = migrations ?? (await readMigrations())
  const applied: string[] = []
  for (const migration of all) {
    const done = await scripts.transaction(async (run) => {
      // Transaction-scoped lock: released by COMMIT/ROLLBACK, even if this process dies.
      await run(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`)
      await run(createTable)
      const existing = await run(
        `SELECT 1 FROM "_prisma_migrations" WHERE migration_name = $1 AND finished_at IS NOT NULL AND rolled_back_at IS NULL`,
        [migration.name],
      )
      if (existing.length > 0) return false
      await run(migration.sql)
      await run(
        `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
         VALUES ($1, $2, $3, now(), now(), 1)`,
        [randomUUID(), migration.checksum, migration.name],
      )
      return true
    })
    if (done) applied.push(migration.name)
  }
  return applied
}
