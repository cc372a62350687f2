/**
 * Imported first by every process entry point (server, worker, migrations, demo, admin CLI):
 * `.env` in the working directory fills in what the environment does not set. It runs as an
 * import, before any other module is evaluated, because the schema builder reads NODE_ENV when it
 * is imported.
 */
import { applyEnvFile } from '../env.js'
import { exitOnStartupFailure } from './fail.js'

try {
  applyEnvFile('.env')
} catch (error) {
  exitOnStartupFailure(error)
}
