/**
 * What a start does before it serves, once per start however many processes it runs: open the
 * database, apply pending migrations, give old accounts the template library, create the default
 * account on the very first start, and fill it with demo data when asked.
 */
import type { Logger } from 'pino'
import { connectDb, type Database } from '../db/client.js'
import { migrate } from '../db/migrate.js'
import { reachDatabase } from '../db/reach.js'
import type { Config } from '../env.js'
import { bootstrapDefaultAccount } from '../services/accounts.js'
import { backfillDefaultTemplates } from '../services/automations/templates.js'

/** Opens the database; PostgreSQL that cannot be reached yet is retried for DATABASE_CONNECT_RETRY_MS. */
export async function openDatabase(config: Config, logger: Logger): Promise<Database> {
  const database = await connectDb({
    databaseUrl: config.DATABASE_URL,
    dataDir: config.DATA_DIR,
    poolSize: config.DATABASE_POOL_SIZE,
    connectTimeoutMs: config.DATABASE_CONNECT_TIMEOUT_MS,
    queryTimeoutMs: config.DATABASE_QUERY_TIMEOUT_MS,
    statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_MS,
  })
  if (config.DATABASE_URL) {
    await reachDatabase(database, config.DATABASE_URL, config.DATABASE_CONNECT_RETRY_MS, (reason, delayMs) =>
      logger.warn({ reason, retry_in_ms: delayMs }, 'database not reachable yet: retrying'),
    )
  }
  return database
}

export interface Prepared {
  /** The default account and its access code, when this start created it (the only time the code exists in clear). */
  created: { name: string; accessCode: string } | null
}

export async function prepareDatabase(database: Database, config: Config, logger: Logger, demo: boolean): Promise<Prepared> {
  const applied = await migrate(database.scripts)
  if (applied.length) logger.info({ migrations: applied }, 'applied migrations')
  // Accounts created before the template library existed get it now (idempotent).
  const backfilled = await backfillDefaultTemplates()
  if (backfilled) logger.info({ accounts: backfilled }, 'seeded the default template library')
  const bootstrapped = await bootstrapDefaultAccount(config.BOOTSTRAP_ACCESS_CODE)
  if (demo) {
    const { seedDemoData } = await import('../db/demo.js')
    await seedDemoData(logger)
  }
  return { created: bootstrapped && { name: bootstrapped.account.name, accessCode: bootstrapped.accessCode } }
}

/**
 * Printed by every start once it serves: where the portal is; on the very first start also the
 * default account's access code, the only time it is shown.
 */
export function printPortalBanner(config: Config, prepared: Prepared): void {
  const lines = [`  Portal:       ${config.PUBLIC_URL}/portal`]
  if (prepared.created) lines.push(`  Account:      ${prepared.created.name}`, `  Access code:  ${prepared.created.accessCode}`)
  else lines.push('  Sign in with your access code; lost it? `npm run admin -- recover-access <account>`')
  console.log(`\n${lines.join('\n')}\n`)
}
