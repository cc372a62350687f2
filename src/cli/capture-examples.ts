/**
 * `npm run generate:examples`: the OpenAPI documents' success examples, taken from real responses.
 * It fills an in-memory database with the demo data, calls every GET route of every surface
 * through the app, and writes the answers (lists cut to two items) to
 * src/rest/openapi/examples.json. They are committed, merged into the documents by
 * `npm run generate`, and test/artifacts.test.ts checks each against its route's schema.
 */
import { writeFile } from 'node:fs/promises'
import { pino } from 'pino'
import { createApp } from '../app.js'
import { generateApiKey } from '../crypto.js'
import { connectDb, db, disconnectDb } from '../db/client.js'
import { seedDemoData } from '../db/demo.js'
import { migrate } from '../db/migrate.js'
import { loadConfig } from '../env.js'
import { EXAMPLES_PATH } from '../rest/openapi/examples.js'
import { surfaces } from '../rest/surfaces.js'
import { createAccount } from '../services/accounts.js'

const database = await connectDb({ dataDir: 'memory://' })
await migrate(database.scripts)
const { account } = await createAccount('Lone Star Roofing')
await seedDemoData(pino({ level: 'silent' }), account.id)
const key = generateApiKey('LIVE')
await db.apiKey.create({
  data: {
    accountId: account.id,
    name: 'examples',
    prefix: key.prefix,
    keyHash: key.hash,
    mode: 'LIVE',
    scopes: ['read:conversations', 'read:transcripts', 'read:hub', 'leads:read', 'quotes:read', 'appointments:read', 'pipeline:read'],
  },
})
const app = createApp(loadConfig({ LOG_LEVEL: 'silent', SECRET_KEY: 'examples-secret-key-examples-secret-key', NODE_ENV: 'test' }))
const get = async (path: string) => {
  const response = await app.fetch(new Request(`http://example.test${path}`, { headers: { authorization: `Bearer ${key.secret}` } }))
  return response.ok && response.headers.get('content-type')?.startsWith('application/json')
    ? ((await response.json()) as Record<string, unknown>)
    : null
}
/** Lists shortened to two items keep the documents readable. */
const trim = (value: unknown): unknown =>
  Array.isArray(value)
    ? value.slice(0, 2).map(trim)
    : value && typeof value === 'object'
      ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, trim(v)]))
      : value

const examples: Record<string, unknown> = {}
for (const surface of surfaces) {
  for (const route of surface.routes.filter((r) => r.method === 'GET')) {
    let path = surface.prefix + route.path
    const param = route.path.indexOf('/:')
    if (param >= 0) {
      // The id comes from the list the parameter belongs to: /projects/:projectId/events ← /projects.
      const list = await get(surface.prefix + route.path.slice(0, param))
      const id = (list?.data as { id: string }[] | undefined)?.[0]?.id
      if (!id) continue
      path = surface.prefix + route.path.replace(/:[A-Za-z]+/, id)
    }
    const body = await get(path)
    if (body) examples[`GET ${surface.prefix}${route.path}`] = trim(body)
  }
}
await writeFile(EXAMPLES_PATH, `${JSON.stringify(examples, null, 2)}\n`)
console.log(`wrote ${Object.keys(examples).length} examples`)
await disconnectDb()
process.exit(0)
