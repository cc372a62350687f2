'use client'
/**
 * Users: invite (the single-use link shown once), change roles, make sign-in links, remove; an
 * owner signed in with their password turns the access code off and on.
 */
import { type FormEvent, useState } from 'react'
import { AccountShell, useAccount, useAccountMutation, useSessionGuard } from '../../components/AccountShell'
import { ConfirmDialog, Empty, Loading, Notice, SecretOnce } from '../../components/ui'
import { graphql } from '../../gql'
import type { Role, UsersQuery } from '../../gql/graphql'
import { isUnauthenticated, useQuery } from '../../lib/graphql'

const UsersDocument = graphql(`
  query Users {
    users {
      id
      email
      name
      role
      invited
      activeApiKeyCount
      createdAt
    }
    me {
      accessCodeSignIn
    }
  }
`)

const InviteDocument = graphql(`
  mutation InviteUser($input: InviteUserInput!) {
    inviteUser(input: $input) {
      url
      email
    }
  }
`)

const LinkDocument = graphql(`
  mutation CreateUserLink($userId: ID!) {
    createUserLink(userId: $userId) {
      url
      email
    }
  }
`)

const RoleDocument = graphql(`
  mutation ChangeUserRole($id: ID!, $role: Role!) {
    changeUserRole(id: $id, role: $role) {
      id
      role
    }
  }
`)

const RemoveDocument = graphql(`
  mutation RemoveUser($id: ID!, $apiKeys: RemovedUserKeys!) {
    removeUser(id: $id, apiKeys: $apiKeys) {
      revokedKeys
    }
  }
`)

const AccessCodeDocument = graphql(`
  mutation SetAccessCodeSignIn($enabled: Boolean!) {
    setAccessCodeSignIn(enabled: $enabled)
  }
`)

type User = UsersQuery['users'][number]
const ROLES: Role[] = ['OWNER', 'ADMIN', 'MEMBER', 'VIEWER']
const sentBy = (email: string) => (email === 'SENT' ? 'It was also emailed.' : 'It was not emailed: hand it over yourself.')

export default function UsersPage() {
  return (
    <AccountShell title="Users">
      <Users />
    </AccountShell>
  )
}

function Users() {
  const { me, time } = useAccount()
  const users = useQuery(UsersDocument)
  useSessionGuard(users.error)
  const [link, setLink] = useState<{ label: string; url: string; email: string }>()
  const [removing, setRemoving] = useState<User>()
  const [form, setForm] = useState({ email: '', name: '', role: 'MEMBER' as Role })
  const invite = useAccountMutation(InviteDocument, {
    onSuccess: async (data) => {
      setLink({ label: `Invitation for ${form.email}`, ...data.inviteUser })
      setForm({ email: '', name: '', role: 'MEMBER' as Role })
      await users.reload()
    },
  })
  const makeLink = useAccountMutation(LinkDocument, { onSuccess: (data) => setLink({ label: 'New sign-in link', ...data.createUserLink }) })
  const changeRole = useAccountMutation(RoleDocument, { onSuccess: () => users.reload() })
  const remove = useAccountMutation(RemoveDocument, {
    onSuccess: async () => {
      setRemoving(undefined)
      await users.reload()
    },
  })
  const roles = me.role === 'OWNER' ? ROLES : ROLES.filter((r) => r !== 'OWNER')

  const submit = (event: FormEvent) => {
    event.preventDefault()
    void invite.run({ input: form })
  }

  return (
    <>
      <section className="card" aria-labelledby="invite">
        <h2 id="invite">Invite someone</h2>
        {link ? (
          <SecretOnce
            label={link.label}
            value={link.url}
            warning={`This link works once and is not shown again. ${sentBy(link.email)}`}
            onDone={() => setLink(undefined)}
          />
        ) : (
          <form className="form" onSubmit={submit}>
            <div className="field">
              <label htmlFor="invite-email">Email</label>
              <input
                id="invite-email"
                type="email"
                value={form.email}
                onChange={(e) => setForm({ ...form, email: e.target.value })}
                required
              />
            </div>
            <div className="field">
              <label htmlFor="invite-name">Name</label>
              <input id="invite-name" value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} required />
            </div>
            <div className="field">
              <label htmlFor="invite-role">Role</label>
              <select id="invite-role" value={form.role} onChange={(e) => setForm({ ...form, role: e.target.value as Role })}>
                {roles.map((r) => (
                  <option key={r} value={r}>
                    {r.toLowerCase()}
                  </option>
                ))}
              </select>
            </div>
            <Notice>{invite.error?.message}</Notice>
            <button type="submit" className="button primary" disabled={invite.running}>
              {invite.running ? 'Inviting…' : 'Invite'}
            </button>
          </form>
        )}
      </section>

      <section className="card" aria-labelledby="user-list" aria-busy={users.loading}>
        <h2 id="user-list">People</h2>
        <Notice>{changeRole.error?.message ?? makeLink.error?.message}</Notice>
        {users.error && !isUnauthenticated(users.error) && <Notice>Could not load the users: {users.error.message}</Notice>}
        {!users.data ? (
          users.error ? null : (
            <Loading label="Loading users…" />
          )
        ) : users.data.users.length === 0 ? (
          <Empty>No users yet: you sign in with the access code. Invite someone above and they choose their own password.</Empty>
        ) : (
          <div className="table-wrap">
            <table className="table responsive">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Email</th>
                  <th scope="col">Role</th>
                  <th scope="col">Since</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {users.data.users.map((user) => {
                  const mine = user.id === me.user?.id
                  const locked = mine || (user.role === 'OWNER' && me.role !== 'OWNER')
                  return (
                    <tr key={user.id}>
                      <td data-label="Name">{user.name}</td>
                      <td data-label="Email">{user.email}</td>
                      <td data-label="Role">
                        <select
                          aria-label={`Role of ${user.name}`}
                          value={user.role}
                          disabled={locked || changeRole.running}
                          onChange={(e) => void changeRole.run({ id: user.id, role: e.target.value as Role })}
                        >
                          {(locked ? ROLES : roles).map((r) => (
                            <option key={r} value={r}>
                              {r.toLowerCase()}
                            </option>
                          ))}
                        </select>
                      </td>
                      <td data-label="Since">{user.invited ? 'invited' : time(user.createdAt)}</td>
                      <td data-label="">
                        {!locked && (
                          <>
                            <button
                              type="button"
                              className="button small"
                              disabled={makeLink.running}
                              onClick={() => void makeLink.run({ userId: user.id })}
                            >
                              {user.invited ? 'New invitation' : 'Password reset link'}
                              <span className="visually-hidden"> for {user.name}</span>
                            </button>{' '}
                            <button type="button" className="button small danger" onClick={() => setRemoving(user)}>
                              Remove<span className="visually-hidden"> {user.name}</span>
                            </button>
                          </>
                        )}
                      </td>
                    </tr>
                  )
                })}
              </tbody>
            </table>
          </div>
        )}
      </section>

      {/* The server lets only an owner signed in with their own password change it. */}
      {me.role === 'OWNER' && me.user && users.data && (
        <AccessCodeSwitch enabled={users.data.me.accessCodeSignIn} onChanged={users.reload} />
      )}

      <ConfirmDialog
        open={Boolean(removing)}
        title={`Remove ${removing?.name ?? ''}?`}
        confirmLabel="Remove and revoke their keys"
        busy={remove.running}
        error={remove.error?.message}
        onConfirm={() => removing && remove.run({ id: removing.id, apiKeys: 'REVOKE' })}
        onCancel={() => {
          remove.reset()
          setRemoving(undefined)
        }}
      >
        <p>Their sessions end at once.</p>
        {removing && removing.activeApiKeyCount > 0 && (
          <p>
            They created {removing.activeApiKeyCount} API key(s).{' '}
            <button
              type="button"
              className="link-button"
              disabled={remove.running}
              onClick={() => void remove.run({ id: removing.id, apiKeys: 'KEEP' })}
            >
              Remove but keep their keys working
            </button>
          </p>
        )}
      </ConfirmDialog>
    </>
  )
}

/** Turns the account's access code off (its sessions end) or back on. */
function AccessCodeSwitch({ enabled, onChanged }: { enabled: boolean; onChanged: () => Promise<void> }) {
  const toggle = useAccountMutation(AccessCodeDocument, { onSuccess: onChanged })
  return (
    <section className="card" aria-labelledby="access-code">
      <h2 id="access-code">Access code</h2>
      <p className="hint">
        {enabled
          ? "The account's access code signs in as an owner. Turning it off ends the sessions opened with it."
          : 'The access code is off: owners sign in with their email and password.'}
      </p>
      <Notice>{toggle.error?.message}</Notice>
      <button type="button" className="button" disabled={toggle.running} onClick={() => void toggle.run({ enabled: !enabled })}>
        {enabled ? 'Turn the access code off' : 'Turn the access code back on'}
      </button>
    </section>
  )
}
