'use client'
import { type FormEvent, useState } from 'react'
import { useAccount, useAccountMutation } from '../../components/AccountShell'
import { Notice } from '../../components/ui'
import { graphql } from '../../gql'
import type { KeyMode } from '../../gql/graphql'
import { dayIn, endOfDayIn } from '../../lib/format'
import { SCOPES } from '../../lib/scopes'

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

const EXPIRY = [
  { value: 'never', label: 'Never' },
  { value: '30', label: 'In 30 days' },
  { value: '90', label: 'In 90 days' },
  { value: '365', label: 'In a year' },
  { value: 'date', label: 'On a date…' },
]

/** A new key: name, mode, scopes and expiry; `onCreated` receives the full key, shown once. */
export function CreateKeyForm({ onCreated }: { onCreated: (name: string, secret: string) => Promise<void> }) {
  const { account } = useAccount()
  const [name, setName] = useState('')
  const [mode, setMode] = useState<KeyMode>('live')
  const [scopes, setScopes] = useState<string[]>(SCOPES.map((s) => s.name))
  const [expiry, setExpiry] = useState('never')
  const [date, setDate] = useState('')
  const [problem, setProblem] = useState<string>()
  const create = useAccountMutation(CreateApiKeyDocument, {
    onSuccess: (data) => onCreated(data.createApiKey.apiKey.name, data.createApiKey.secret),
  })

  const toggle = (scope: string, on: boolean) => setScopes((current) => (on ? [...current, scope] : current.filter((s) => s !== scope)))

  const check = () => {
    if (!name.trim()) return 'Give the key a name, so you can recognise it later.'
    if (scopes.length === 0) return 'Pick at least one scope.'
    if (expiry === 'date' && !date) return 'Pick the expiry date.'
    return undefined
  }

  const submit = (event: FormEvent) => {
    event.preventDefault()
    const found = check()
    setProblem(found)
    if (found) return
    const expiresAt =
      expiry === 'never' ? null : endOfDayIn(expiry === 'date' ? date : dayIn(account.timeZone, Number(expiry)), account.timeZone)
    const ordered = SCOPES.map((s) => s.name).filter((s) => scopes.includes(s))
    void create.run({ input: { name: name.trim(), mode, scopes: ordered, expiresAt } })
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
            <input type="radio" name="mode" value="live" checked={mode === 'live'} onChange={() => setMode('live')} /> Live{' '}
            <span className="hint">(obq_live_…, reaches providers)</span>
          </label>
          <label className="choice">
            <input type="radio" name="mode" value="test" checked={mode === 'test'} onChange={() => setMode('test')} /> Test{' '}
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
      <Notice>{problem ?? create.error?.message}</Notice>
      <button type="submit" className="button primary" disabled={create.running}>
        {create.running ? 'Creating…' : 'Create key'}
      </button>
    </form>
  )
}
