/**
 * `npm run admin -- <command>`: the operator's tasks (cli/admin/commands.ts lists them). It runs
 * the schema's admin operations in this process, against the same database the server uses,
 * authorized by a token made for this run alone, so ADMIN_TOKEN need not be set and nothing
 * listens. On the embedded database the server must be stopped first: one process owns DATA_DIR.
 */
import './env-file.js'
import { randomBytes } from 'node:crypto'
import { pino } from 'pino'
import { createApp } from '../app.js'
import { closeRedis } from '../context/redis.js'
import { disconnectDb } from '../db/client.js'
import { resolveSecretKey } from '../db/data-dir.js'
import { migrate } from '../db/migrate.js'
import { loadConfig } from '../env.js'
import { EXIT, type RunOperation, runAdmin, USAGE } from './admin/commands.js'
import { exitOnStartupFailure } from './fail.js'
import { openDatabase } from './prepare.js'

/** Not a network address, so the CLI never shares a sign-in throttle bucket with a real client. */
const CLI_CLIENT = 'admin-cli'

async function main() {
  const argv = process.argv.slice(2)
  if (argv.length === 0 || argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE)
    process.exit(argv.length === 0 ? EXIT.usage : EXIT.ok)
  }
  const token = randomBytes(24).toString('base64url')
  const loaded = { ...loadConfig(), ADMIN_TOKEN: token }
  // Warnings and errors only, on stderr: stdout carries the command's answer (JSON for scripts).
  const logger = pino({ level: loaded.LOG_LEVEL === 'silent' ? 'silent' : 'warn' }, pino.destination(2))
  const config = { ...loaded, SECRET_KEY: await resolveSecretKey(loaded.SECRET_KEY, loaded.DATA_DIR) }
  const database = await openDatabase(config, logger)
  await migrate(database.scripts)
  const app = createApp(config, logger)
  const run: RunOperation = async (query, variables) => {
    const request = new Request('http://admin-cli/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    })
    return (await app.fetch(request, { clientIp: CLI_CLIENT })).json() as Awaited<ReturnType<RunOperation>>
  }
  const code = await runAdmin(argv, run, { out: (t) => console.log(t), err: (t) => console.error(t) }, `${config.PUBLIC_URL}/portal`)
  await closeRedis()
  await disconnectDb()
  process.exit(code)
}

main().catch(exitOnStartupFailure)
