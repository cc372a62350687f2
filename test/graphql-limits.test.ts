/**
 * No GraphQL operation can monopolise the server: nesting, aliases, tokens and cost are refused
 * before anything runs, work stops when the client goes, PostgreSQL cancels a statement that runs
 * too long, and /health answers meanwhile.
 */
import pg from 'pg'
import pino from 'pino'
import { beforeAll, describe, expect, inject, it } from 'vitest'
import { createApp } from '../src/app.js'
import { db, sqlStatements } from '../src/db/client.js'
import { countStatements, keyRemembered, type TestClient, testApp, testConfig, testDatabase, usesPostgres } from './support/app.js'
import { createProject } from './support/hub.js'
import { createTenant, type Tenant } from './support/tenants.js'

const STATEMENT_TIMEOUT_MS = 2_000

let client: TestClient
let tenant: Tenant

interface Answer {
  status: number
  body: { data?: any; errors?: { message: string; extensions?: { code?: string } }[]; extensions?: { cost?: unknown } }
}

/** As a GraphQL-over-HTTP client: request errors answer 4xx (docs/graphql.md#the-endpoint). */
async function post(query: string, variables: Record<string, unknown> = {}, app = client): Promise<Answer> {
  const headers = { accept: 'application/graphql-response+json' }
  const response = await app.call('POST', '/graphql', { key: tenant.key, body: { query, variables }, headers })
  return { status: response.status, body: await response.json() }
}

/** `customer → projects(first: 1) → node → customer → projects …`, `levels` times. */
function customerChain(levels: number): string {
  let inner = 'id'
  for (let i = 0; i < levels; i++) inner = `id customer { projects(first: 1) { edges { node { ${inner} } } } }`
  return `query Chain($id: ID!) { customer(id: $id) { projects(first: 1) { edges { node { ${inner} } } } } }`
}

/** 1 + 100 × (edge + customer + projects(first: 100) of 100 × (edge + project)) = 20,301. */
const OVER_BUDGET = '{ customers(first: 100) { edges { node { id projects(first: 100) { edges { node { id name } } } } } } }'
/** 1 + 100 × (edge + customer + (1 + 15 × (edge + project + events))) = 4,801: just under 5,000. */
const HEAVIEST_ALLOWED =
  '{ customers(first: 100) { edges { node { id projects(first: 15) { edges { node { id events(first: 1) { totalCount } } } } } } } }'

beforeAll(async () => {
  await testDatabase({ statementTimeoutMs: STATEMENT_TIMEOUT_MS })
  client = await testApp()
  tenant = await createTenant(client)
  for (let i = 0; i < 3; i++) await createProject(client, tenant)
  await keyRemembered(client, tenant.key)
}, 120_000)

describe('operations refused before they run', () => {
  it('refuses the nested customer → projects chain by its depth, running no statement', async () => {
    const { customer } = await createProject(client, tenant)
    let answer: Answer | undefined
    expect(await countStatements(async () => (answer = await post(customerChain(5), { id: customer.id })))).toBe(0)
    expect(answer!.status).toBe(400)
    expect(answer!.body.errors![0].message).toMatch(/depth limit of 12 exceeded, found \d+/)
    expect(answer!.body.errors![0].extensions?.code).toBe('OPERATION_LIMIT_EXCEEDED')
    expect(answer!.body.data).toBeUndefined()
  })

  it('refuses an over-budget operation with its cost and the maximum, running no statement', async () => {
    let answer: Answer | undefined
    expect(await countStatements(async () => (answer = await post(OVER_BUDGET)))).toBe(0)
    expect(answer!.status).toBe(400)
    expect(answer!.body.errors![0].extensions?.code).toBe('COST_LIMIT_EXCEEDED')
    expect(answer!.body.errors![0].message).toContain('it costs 20301 and the maximum is 5000')
    expect(answer!.body.extensions?.cost).toEqual({ requested: 20301, maximum: 5000 })
  })

  it('prices page sizes given in variables, and takes its maximum from GRAPHQL_MAX_COST', async () => {
    const query = 'query($n: Int) { customers(first: $n) { edges { node { id projects(first: 2) { totalCount } } } } }'
    const allowed = await post(query, { n: 5 })
    expect(allowed.body.errors).toBeUndefined()
    // 1 + 5 × (edge + customer + projects) = 16
    expect(allowed.body.extensions?.cost).toEqual({ requested: 16, maximum: 5000 })
    // The same document again is priced by its own variables, not by the previous request's.
    expect((await post(query, { n: 4 })).body.extensions?.cost).toEqual({ requested: 13, maximum: 5000 })
    expect((await post(query, { n: 5 })).body.extensions?.cost).toEqual({ requested: 16, maximum: 5000 })

    const strict = await testApp({ GRAPHQL_MAX_COST: '15' })
    const refused = await post(query, { n: 5 }, strict)
    expect(refused.body.errors![0].extensions?.code).toBe('COST_LIMIT_EXCEEDED')
    expect(refused.body.extensions?.cost).toEqual({ requested: 16, maximum: 15 })
    expect((await post(query, { n: 4 }, strict)).body.extensions?.cost).toEqual({ requested: 13, maximum: 15 })
  })

  it('keeps a timeline to one record at a time: below a list of customers it is refused, running no statement', async () => {
    const { customer } = await createProject(client, tenant)
    // customer + (200 + timeline + 10 × entry) = 1 + 211
    const one = await post('query($id: ID!) { customer(id: $id) { id timeline(first: 10) { id } } }', { id: customer.id })
    expect(one.body.errors).toBeUndefined()
    expect(one.body.extensions?.cost).toEqual({ requested: 212, maximum: 5000 })
    // Through a fragment, as a client would write it: 1 + 30 × (edge + customer + 202) = 6,121.
    const below = '{ customers(first: 30) { edges { node { ...Recent } } } } fragment Recent on Customer { id timeline(first: 1) { id } }'
    let answer: Answer | undefined
    expect(await countStatements(async () => (answer = await post(below)))).toBe(0)
    expect(answer!.status).toBe(400)
    expect(answer!.body.errors![0].extensions?.code).toBe('COST_LIMIT_EXCEEDED')
    expect(answer!.body.extensions?.cost).toEqual({ requested: 6121, maximum: 5000 })
  })

  it('refuses 1,000 aliases of a 200-row page, running no statement', async () => {
    const aliases = Array.from({ length: 1_000 }, (_, i) => `p${i}: customerPage(limit: 200) { items { id name } }`).join(' ')
    let answer: Answer | undefined
    expect(await countStatements(async () => (answer = await post(`{ ${aliases} }`)))).toBe(0)
    expect(answer!.status).toBe(400)
    expect(answer!.body.errors!.map((e) => e.message).join(' ')).toMatch(/Aliases limit of 100 exceeded|Token limit of 1000 exceeded/)
  })

  it('refuses more than 100 aliases, and more than 50 directives, within the token limit', async () => {
    const aliased = await post(`{ ${Array.from({ length: 101 }, (_, i) => `v${i}: viewer { id }`).join(' ')} }`)
    expect(aliased.status).toBe(400)
    expect(aliased.body.errors![0]).toMatchObject({
      message: 'Aliases limit of 100 exceeded, found 101.',
      extensions: { code: 'OPERATION_LIMIT_EXCEEDED' },
    })
    const directed = await post(`{ viewer { ${'id @include(if: true) '.repeat(51)} } }`)
    expect(directed.status).toBe(400)
    expect(directed.body.errors![0].message).toBe('Directives limit of 50 exceeded, found 51.')
  })

  it('answers a list literal nested 20,000 deep with a 400 naming the token limit, not a 500', async () => {
    const literal = `${'['.repeat(20_000)}"x"${']'.repeat(20_000)}`
    const answer = await post(`{ customers(search: ${literal}) { totalCount } }`)
    expect(answer.status).toBe(400)
    expect(answer.body.errors![0]).toMatchObject({
      message: 'Token limit of 1000 exceeded.',
      extensions: { code: 'OPERATION_LIMIT_EXCEEDED' },
    })
    const legacy = await client.call('POST', '/graphql', {
      key: tenant.key,
      body: { query: `{ customers(search: ${literal}) { totalCount } }` },
    })
    expect(legacy.status).toBeLessThan(500)
  })

  it('keeps introspection and suggestions for development, and turns both off with GRAPHQL_INTROSPECTION=0', async () => {
    expect((await post('{ __schema { queryType { name } } }')).body.data.__schema.queryType.name).toBe('Query')
    expect((await post('{ custmers { totalCount } }')).body.errors![0].message).toContain('Did you mean "customers"')

    const closed = await testApp({ GRAPHQL_INTROSPECTION: '0' })
    const introspection = await post('{ __schema { queryType { name } } }', {}, closed)
    expect(introspection.status).toBe(400)
    expect(introspection.body.errors![0].message).toContain('introspection')
    const typo = await post('{ custmers { totalCount } }', {}, closed)
    expect(typo.body.errors![0].message).toContain('Cannot query field "custmers"')
    expect(typo.body.errors![0].message).not.toContain('customers')
    const badEnum = 'query($c: Channel) { communications(channel: $c) { totalCount } }'
    expect((await post(badEnum, { c: 'SMSS' })).body.errors![0].message).toContain('Did you mean')
    expect((await post(badEnum, { c: 'SMSS' }, closed)).body.errors![0].message).not.toContain('Did you mean')
  })
})

describe('work that was allowed', () => {
  it('stops calling resolvers once the client disconnects, compiled or not', async () => {
    // Each level waits for the one above: the full answer takes several statements in turn.
    const query =
      '{ customers(first: 5) { edges { node { projects(first: 5) { edges { node { events(first: 5) { edges { node { id } } } customer { projects(first: 5) { totalCount } } } } } } } } }'
    const full = await countStatements(() => post(query))
    expect(full).toBeGreaterThanOrEqual(4)
    // A document seen before runs compiled (graphql-jit); a new text runs on the reference executor.
    for (const document of [query, `${query}\n`]) {
      const { answered, afterwards } = await disconnectAtFirstStatement(document)
      expect(afterwards).toBe(answered)
      expect(answered).toBeLessThan(full)
    }
  })

  it('answers /health while the heaviest allowed operation runs beside a refused one', async () => {
    const finished: string[] = []
    const track = <T>(name: string, work: Promise<T>) => work.finally(() => finished.push(name))
    const heavy = track('heavy', post(HEAVIEST_ALLOWED))
    const refused = track('refused', post(OVER_BUDGET))
    const health = track('health', client.call('GET', '/health'))
    const [heavyAnswer, refusedAnswer, healthAnswer] = await Promise.all([heavy, refused, health])
    expect(healthAnswer.status).toBe(200)
    expect(finished.indexOf('health')).toBeLessThan(finished.indexOf('heavy'))
    expect(heavyAnswer.body.errors).toBeUndefined()
    expect(heavyAnswer.body.extensions?.cost).toEqual({ requested: 4801, maximum: 5000 })
    expect(refusedAnswer.body.errors![0].extensions?.code).toBe('COST_LIMIT_EXCEEDED')
  })

  it('keeps the REST rows working at their largest page', async () => {
    const response = await client.call('GET', '/hub/v1/customers?limit=200', { key: tenant.key })
    expect(response.status).toBe(200)
  })
})

describe.skipIf(!usesPostgres())('the statement timeout on PostgreSQL', () => {
  it('is set on every pooled connection of the app', async () => {
    const [row] = await db.$queryRaw<{ statement_timeout: string }[]>`SHOW statement_timeout`
    expect(row.statement_timeout).toBe('2s')
  })

  it('answers a request whose statement waits too long with a 503, not a hang', async () => {
    const created = await client.call('POST', '/api/v1/leads', { key: tenant.key, body: { name: 'Locked Lead' } })
    expect(created.status).toBe(201)
    const { id } = ((await created.json()) as { data: { id: string } }).data
    // Another session holds the lead's row: the update waits on it until the timeout cancels it.
    const holder = new pg.Client({ connectionString: inject('databaseUrl') })
    await holder.connect()
    try {
      await holder.query('BEGIN')
      await holder.query('SELECT id FROM leads WHERE id = $1 FOR UPDATE', [id])
      const logged: Record<string, any>[] = []
      const app = createApp(testConfig(), pino({ level: 'warn' }, { write: (line: string) => void logged.push(JSON.parse(line)) }))
      const response = await app.fetch(
        new Request('http://crm.test/graphql', {
          method: 'POST',
          headers: { authorization: `Bearer ${tenant.key}`, 'content-type': 'application/json' },
          body: JSON.stringify({
            query: 'mutation($id: ID!) { updateLead(id: $id, input: { name: "Renamed" }) { id } }',
            variables: { id },
          }),
        }),
      )
      expect(response.status).toBe(503)
      const { errors } = (await response.json()) as Answer['body']
      expect(errors![0].extensions?.code).toBe('SERVICE_UNAVAILABLE')
      expect(errors![0].message).toContain('did not answer in time')
      // The 503 is logged with its cause.
      expect(
        logged.some(
          (line) =>
            line.msg === 'database could not serve the request: answered 503' &&
            line.request_id &&
            JSON.stringify(line.err).includes('statement timeout'),
        ),
      ).toBe(true)
    } finally {
      await holder.query('ROLLBACK')
      await holder.end()
    }
  })
})

/** Sends `query` and goes away as its first statement is sent: the statements started by the answer, and 200 ms later. */
async function disconnectAtFirstStatement(query: string): Promise<{ answered: number; afterwards: number }> {
  const controller = new AbortController()
  let sent = sqlStatements.count
  const start = sent
  Object.defineProperty(sqlStatements, 'count', {
    configurable: true,
    get: () => sent,
    set: (value: number) => {
      sent = value
      if (!controller.signal.aborted) controller.abort(new Error('the client disconnected'))
    },
  })
  try {
    const request = new Request('http://crm.test/graphql', {
      method: 'POST',
      headers: { authorization: `Bearer ${tenant.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ query }),
      signal: controller.signal,
    })
    await client.app.fetch(request).then(
      (response) => response.text(),
      (error: unknown) => error,
    )
    const answered = sent - start
    // Whatever was in flight settles; nothing new starts.
    for (let i = 0; i < 10; i++) await new Promise((resolve) => setTimeout(resolve, 20))
    return { answered, afterwards: sent - start }
  } finally {
    Object.defineProperty(sqlStatements, 'count', { configurable: true, writable: true, enumerable: true, value: sent })
  }
}
