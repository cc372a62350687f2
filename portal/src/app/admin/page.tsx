'use client'
/**
 * The operator's view, behind ADMIN_TOKEN: accounts, create an account (its access code shown
 * once), rotate an access code (shown once), grant SMS credits.
 */
import Link from 'next/link'
import { type FormEvent, useEffect, useState } from 'react'
import { ConfirmDialog, Empty, Loading, Notice, SecretOnce } from '../../components/ui'
import { graphql } from '../../gql'
import type { AdminAccountsQuery } from '../../gql/graphql'
import { formatDateTime } from '../../lib/format'
import { GraphQLRequestError, messageOf, request, signInMessage, useQuery } from '../../lib/graphql'

const AdminAccountsDocument = graphql(`
  query AdminAccounts {
    accounts {
      id
      name
      smsCredits
      createdAt
    }
  }
`)

const AdminLoginDocument = graphql(`
  mutation AdminLogin($token: String!) {
    adminLogin(token: $token)
  }
`)

const CreateAccountDocument = graphql(`
  mutation AdminCreateAccount($name: String!) {
    createAccount(input: { name: $name }) {
      accessCode
      account {
        id
        name
      }
    }
  }
`)

const RotateAccessCodeDocument = graphql(`
  mutation AdminRotateAccessCode($accountId: ID!) {
    rotateAccessCode(accountId: $accountId) {
      accessCode
    }
  }
`)

const GrantSmsCreditsDocument = graphql(`
  mutation AdminGrantSmsCredits($accountId: ID!, $amount: Int!) {
    grantSmsCredits(accountId: $accountId, amount: $amount) {
      account {
        id
        smsCredits
      }
    }
  }
`)

const LogoutDocument = graphql(`
  mutation AdminLogout {
    portalLogout
  }
`)

type Account = AdminAccountsQuery['accounts'][number]

const notAdmin = (error: unknown) =>
  error instanceof GraphQLRequestError && (error.code === 'UNAUTHENTICATED' || error.code === 'FORBIDDEN')

export default function AdminPage() {
  const accounts = useQuery(AdminAccountsDocument)
  const [signedOut, setSignedOut] = useState(false)
  useEffect(() => {
    document.title = 'Admin · CRM portal'
  }, [])

  const signOut = async () => {
    await request(LogoutDocument).catch(() => {})
    setSignedOut(true)
    await accounts.reload()
  }

  if (!accounts.data && accounts.loading) {
    return (
      <main id="main" className="auth">
        <div className="card auth-card">
          <Loading rows={2} />
        </div>
      </main>
    )
  }
  if (!accounts.data || notAdmin(accounts.error)) {
    return (
      <AdminSignIn
        signedOut={signedOut}
        problem={accounts.error && !notAdmin(accounts.error) ? accounts.error.message : undefined}
        onSignedIn={accounts.reload}
      />
    )
  }
  return (
    <div className="shell">
      <header className="topbar">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true">
            ◆
          </span>
          <span className="brand-name">Operator</span>
        </div>
        <div className="topbar-meta">
          <button type="button" className="button small" onClick={signOut}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" className="main">
        <div className="page-head">
          <h1>Accounts</h1>
          <p className="hint">Times in UTC</p>
        </div>
        <AdminAccounts accounts={accounts.data.accounts} reload={accounts.reload} />
      </main>
    </div>
  )
}

function AdminSignIn({ signedOut, problem, onSignedIn }: { signedOut: boolean; problem?: string; onSignedIn: () => Promise<void> }) {
  const [token, setToken] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string>()
  const submit = async (event: FormEvent) => {
    event.preventDefault()
    setError(undefined)
    if (!token) return setError('Enter the admin token.')
    setBusy(true)
    try {
      await request(AdminLoginDocument, { token })
      await onSignedIn()
    } catch (e) {
      setError(signInMessage(e, 'That admin token is not right (or the server has no ADMIN_TOKEN set).'))
    } finally {
      setBusy(false)
    }
  }
  return (
    <main id="main" className="auth">
      <form className="card auth-card" onSubmit={submit} noValidate>
        <h1>Admin sign-in</h1>
        <p className="hint">For the operator of this server: sign in with its ADMIN_TOKEN.</p>
        {signedOut && <Notice kind="info">You have signed out.</Notice>}
        <Notice>{problem}</Notice>
        <div className="field">
          <label htmlFor="admin-token">Admin token</label>
          <input
            id="admin-token"
            type="password"
            autoComplete="off"
            spellCheck={false}
            value={token}
            onChange={(e) => setToken(e.target.value)}
            aria-invalid={error ? true : undefined}
            required
          />
        </div>
        <Notice>{error}</Notice>
        <button type="submit" className="button primary block" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in as operator'}
        </button>
        <p className="hint center">
          Account owner? <Link href="/">Sign in with an access code</Link>
        </p>
      </form>
    </main>
  )
}

function AdminAccounts({ accounts, reload }: { accounts: Account[]; reload: () => Promise<void> }) {
  const [shown, setShown] = useState<{ label: string; code: string }>()
  const [rotating, setRotating] = useState<Account>()
  const [rotateBusy, setRotateBusy] = useState(false)
  const [rotateError, setRotateError] = useState<string>()

  const rotate = async () => {
    if (!rotating) return
    setRotateBusy(true)
    setRotateError(undefined)
    try {
      const result = await request(RotateAccessCodeDocument, { accountId: rotating.id })
      setShown({ label: `New access code for “${rotating.name}”`, code: result.rotateAccessCode.accessCode })
      setRotating(undefined)
    } catch (e) {
      setRotateError(messageOf(e))
    } finally {
      setRotateBusy(false)
    }
  }

  return (
    <>
      <section className="card" aria-labelledby="create-account">
        <h2 id="create-account">Create an account</h2>
        {shown ? (
          <SecretOnce
            label={shown.label}
            value={shown.code}
            warning="This access code will not be shown again: only its hash is stored. Hand it to the account owner now."
            onDone={() => setShown(undefined)}
          />
        ) : (
          <CreateAccountForm
            onCreated={async (name, code) => {
              setShown({ label: `Access code for “${name}”`, code })
              await reload()
            }}
          />
        )}
      </section>
      <section className="card" aria-labelledby="account-list">
        <h2 id="account-list">All accounts</h2>
        {accounts.length === 0 ? (
          <Empty>No accounts yet.</Empty>
        ) : (
          <div className="table-wrap">
            <table className="table responsive" data-testid="account-table">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">ID</th>
                  <th scope="col">SMS credits</th>
                  <th scope="col">Created</th>
                  <th scope="col">Grant credits</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {accounts.map((account) => (
                  <tr key={account.id}>
                    <th scope="row" data-label="Name">
                      {account.name}
                    </th>
                    <td data-label="ID">
                      <code className="small-code">{account.id}</code>
                    </td>
                    <td data-label="SMS credits" className="num">
                      {account.smsCredits.toLocaleString('en-US')}
                    </td>
                    <td data-label="Created">{formatDateTime(account.createdAt, 'UTC')}</td>
                    <td data-label="Grant credits">
                      <GrantForm account={account} onGranted={reload} />
                    </td>
                    <td data-label="">
                      <button type="button" className="button small" onClick={() => (setRotateError(undefined), setRotating(account))}>
                        Rotate access code
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <ConfirmDialog
        open={Boolean(rotating)}
        title="Rotate the access code?"
        confirmLabel="Rotate code"
        busy={rotateBusy}
        error={rotateError}
        onConfirm={rotate}
        onCancel={() => setRotating(undefined)}
      >
        <p>
          The current code of “{rotating?.name}” stops working at once and every portal session opened with it ends. The new code is shown
          once.
        </p>
      </ConfirmDialog>
    </>
  )
}

function CreateAccountForm({ onCreated }: { onCreated: (name: string, code: string) => Promise<void> }) {
  const [name, setName] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string>()
  const submit = async (event: FormEvent) => {
    event.preventDefault()
    setError(undefined)
    if (!name.trim()) return setError('Enter the account name.')
    setBusy(true)
    try {
      const result = await request(CreateAccountDocument, { name: name.trim() })
      setName('')
      await onCreated(result.createAccount.account.name, result.createAccount.accessCode)
    } catch (e) {
      setError(messageOf(e))
    } finally {
      setBusy(false)
    }
  }
  return (
    <form onSubmit={submit} noValidate className="form inline-form">
      <div className="field grow">
        <label htmlFor="account-name">Account name</label>
        <input
          id="account-name"
          value={name}
          onChange={(e) => setName(e.target.value)}
          maxLength={200}
          placeholder="e.g. Acme Roofing"
          required
        />
      </div>
      <button type="submit" className="button primary" disabled={busy}>
        {busy ? 'Creating…' : 'Create account'}
      </button>
      <Notice>{error}</Notice>
    </form>
  )
}

function GrantForm({ account, onGranted }: { account: Account; onGranted: () => Promise<void> }) {
  const [amount, setAmount] = useState('')
  const [busy, setBusy] = useState(false)
  const [message, setMessage] = useState<{ kind: 'error' | 'success'; text: string }>()
  const submit = async (event: FormEvent) => {
    event.preventDefault()
    const n = Number(amount)
    if (!Number.isInteger(n) || n < 1) return setMessage({ kind: 'error', text: 'Enter a whole number of credits, 1 or more.' })
    setBusy(true)
    setMessage(undefined)
    try {
      await request(GrantSmsCreditsDocument, { accountId: account.id, amount: n })
      setAmount('')
      setMessage({ kind: 'success', text: `Granted ${n.toLocaleString('en-US')}.` })
      await onGranted()
    } catch (e) {
      setMessage({ kind: 'error', text: messageOf(e) })
    } finally {
      setBusy(false)
    }
  }
  const id = `grant-${account.id}`
  return (
    <form onSubmit={submit} noValidate className="grant-form">
      <label htmlFor={id} className="visually-hidden">
        Credits to grant to {account.name}
      </label>
      <input
        id={id}
        type="number"
        inputMode="numeric"
        min={1}
        step={1}
        value={amount}
        onChange={(e) => setAmount(e.target.value)}
        placeholder="100"
        className="narrow"
      />
      <button type="submit" className="button small" disabled={busy}>
        {busy ? 'Granting…' : 'Grant'}
      </button>
      {message && <Notice kind={message.kind}>{message.text}</Notice>}
    </form>
  )
}
