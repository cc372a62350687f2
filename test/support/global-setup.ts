/**
 * With DATABASE_URL set, the suite runs against that PostgreSQL server in a fresh database of
 * its own (created here, migrated once, dropped at the end), so runs never see each other's
 * rows. Without it, every test file opens its own in-memory PGlite database.
 */
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import type { TestProject } from 'vitest/node'
import { connectDb, disconnectDb } from '../../src/db/client.js'
import { migrate } from '../../src/db/migrate.js'

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string | undefined
  }
}

export default async function setup(project: TestProject) {
  const base = process.env.DATABASE_URL
  if (!base) {
    project.provide('databaseUrl', undefined)
    return
  }
  const name = `crm_test_${Date.now()}_${randomBytes(3).toString('hex')}`
  const admin = new pg.Client({ connectionString: base })
  await admin.connect()
  await admin.query(`CREATE DATABASE "${name}"`)
  await admin.end()
  const url = new URL(base)
  url.pathname = `/${name}`
  const database = await connectDb({ databaseUrl: url.toString() })
  await migrate(database.scripts)
  await disconnectDb()
  project.provide('databaseUrl', url.toString())

  return async () => {
    const client = new pg.Client({ connectionString: base })
    await client.connect()
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
    await client.end()
  }
}
