/** `npm run demo`: fills the default account with demo data (the same as `npm start -- --demo`). */
import { pino } from 'pino'
import { connectDb, disconnectDb } from '../db/client.js'
import { seedDemoData } from '../db/demo.js'
import { migrate } from '../db/migrate.js'
import { loadConfig } from '../env.js'
import { bootstrapDefaultAccount } from '../services/accounts.js'

const config = loadConfig()
const logger = pino({ level: config.LOG_LEVEL })
const database = await connectDb({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR })
await migrate(database.scripts)
const bootstrapped = await bootstrapDefaultAccount(config.BOOTSTRAP_ACCESS_CODE)
if (bootstrapped) console.log(`Default account created. Access code: ${bootstrapped.accessCode}`)
await seedDemoData(logger)
await disconnectDb()
