/**
 * The admin CLI (`npm run admin`): each command through the schema's admin operations, what a
 * person reads, what a script parses (--json), and the exit codes (0 done, 1 refused, 2 usage).
 * The last test runs the real bundle as a process against its own database.
 */
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { EXIT, runAdmin } from '../src/cli/admin/commands.js'
import { ADMIN_TOKEN, type TestClient, testApp } from './support/app.js'
import { buildBundle, spawnBundle } from './support/processes.js'
import { login } from './support/tenants.js'

const PORTAL = 'http://crm.test/portal'
let client: TestClient
beforeAll(async () => {
  client = await testApp()
})

async function admin(...argv: string[]) {
  let out = ''
  let err = ''
  const code = await runAdmin(
    argv,
    (query, variables) => client.gql(query, variables, { key: ADMIN_TOKEN }),
    { out: (t) => (out += `${t}\n`), err: (t) => (err += `${t}\n`) },
    PORTAL,
  )
  return { code, out, err, json: () => JSON.parse(out) }
}

const uniqueName = () => `CLI ${randomBytes(4).toString('hex')}`
const canSignIn = (code: string) =>
  client.gql('mutation($c: String!) { portalLogin(accessCode: $c) { account { id } } }', { c: code }).then((r) => !r.errors)

describe('npm run admin', () => {
  it('create-account prints the portal URL and an access code that signs in; --json gives the same to scripts', async () => {
    const name = uniqueName()
    const human = await admin('create-account', name)
    expect(human.code).toBe(EXIT.ok)
    expect(human.out).toContain(`Portal:       ${PORTAL}`)
    const code = /Access code: +(\S+)/.exec(human.out)![1]
    expect(await canSignIn(code)).toBe(true)

    const scripted = await admin('create-account', uniqueName(), '--json')
    expect(scripted.code).toBe(EXIT.ok)
    const body = scripted.json()
    expect(body).toMatchObject({ account: { id: expect.any(String), smsCredits: 0 }, accessCode: expect.any(String), portalUrl: PORTAL })
    expect(await canSignIn(body.accessCode)).toBe(true)
  })

  it('list-accounts lists every account, by id and name', async () => {
    const name = uniqueName()
    const { account } = (await admin('create-account', name, '--json')).json()
    const human = await admin('list-accounts')
    expect(human.code).toBe(EXIT.ok)
    expect(human.out).toMatch(new RegExp(`${account.id} +0 +\\d{4}-\\d{2}-\\d{2} +${name}`))
    const listed = (await admin('list-accounts', '--json')).json().accounts
    expect(listed).toContainEqual(expect.objectContaining({ id: account.id, name }))
  })

  it('rotate-code and recover-access (by name) replace the code and end the sessions of the old one', async () => {
    const name = uniqueName()
    const created = (await admin('create-account', name, '--json')).json()
    const cookie = await login(client, created.accessCode)
    const rotated = await admin('rotate-code', created.account.id, '--json')
    expect(rotated.code).toBe(EXIT.ok)
    const newCode = rotated.json().accessCode
    expect(await canSignIn(created.accessCode)).toBe(false)
    expect(await canSignIn(newCode)).toBe(true)
    expect((await client.gql('{ viewer { id } }', {}, { cookie })).errors?.[0].extensions.code).toBe('UNAUTHENTICATED')

    const recovered = await admin('recover-access', name.toLowerCase())
    expect(recovered.code).toBe(EXIT.ok)
    expect(recovered.out).toContain('Access recovered')
    expect(recovered.out).toContain(`Portal:       ${PORTAL}`)
    const recoveredCode = /Access code: +(\S+)/.exec(recovered.out)![1]
    expect(await canSignIn(newCode)).toBe(false)
    expect(await canSignIn(recoveredCode)).toBe(true)
  })

  it('grant-credits adds to the balance, and refuses amounts the schema refuses', async () => {
    const { account } = (await admin('create-account', uniqueName(), '--json')).json()
    const granted = await admin('grant-credits', account.id, '250')
    expect(granted.code).toBe(EXIT.ok)
    expect(granted.out).toContain('Granted 250 SMS credits')
    expect((await admin('grant-credits', account.id, '50', '--json')).json().account.smsCredits).toBe(300)

    const zero = await admin('grant-credits', account.id, '0', '--json')
    expect(zero.code).toBe(EXIT.failed)
    expect(zero.err).toContain('error: amount must be between 1 and 1000000')
    expect(zero.json()).toEqual({ error: { code: 'BAD_REQUEST', message: 'amount must be between 1 and 1000000' } })
    expect((await admin('grant-credits', account.id, 'lots')).code).toBe(EXIT.failed)
  })

  it('create-key makes a key of the account that the API accepts; a bad scope is refused', async () => {
    const { account } = (await admin('create-account', uniqueName(), '--json')).json()
    const made = await admin('create-key', account.id, '--name', 'zapier', '--scope', 'read:conversations', '--json')
    expect(made.code).toBe(EXIT.ok)
    const { secret, apiKey } = made.json()
    expect(apiKey).toMatchObject({ name: 'zapier', mode: 'live', scopes: ['read:conversations'] })
    expect((await client.call('GET', '/v1/conversations', { key: secret })).status).toBe(200)
    expect((await client.gql('{ viewer { id } }', {}, { key: secret })).data.viewer.id).toBe(account.id)

    const test = await admin('create-key', account.id, '--mode', 'test')
    expect(test.code).toBe(EXIT.ok)
    expect(test.out).toMatch(/obq_test_\S+/)

    const bad = await admin('create-key', account.id, '--scope', 'everything')
    expect(bad.code).toBe(EXIT.failed)
    expect(bad.err).toContain('Unknown scope: everything')
  })

  it('fails with 1 for an account that does not exist or a name two accounts share', async () => {
    const missing = await admin('rotate-code', 'no-such-account', '--json')
    expect(missing.code).toBe(EXIT.failed)
    expect(missing.json().error.code).toBe('NOT_FOUND')
    const name = uniqueName()
    await admin('create-account', name)
    await admin('create-account', name)
    const ambiguous = await admin('grant-credits', name, '5')
    expect(ambiguous.code).toBe(EXIT.failed)
    expect(ambiguous.err).toMatch(/2 accounts are named .*give the id/)
  })

  it('fails with 2, showing the usage, for a command or option it does not know', async () => {
    const unknown = await admin('delete-everything')
    expect(unknown.code).toBe(EXIT.usage)
    expect(unknown.err).toContain('unknown command "delete-everything"')
    expect(unknown.err).toContain('Usage: npm run admin')
    expect((await admin('list-accounts', '--colour')).code).toBe(EXIT.usage)
    expect((await admin('create-account')).code).toBe(EXIT.usage)
    expect((await admin('create-key', 'x', '--mode', 'SANDBOX')).code).toBe(EXIT.usage)
    expect((await admin('help')).code).toBe(EXIT.ok)
  })
})

describe('the admin CLI process', () => {
  const dirs: string[] = []
  afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))))

  it('answers on stdout with exit code 0, and fails with one line on stderr and exit code 1', async () => {
    const file = await buildBundle('src/cli/admin.ts', 'admin-cli')
    const dataDir = await mkdtemp(path.join(tmpdir(), 'crm-admin-'))
    dirs.push(dataDir)
    const database = inject('databaseUrl')
    const env = { DATA_DIR: dataDir, NODE_ENV: 'test', ...(database ? { DATABASE_URL: database } : {}) }
    const name = uniqueName()
    const created = spawnBundle(file, env, { args: ['create-account', name, '--json'] })
    expect(await created.exited, created.stderr()).toBe(EXIT.ok)
    const { account, accessCode, portalUrl } = JSON.parse(created.stdout())
    expect(account.name).toBe(name)
    expect(accessCode).toEqual(expect.any(String))
    expect(portalUrl).toBe('http://127.0.0.1:3000/portal')
    // stdout holds the answer alone; no log line in it.
    expect(created.stderr()).toBe('')

    const refused = spawnBundle(file, env, { args: ['grant-credits', account.id, '0'] })
    expect(await refused.exited).toBe(EXIT.failed)
    expect(refused.stderr().trim()).toBe('error: amount must be between 1 and 1000000')
    expect(refused.stdout()).toBe('')
  }, 300_000)
})
