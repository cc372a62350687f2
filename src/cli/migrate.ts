/** `npm run db:migrate`: applies pending migrations to DATABASE_URL, or to the embedded database. */
import { connectDb, disconnectDb } from '../db/client.js'
import { migrate } from '../db/migrate.js'
import { loadConfig } from '../env.js'

const config = loadConfig()
const database = await connectDb({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR })
const applied = await migrate(database.scripts)
console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date')
await disconnectDb()
