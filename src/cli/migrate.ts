/** `npm run db:migrate`: applies pending migrations to DATABASE_URL, or to the embedded database. */
import './env-file.js'
import { connectDb, disconnectDb } from '../db/client.js'
import { migrate } from '../db/migrate.js'
import { reachDatabase } from '../db/reach.js'
import { loadConfig } from '../env.js'
import { exitOnStartupFailure } from './fail.js'

async function main() {
  const config = loadConfig()
  const database = await connectDb({
    databaseUrl: config.DATABASE_URL,
    dataDir: config.DATA_DIR,
    connectTimeoutMs: config.DATABASE_CONNECT_TIMEOUT_MS,
  })
  if (config.DATABASE_URL) {
    await reachDatabase(database, config.DATABASE_URL, config.DATABASE_CONNECT_RETRY_MS, (reason) =>
      console.error(`database not reachable yet (${reason}): retrying`),
    )
  }
  const applied = await migrate(database.scripts)
  console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date')
  await disconnectDb()
}

main().catch(exitOnStartupFailure)
