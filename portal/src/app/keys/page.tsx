'use client'
/** API keys: list, create (the full key is shown once), revoke with a confirmation. */
import { type FormEvent, useState } from 'react'
import { AccountShell, useAccount, useSessionGuard } from '../../components/AccountShell'
import { ConfirmDialog, Empty, Loading, Notice, SecretOnce } from '../../components/ui'
import { graphql } from '../../gql'
import type { ApiKeysQuery, KeyMode } from '../../gql/graphql'
import { dayIn, endOfDayIn } from '../../lib/format'
import { isUnauthenticated, messageOf, request, useQuery } from '../../lib/graphql'
import { SCOPES } from '../../lib/scopes'

const ApiKeysDocument = graphql(`
  query ApiKeys {
    apiKeys {
      id
      name
      prefix
      mode
      scopes
      createdAt
      expiresAt
      lastUsedAt
      revokedAt
    }
  }
`)

const CreateApiKeyDocument = graphql(`
  mutation CreateApiKey($input: CreateApiKeyInput!) {
    createApiKey(input: $input) {
      secret
      apiKey {
        id
        name
      }
    }
  }
`)

const RevokeApiKeyDocument = graphql(`
  mutation RevokeApiKey($id: ID!) {
    revokeApiKey(id: $id) {
      id
      revokedAt
    }
  }
`)

type Key = ApiKeysQuery['apiKeys'][number]

export default function KeysPage() {
  return (
    <AccountShell title="API keys">
      <Keys />
    </AccountShell>
  )
}

function Keys() {
  const keys = useQuery(ApiKeysDocument)
  const [created, setCreated] = useState<{ name: string; secret: string }>()
  const [revoking, setRevoking] = useState<Key>()
  const [revokeBusy, setRevokeBusy] = useState(false)
  const [revokeError, setRevokeError] = useState<string>()
  useSessionGuard(keys.error)

  const revoke = async () => {
    if (!revoking) return
    setRevokeBusy(true)
    setRevokeError(undefined)
    try {
      await request(RevokeApiKeyDocument, { id: revoking.id })
      await keys.reload()
      setRevoking(undefined)
    } catch (error) {
      setRevokeError(messageOf(error))
    } finally {
      setRevokeBusy(false)
    }
  }

  return (
    <>
      <section className="card" aria-labelledby="new-key">
        <h2 id="new-key">Create a key</h2>
        {created ? (
          <SecretOnce
            label={`Your new key “${created.name}”`}
            value={created.secret}
            warning="This key will not be shown again: only its prefix is kept. If you lose it, revoke it and create another."
            onDone={() => {
              setCreated(undefined)
              void keys.reload()
            }}
          />
        ) : (
          <CreateKeyForm
            onCreated={async (name, secret) => {
              setCreated({ name, secret })
              await keys.reload()
            }}
          />
        )}
      </section>

      <section className="card" aria-labelledby="key-list" aria-busy={keys.loading}>
        <h2 id="key-list">Your keys</h2>
        {keys.error && !isUnauthenticated(keys.error) && <Notice>Could not load the keys: {keys.error.message}</Notice>}
        {!keys.data ? (
          keys.error ? null : (
            <Loading />
          )
        ) : keys.data.apiKeys.length === 0 ? (
          <Empty>No keys yet. Create one above to call the API.</Empty>
        ) : (
          <KeyTable keys={keys.data.apiKeys} onRevoke={(key) => (setRevokeError(undefined), setRevoking(key))} />
        )}
      </section>

      <ConfirmDialog
        open={Boolean(revoking)}
        title="Revoke this key?"
        confirmLabel="Revoke key"
        busy={revokeBusy}
        error={revokeError}
        onConfirm={revoke}
        onCancel={() => setRevoking(undefined)}
      >
        <p>
          “{revoking?.name}” (<code>{revoking?.prefix}…</code>) will be refused from its very next request. Anything using it stops working.
          This cannot be undone.
        </p>
      </ConfirmDialog>
    </>
  )
}

function KeyTable({ keys, onRevoke }: { keys: Key[]; onRevoke: (key: Key) => void }) {
  const { time } = useAccount()
  const now = Date.now()
  return (
    <div className="table-wrap">
      <table className="table responsive" data-testid="key-table">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Prefix</th>
            <th scope="col">Mode</th>
            <th scope="col">Scopes</th>
            <th scope="col">Created</th>
            <th scope="col">Last used</th>
            <th scope="col">Expires</th>
            <th scope="col">Status</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {keys.map((key) => {
            const expired = key.expiresAt && new Date(key.expiresAt).getTime() <= now
            const status = key.revokedAt ? `Revoked ${time(key.revokedAt)}` : expired ? 'Expired' : 'Active'
            return (
              <tr key={key.id} data-key-id={key.id}>
                <th scope="row" data-label="Name">
                  {key.name}
                </th>
                <td data-label="Prefix">
                  <code>{key.prefix}…</code>
                </td>
                <td data-label="Mode">
                  <span className={`badge ${key.mode === 'LIVE' ? 'badge-live' : 'badge-test'}`}>
                    {key.mode === 'LIVE' ? 'Live' : 'Test'}
                  </span>
                </td>
                <td data-label="Scopes">
                  {key.scopes.length === SCOPES.length ? (
                    <span title={key.scopes.join(', ')}>All scopes</span>
                  ) : (
                    <ul className="chips">
                      {key.scopes.map((s) => (
                        <li key={s}>{s}</li>
                      ))}
                    </ul>
                  )}
                </td>
                <td data-label="Created">{time(key.createdAt)}</td>
                <td data-label="Last used">{time(key.lastUsedAt, 'Never')}</td>
                <td data-label="Expires">{time(key.expiresAt, 'Never')}</td>
                <td data-label="Status" data-testid="key-status">
                  <span className={key.revokedAt || expired ? 'status-off' : 'status-on'}>{status}</span>
                </td>
                <td data-label="">
                  {!key.revokedAt && (
                    <button
                      type="button"
                      className="button small danger-outline"
                      onClick={() => onRevoke(key)}
                      aria-label={`Revoke ${key.name}`}
                    >
                      Revoke
                    </button>
                  )}
                </td>
              </tr>
            )
          })}
        </tbody>
      </table>
    </div>
  )
}

const EXPIRY = [
  { value: 'never', label: 'Never' },
  { value: '30', label: 'In 30 days' },
  { value: '90', label: 'In 90 days' },
  { value: '365', label: 'In a year' },
  { value: 'date', label: 'On a date…' },
]

function CreateKeyForm({ onCreated }: { onCreated: (name: string, secret: string) => Promise<void> }) {
  const { account, sessionEnded } = useAccount()
  const [name, setName] = useState('')
  const [mode, setMode] = useState<KeyMode>('LIVE')
  const [scopes, setScopes] = useState<string[]>(SCOPES.map((s) => s.name))
  const [expiry, setExpiry] = useState('never')
  const [date, setDate] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string>()

  const toggle = (scope: string, on: boolean) => setScopes((current) => (on ? [...current, scope] : current.filter((s) => s !== scope)))

  const submit = async (event: FormEvent) => {
    event.preventDefault()
    setError(undefined)
    if (!name.trim()) return setError('Give the key a name, so you can recognise it later.')
    if (scopes.length === 0) return setError('Pick at least one scope.')
    if (expiry === 'date' && !date) return setError('Pick the expiry date.')
    const expiresAt =
      expiry === 'never' ? null : endOfDayIn(expiry === 'date' ? date : dayIn(account.timeZone, Number(expiry)), account.timeZone)
    setBusy(true)
    try {
      const ordered = SCOPES.map((s) => s.name).filter((s) => scopes.includes(s))
      const result = await request(CreateApiKeyDocument, { input: { name: name.trim(), mode, scopes: ordered, expiresAt } })
      await onCreated(result.createApiKey.apiKey.name, result.createApiKey.secret)
    } catch (e) {
      if (isUnauthenticated(e)) return sessionEnded()
      setError(messageOf(e))
      setBusy(false)
    }
  }

  return (
    <form onSubmit={submit} noValidate className="form">
      <div className="field">
        <label htmlFor="key-name">Name</label>
        <input id="key-name" value={name} onChange={(e) => setName(e.target.value)} maxLength={100} placeholder="e.g. Zapier" required />
      </div>
      <fieldset className="field">
        <legend>Mode</legend>
        <div className="radios">
          <label className="choice">
            <input type="radio" name="mode" value="LIVE" checked={mode === 'LIVE'} onChange={() => setMode('LIVE')} /> Live{' '}
            <span className="hint">(obq_live_…, reaches providers)</span>
          </label>
          <label className="choice">
            <input type="radio" name="mode" value="TEST" checked={mode === 'TEST'} onChange={() => setMode('TEST')} /> Test{' '}
            <span className="hint">(obq_test_…, never reaches a provider)</span>
          </label>
        </div>
      </fieldset>
      <fieldset className="field">
        <legend>Scopes</legend>
        <div className="scope-tools">
          <button type="button" className="link-button" onClick={() => setScopes(SCOPES.map((s) => s.name))}>
            Select all
          </button>
          <button type="button" className="link-button" onClick={() => setScopes([])}>
            Clear
          </button>
        </div>
        <div className="checks">
          {SCOPES.map((scope) => (
            <label key={scope.name} className="choice">
              <input
                type="checkbox"
                name="scopes"
                value={scope.name}
                checked={scopes.includes(scope.name)}
                onChange={(e) => toggle(scope.name, e.target.checked)}
              />
              <code>{scope.name}</code>
              <span className="hint">{scope.label}</span>
            </label>
          ))}
        </div>
      </fieldset>
      <div className="field-row">
        <div className="field">
          <label htmlFor="key-expiry">Expires</label>
          <select id="key-expiry" value={expiry} onChange={(e) => setExpiry(e.target.value)}>
            {EXPIRY.map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </select>
        </div>
        {expiry === 'date' && (
          <div className="field">
            <label htmlFor="key-expiry-date">Expiry date (end of day, {account.timeZone})</label>
            <input
              id="key-expiry-date"
              type="date"
              min={dayIn(account.timeZone, 1)}
              value={date}
              onChange={(e) => setDate(e.target.value)}
            />
          </div>
        )}
      </div>
      <Notice>{error}</Notice>
      <button type="submit" className="button primary" disabled={busy}>
        {busy ? 'Creating…' : 'Create key'}
      </button>
    </form>
  )
}
