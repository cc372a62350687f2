import { Writable } from 'node:stream'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { db } from '../src/db/client.js'
import { countStatements, type TestClient, testApp } from './support/app.js'
import { freePort } from './support/private-servers.js'
import { startSmtpSink } from './support/smtp-sink.js'
import { createTenant, login } from './support/tenants.js'
import { accept, cookieOf, createUser, invite, PASSWORD, signIn, signInFrom } from './support/users.js'

// Each password is an scrypt hash (about 100 ms alone, far more on a busy machine), and a test makes many.
vi.setConfig({ testTimeout: 240_000 })

let client: TestClient
let sink: Awaited<ReturnType<typeof startSmtpSink>>

beforeAll(async () => {
  sink = await startSmtpSink()
  client = await testApp({ PROVIDER_TIMEOUT_MS: '5000', ALLOW_PRIVATE_SMTP_HOSTS: '1' })
})
afterAll(() => sink.close())

const me = (cookie: string) => client.gql(`{ me { role scopes powers user { id email } } }`, {}, { cookie })

describe('invitations', () => {
  it('are a single-use link shown once, and emailed when the account has an email integration', async () => {
    const tenant = await createTenant(client)
    const plain = await invite(client, tenant.cookie, 'member')
    expect(plain.result).toMatchObject({ email: 'NOT_CONFIGURED', user: { role: 'MEMBER', invited: true } })
    expect(plain.result.url).toMatch(/^http:\/\/crm\.test\/portal\/accept\/#token=/)

    const saved = await client.gql(
      `mutation($config: JSON!) { saveIntegration(provider: email, config: $config) { created } }`,
      {
        config: { host: sink.host, port: sink.port, username: 'mailer', api_key: 'smtp-password-1', from_address: 'crm@acme.example' },
      },
      { cookie: tenant.cookie },
    )
    expect(saved.errors).toBeUndefined()
    const mailed = await invite(client, tenant.cookie, 'viewer')
    expect(mailed.result.email).toBe('SENT')
    const mail = sink.mails.find((m) => m.to.includes(mailed.email))
    expect(mail?.raw.replace(/=\r\n/g, '')).toContain(mailed.token.slice(0, 20))

    const first = await accept(client, plain.token)
    expect(first.errors).toBeUndefined()
    expect(cookieOf(first.response)).toMatch(/^obq_session=/)
    const again = await accept(client, plain.token, 'another long passphrase')
    expect(again.errors?.[0]).toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } })
    expect(again.errors?.[0].message).toMatch(/already used or expired/)
    // The first password stands.
    expect((await signIn(client, plain.email)).errors).toBeUndefined()
    expect((await signIn(client, plain.email, 'another long passphrase')).errors?.[0].message).toBe('Wrong email or password')
  })

  it('say when the email did not go, and the log says why', async () => {
    const lines: Record<string, any>[] = []
    const logged = pino(
      { level: 'info' },
      new Writable({ write: (chunk, _encoding, done) => done(void lines.push(JSON.parse(String(chunk)))) }),
    )
    const watched = await testApp({ PROVIDER_TIMEOUT_MS: '5000', ALLOW_PRIVATE_SMTP_HOSTS: '1' }, logged)
    const tenant = await createTenant(watched)
    const closed = await freePort() // nothing listens there: the SMTP connection is refused
    const saved = await watched.gql(
      `mutation($config: JSON!) { saveIntegration(provider: email, config: $config) { created } }`,
      { config: { host: '127.0.0.1', port: closed, username: 'mailer', api_key: 'smtp-password-1', from_address: 'crm@acme.example' } },
      { cookie: tenant.cookie },
    )
    expect(saved.errors).toBeUndefined()
    const failed = await invite(watched, tenant.cookie, 'member')
    expect(failed.result.email).toBe('FAILED')
    expect(failed.result.url).toMatch(/#token=/)
    const warning = lines.find((line) => line.msg === 'could not email a user link')
    expect(warning).toMatchObject({ level: 40, account_id: tenant.accountId, request_id: expect.any(String) })
    expect(warning?.err?.message).toMatch(/ECONNREFUSED|connect/i)
  })

  it('expire, and refuse weak passwords without using up the link', async () => {
    const tenant = await createTenant(client)
    const { token, userId } = await invite(client, tenant.cookie, 'member')
    for (const [password, problem] of [
      ['short', 'at least 10 characters'],
      ['1234567890', 'most common passwords'],
      ['aaaaaaaaaaaa', 'too few characters'],
    ]) {
      const refused = await accept(client, token, password)
      expect(refused.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_REQUEST' } })
      expect(refused.errors?.[0].message).toContain(problem)
    }
    await db.userLink.updateMany({ where: { userId }, data: { expiresAt: new Date(Date.now() - 1000) } })
    expect((await accept(client, token)).errors?.[0].message).toMatch(/expired/)
    // A new link works, and the old one stays dead.
    const renewed = await client.gql(
      `mutation($id: ID!) { createUserLink(userId: $id) { url } }`,
      { id: userId },
      { cookie: tenant.cookie },
    )
    const fresh = new URL(renewed.data.createUserLink.url).hash.replace('#token=', '')
    expect((await accept(client, fresh)).errors).toBeUndefined()
  })

  it('reset a password by the same kind of link, ending the old sessions', async () => {
    const tenant = await createTenant(client)
    const user = await createUser(client, tenant, 'member')
    const link = await client.gql(`mutation($id: ID!) { createUserLink(userId: $id) { url } }`, { id: user.id }, { cookie: tenant.cookie })
    expect(link.data.createUserLink.url).toContain('/portal/reset/#token=')
    const token = new URL(link.data.createUserLink.url).hash.replace('#token=', '')
    const reset = await client.gql(`mutation($t: String!, $p: String!) { resetPassword(token: $t, password: $p) { account { id } } }`, {
      t: token,
      p: 'a brand new passphrase',
    })
    expect(reset.errors).toBeUndefined()
    expect((await me(user.cookie)).errors?.[0].extensions.code).toBe('UNAUTHENTICATED')
    expect((await signIn(client, user.email, 'a brand new passphrase')).errors).toBeUndefined()
    expect((await signIn(client, user.email, PASSWORD)).errors?.[0].message).toBe('Wrong email or password')
  })
})

describe('signing in', () => {
  it('throttles failed passwords per user, from any address', async () => {
    const tenant = await createTenant(client)
    const user = await createUser(client, tenant, 'viewer')
    const statuses: number[] = []
    for (let i = 0; i < 11; i++) statuses.push(await signInFrom(client, `10.9.${i}.1`, user.email, 'wrong password here'))
    expect(statuses.slice(0, 10).every((s) => s === 401)).toBe(true)
    expect(statuses[10]).toBe(429)
    // Even the right password waits now, and another user is unaffected.
    expect((await signIn(client, user.email)).status).toBe(429)
    const other = await createUser(client, tenant, 'viewer')
    expect((await signIn(client, other.email)).status).toBe(200)
  })

  it('keeps the access code as the owner’s way in until an owner with a password turns it off', async () => {
    const tenant = await createTenant(client)
    expect((await me(tenant.cookie)).data.me).toMatchObject({ role: 'OWNER', user: null })
    const denied = await client.gql(`mutation { setAccessCodeSignIn(enabled: false) }`, {}, { cookie: tenant.cookie })
    expect(denied.errors?.[0]).toMatchObject({ extensions: { code: 'FORBIDDEN' } })
    const owner = await createUser(client, tenant, 'owner')
    expect((await client.gql(`mutation { setAccessCodeSignIn(enabled: false) }`, {}, { cookie: owner.cookie })).data).toEqual({
      setAccessCodeSignIn: false,
    })
    expect((await me(tenant.cookie)).errors?.[0].extensions.code).toBe('UNAUTHENTICATED')
    const refused = await client.gql(`mutation($c: String!) { portalLogin(accessCode: $c) { account { id } } }`, { c: tenant.accessCode })
    expect(refused.errors?.[0].message).toMatch(/access code sign-in is turned off/)
    await client.gql(`mutation { setAccessCodeSignIn(enabled: true) }`, {}, { cookie: owner.cookie })
    expect(await login(client, tenant.accessCode)).toMatch(/^obq_session=/)
  })
})

describe('roles', () => {
  it('give each role its documented scopes and powers, and the API refuses the rest naming what is missing', async () => {
    const tenant = await createTenant(client)
    const [admin, member, viewer] = [
      await createUser(client, tenant, 'admin'),
      await createUser(client, tenant, 'member'),
      await createUser(client, tenant, 'viewer'),
    ]
    const createCustomer = `mutation { upsertCustomer(input: { externalId: "ada-1", firstName: "Ada", lastName: "L" }) { created } }`
    const listCustomers = `{ customers { totalCount } }`
    const createKey = `mutation { createApiKey(input: { name: "k", mode: LIVE }) { apiKey { id scopes createdBy { id } } } }`
    const saveIntegration = `mutation { saveIntegration(provider: sendblue, config: { api_key: "k", api_secret: "s", from_number: "+15550000001" }) { created } }`
    const settings = `mutation { updateAccountSettings(input: { autoDispatch: true }) { id } }`
    const inviteAnyone = `mutation { inviteUser(input: { email: "x-${Date.now()}@example.com", name: "X", role: VIEWER }) { url } }`

    // A viewer reads but cannot write.
    expect((await client.gql(listCustomers, {}, { cookie: viewer.cookie })).errors).toBeUndefined()
    const viewerWrite = await client.gql(createCustomer, {}, { cookie: viewer.cookie })
    expect(viewerWrite.status, JSON.stringify(viewerWrite.errors)).toBe(403)
    expect(viewerWrite.errors?.[0].message).toBe('Insufficient scope: write:hub required (your role: viewer)')

    // A member writes CRM data but manages neither keys nor integrations, users or settings.
    expect((await client.gql(createCustomer, {}, { cookie: member.cookie })).errors).toBeUndefined()
    for (const [operation, power] of [
      [createKey, 'manage:keys'],
      [saveIntegration, 'manage:integrations'],
      [settings, 'manage:settings'],
      [inviteAnyone, 'manage:users'],
    ]) {
      const refused = await client.gql(operation, {}, { cookie: member.cookie })
      expect(refused.errors?.[0], operation).toMatchObject({
        message: `Not allowed: ${power} required (your role: member)`,
        extensions: { code: 'FORBIDDEN' },
      })
    }
    const webhook = await client.gql(`{ webhookEndpoints { id } }`, {}, { cookie: member.cookie })
    expect(webhook.errors).toBeUndefined()

    // An admin manages all of that; a key it creates names it and carries at most its scopes.
    for (const operation of [createKey, saveIntegration, settings, inviteAnyone])
      expect((await client.gql(operation, {}, { cookie: admin.cookie })).errors, operation).toBeUndefined()
    const key = await client.gql(createKey, {}, { cookie: admin.cookie })
    expect(key.data.createApiKey.apiKey.createdBy).toEqual({ id: admin.id })

    const roles = await Promise.all([admin, member, viewer].map(async (u) => (await me(u.cookie)).data.me))
    expect(roles.map((r) => [r.role, r.powers.length, r.scopes.includes('write:hub'), r.scopes.includes('audit:read')])).toEqual([
      ['ADMIN', 5, true, true],
      ['MEMBER', 0, true, false],
      ['VIEWER', 0, false, false],
    ])
  })

  it('keep owners to owners: an admin cannot remove, demote or make an owner', async () => {
    const tenant = await createTenant(client)
    const owner = await createUser(client, tenant, 'owner')
    const admin = await createUser(client, tenant, 'admin')
    const remove = await client.gql(
      `mutation($id: ID!) { removeUser(id: $id, apiKeys: KEEP) { userId } }`,
      { id: owner.id },
      { cookie: admin.cookie },
    )
    expect(remove.errors?.[0]).toMatchObject({
      message: 'Not allowed: only an owner may manage owners (your role: admin)',
      extensions: { code: 'FORBIDDEN' },
    })
    const demote = await client.gql(
      `mutation($id: ID!) { changeUserRole(id: $id, role: VIEWER) { id } }`,
      { id: owner.id },
      { cookie: admin.cookie },
    )
    expect(demote.errors?.[0].extensions.code).toBe('FORBIDDEN')
    const promote = await client.gql(
      `mutation { inviteUser(input: { email: "boss-${Date.now()}@example.com", name: "B", role: OWNER }) { url } }`,
      {},
      { cookie: admin.cookie },
    )
    expect(promote.errors?.[0].extensions.code).toBe('FORBIDDEN')
    expect((await me(owner.cookie)).data.me.role).toBe('OWNER')
    // The owner can demote the admin, who holds the new role from the next request.
    await client.gql(`mutation($id: ID!) { changeUserRole(id: $id, role: VIEWER) { id } }`, { id: admin.id }, { cookie: owner.cookie })
    expect((await me(admin.cookie)).data.me.role).toBe('VIEWER')
  })
})

describe('removing a user', () => {
  it('ends their sessions on every server at once and revokes or keeps their keys as asked', async () => {
    const tenant = await createTenant(client)
    const admin = await createUser(client, tenant, 'admin')
    const keyOf = async () =>
      (await client.gql(`mutation { createApiKey(input: { name: "k", mode: LIVE }) { secret } }`, {}, { cookie: admin.cookie })).data
        .createApiKey.secret
    const keys = [await keyOf(), await keyOf()]
    // Another server over the same database; sessions are never cached, so it sees the removal at once.
    const other = await testApp({ PROVIDER_TIMEOUT_MS: '5000' })
    expect((await other.gql(`{ me { role } }`, {}, { cookie: admin.cookie })).data.me.role).toBe('ADMIN')
    const removal = await client.gql(
      `mutation($id: ID!) { removeUser(id: $id, apiKeys: REVOKE) { revokedKeys keptKeys } }`,
      { id: admin.id },
      { cookie: tenant.cookie },
    )
    expect(removal.data.removeUser).toEqual({ revokedKeys: 2, keptKeys: 0 })
    expect((await other.gql(`{ me { role } }`, {}, { cookie: admin.cookie })).status).toBe(401)
    for (const key of keys) expect((await other.call('GET', '/hub/v1/customers', { key })).status).toBe(401)
    expect((await signIn(client, admin.email)).errors?.[0].message).toBe('Wrong email or password')

    const member = await createUser(client, tenant, 'admin')
    const memberKey = (
      await client.gql(`mutation { createApiKey(input: { name: "k", mode: LIVE }) { secret } }`, {}, { cookie: member.cookie })
    ).data.createApiKey.secret
    const keeping = await client.gql(
      `mutation($id: ID!) { removeUser(id: $id, apiKeys: KEEP) { revokedKeys keptKeys } }`,
      { id: member.id },
      { cookie: tenant.cookie },
    )
    expect(keeping.data.removeUser).toEqual({ revokedKeys: 0, keptKeys: 1 })
    expect((await client.call('GET', '/hub/v1/customers', { key: memberKey })).status).toBe(200)
  })
})

describe('sessions', () => {
  it('lets a user see and end their own sessions, and an owner anyone’s', async () => {
    const tenant = await createTenant(client)
    const user = await createUser(client, tenant, 'member')
    const second = cookieOf((await signIn(client, user.email, PASSWORD, { 'user-agent': 'Phone browser' })).response)
    const list = await client.gql(
      `{ portalSessions { id userAgent address current viaAccessCode lastSeenAt } }`,
      {},
      { cookie: user.cookie },
    )
    expect(list.data.portalSessions).toHaveLength(2)
    const phone = list.data.portalSessions.find((s: { userAgent: string }) => s.userAgent === 'Phone browser')
    expect(phone).toMatchObject({ current: false, viaAccessCode: false })
    expect(phone.lastSeenAt).not.toBeNull()

    const everyone = await client.gql(`{ portalSessions(everyone: true) { id } }`, {}, { cookie: user.cookie })
    expect(everyone.errors?.[0].extensions.code).toBe('FORBIDDEN')
    // Another user cannot end it; its own user can.
    const other = await createUser(client, tenant, 'admin')
    const foreign = await client.gql(`mutation($id: ID!) { endPortalSession(id: $id) }`, { id: phone.id }, { cookie: other.cookie })
    expect(foreign.errors?.[0].extensions.code).toBe('NOT_FOUND')
    expect((await client.gql(`mutation($id: ID!) { endPortalSession(id: $id) }`, { id: phone.id }, { cookie: user.cookie })).data).toEqual({
      endPortalSession: true,
    })
    expect((await me(second)).status).toBe(401)

    // The owner (here the access code) sees and ends everyone's.
    const all = await client.gql(`{ portalSessions(everyone: true) { id user { id } } }`, {}, { cookie: tenant.cookie })
    const theirs = all.data.portalSessions.find((s: { user: { id: string } | null }) => s.user?.id === user.id)
    await client.gql(`mutation($id: ID!) { endPortalSession(id: $id) }`, { id: theirs.id }, { cookie: tenant.cookie })
    expect((await me(user.cookie)).status).toBe(401)
  })
})

describe("another account's users", () => {
  it('are not found by any user operation', async () => {
    const [mine, theirs] = [await createTenant(client), await createTenant(client)]
    const them = await createUser(client, theirs, 'member')
    const [theirSession] = (await client.gql(`{ portalSessions { id } }`, {}, { cookie: them.cookie })).data.portalSessions
    for (const [operation, variables] of [
      [`mutation($id: ID!) { removeUser(id: $id, apiKeys: REVOKE) { userId } }`, { id: them.id }],
      [`mutation($id: ID!) { changeUserRole(id: $id, role: VIEWER) { id } }`, { id: them.id }],
      [`mutation($id: ID!) { createUserLink(userId: $id) { url } }`, { id: them.id }],
      [`mutation($id: ID!) { endPortalSession(id: $id) }`, { id: theirSession.id }],
    ] as const) {
      const refused = await client.gql(operation, variables, { cookie: mine.cookie })
      expect(refused.errors?.[0].extensions.code, operation).toBe('NOT_FOUND')
    }
    expect((await client.gql(`{ users { id } }`, {}, { cookie: mine.cookie })).data.users).toEqual([])
    expect((await me(them.cookie)).data.me.role).toBe('MEMBER')
  })
})

describe('one email, one user across accounts', () => {
  it('refuses to invite an email another account already uses, with the same conflict as within the account', async () => {
    const [mine, theirs] = [await createTenant(client), await createTenant(client)]
    const taken = await invite(client, theirs.cookie, 'member')
    for (const tenant of [theirs, mine]) {
      const refused = await client.gql(
        `mutation($email: String!) { inviteUser(input: { email: $email, name: "Twin", role: VIEWER }) { url } }`,
        { email: taken.email.toUpperCase() },
        { cookie: tenant.cookie },
      )
      expect(refused.status, JSON.stringify(refused.errors)).toBe(409)
      expect(refused.errors?.[0]).toMatchObject({ message: 'A user with this email already exists', extensions: { code: 'CONFLICT' } })
    }
    expect((await client.gql(`{ users { id } }`, {}, { cookie: mine.cookie })).data.users).toEqual([])
  })
})

describe('a browser signed in to one account', () => {
  it("signs in to another account's user, access code, invitation and password reset", async () => {
    const [mine, theirs] = [await createTenant(client), await createTenant(client)]
    const accountOf = (result: { data?: Record<string, { account: { id: string } }>; errors?: unknown[] }, field: string) => {
      expect(result.errors, JSON.stringify(result.errors)).toBeUndefined()
      return result.data![field].account.id
    }
    const signedInTo = async (cookie: string) => (await me(cookie)).data?.me

    // An invitation of theirs, accepted in a browser holding my session.
    const invited = await invite(client, theirs.cookie, 'member')
    const accepted = await client.gql(
      `mutation($t: String!, $p: String!) { acceptInvitation(token: $t, password: $p) { account { id } } }`,
      { t: invited.token, p: PASSWORD },
      { cookie: mine.cookie },
    )
    expect(accountOf(accepted, 'acceptInvitation')).toBe(theirs.accountId)
    expect(await signedInTo(cookieOf(accepted.response))).toMatchObject({ role: 'MEMBER', user: { id: invited.userId } })

    // Their user's password.
    const login = await client.gql(
      `mutation($e: String!, $p: String!) { userLogin(email: $e, password: $p) { account { id } } }`,
      { e: invited.email, p: PASSWORD },
      { cookie: mine.cookie },
    )
    expect(accountOf(login, 'userLogin')).toBe(theirs.accountId)
    expect(await signedInTo(cookieOf(login.response))).toMatchObject({ user: { id: invited.userId } })

    // Their access code.
    const code = await client.gql(
      `mutation($c: String!) { portalLogin(accessCode: $c) { account { id } } }`,
      { c: theirs.accessCode },
      { cookie: mine.cookie },
    )
    expect(accountOf(code, 'portalLogin')).toBe(theirs.accountId)
    expect(await signedInTo(cookieOf(code.response))).toMatchObject({ role: 'OWNER', user: null })

    // A password reset of theirs.
    const link = await client.gql(
      `mutation($id: ID!) { createUserLink(userId: $id) { url } }`,
      { id: invited.userId },
      { cookie: theirs.cookie },
    )
    const reset = await client.gql(
      `mutation($t: String!, $p: String!) { resetPassword(token: $t, password: $p) { account { id } } }`,
      { t: new URL(link.data.createUserLink.url).hash.replace('#token=', ''), p: 'a brand new passphrase' },
      { cookie: mine.cookie },
    )
    expect(accountOf(reset, 'resetPassword')).toBe(theirs.accountId)
    expect((await signIn(client, invited.email, 'a brand new passphrase')).errors).toBeUndefined()

    // My own session is untouched, and still confined to my account.
    expect(await signedInTo(mine.cookie)).toMatchObject({ role: 'OWNER', user: null })
    expect((await client.gql(`{ users { id } }`, {}, { cookie: mine.cookie })).data.users).toEqual([])
  })
})

describe('a link that cannot be used', () => {
  it('is refused in one read, before any password is hashed', async () => {
    const tenant = await createTenant(client)
    const { token } = await invite(client, tenant.cookie, 'member')
    expect((await accept(client, token)).errors).toBeUndefined()
    for (const unusable of [token, 'no-such-link-token']) {
      let refused: Awaited<ReturnType<typeof accept>> | undefined
      // One statement: the link's lookup; no second read, no update.
      expect(await countStatements(async () => (refused = await accept(client, unusable, 'another long passphrase')))).toBe(1)
      expect(refused?.errors?.[0]).toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } })
      expect(refused?.errors?.[0].message).toMatch(/unknown, already used or expired/)
    }
  })
})
