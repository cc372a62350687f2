/** `npm run demo`: fills the default account with demo data (the same as `npm start -- --demo`). */
import './env-file.js'
import { pino } from 'pino'
import { connectDb, disconnectDb } from '../db/client.js'
import { seedDemoData } from '../db/demo.js'
import { migrate } from '../db/migrate.js'
import { reachDatabase } from '../db/reach.js'
import { loadConfig } from '../env.js'
import { bootstrapDefaultAccount } from '../services/accounts.js'
import { exitOnStartupFailure } from './fail.js'

async function main() {
  const config = loadConfig()
  const logger = pino({ level: config.LOG_LEVEL })
  const database = await connectDb({
    databaseUrl: config.DATABASE_URL,
    dataDir: config.DATA_DIR,
    connectTimeoutMs: config.DATABASE_CONNECT_TIMEOUT_MS,
    queryTimeoutMs: config.DATABASE_QUERY_TIMEOUT_MS,
  })
  if (config.DATABASE_URL) {
    await reachDatabase(database, config.DATABASE_URL, config.DATABASE_CONNECT_RETRY_MS, (reason, delayMs) =>
      logger.warn({ reason, retry_in_ms: delayMs }, 'database not reachable yet: retrying'),
    )
  }
  await migrate(database.scripts)
  const bootstrapped = await bootstrapDefaultAccount(config.BOOTSTRAP_ACCESS_CODE)
  if (bootstrapped) console.log(`Default account created. Access code: ${bootstrapped.accessCode}`)
  await seedDemoData(logger)
  await disconnectDb()
}

main().catch(exitOnStartupFailure)
