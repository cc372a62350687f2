'use client'
/** Account settings (auto-dispatch, time zone, sending window, test mode) and the SMS credit balance. */
import { type FormEvent, useEffect, useMemo, useState } from 'react'
import { AccountShell, useAccount } from '../../components/AccountShell'
import { Notice } from '../../components/ui'
import { graphql } from '../../gql'
import { isUnauthenticated, messageOf, request } from '../../lib/graphql'

const UpdateAccountSettingsDocument = graphql(`
  mutation UpdateAccountSettings($input: AccountSettingsInput!) {
    updateAccountSettings(input: $input) {
      autoDispatch
      timeZone
      sendingWindowStart
      sendingWindowEnd
      testMode
    }
  }
`)

export default function SettingsPage() {
  return (
    <AccountShell title="Settings">
      <Credits />
      <SettingsForm />
    </AccountShell>
  )
}

function Credits() {
  const { account } = useAccount()
  return (
    <section className="card" aria-labelledby="credits">
      <h2 id="credits">SMS credits</h2>
      <p className="stat-value" data-testid="credit-balance">
        {account.smsCredits.toLocaleString('en-US')}
      </p>
      <p className="hint">Each outgoing SMS uses credits; the operator of this server grants them.</p>
    </section>
  )
}

const isTimeZone = (zone: string) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone })
    return true
  } catch {
    return false
  }
}

function SettingsForm() {
  const { account, refreshAccount, sessionEnded } = useAccount()
  const zones = useMemo(() => (typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : []), [])
  const [autoDispatch, setAutoDispatch] = useState(account.autoDispatch)
  const [testMode, setTestMode] = useState(account.testMode)
  const [timeZone, setTimeZone] = useState(account.timeZone)
  const [start, setStart] = useState(account.sendingWindowStart ?? '')
  const [end, setEnd] = useState(account.sendingWindowEnd ?? '')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<{ field?: string; text: string }>()
  const [saved, setSaved] = useState<string>()
  useEffect(() => setSaved(undefined), [autoDispatch, testMode, timeZone, start, end])

  const submit = async (event: FormEvent) => {
    event.preventDefault()
    setError(undefined)
    if (!isTimeZone(timeZone.trim()))
      return setError({ field: 'tz', text: `“${timeZone}” is not a time zone. Use a name such as America/Chicago.` })
    if (Boolean(start) !== Boolean(end)) return setError({ field: 'window', text: 'Set both ends of the sending window, or neither.' })
    if (start && start === end) return setError({ field: 'window', text: 'The window must start and end at different times.' })
    setBusy(true)
    try {
      await request(UpdateAccountSettingsDocument, {
        input: { autoDispatch, testMode, timeZone: timeZone.trim(), sendingWindowStart: start || null, sendingWindowEnd: end || null },
      })
      await refreshAccount()
      setSaved('Settings saved.')
    } catch (e) {
      if (isUnauthenticated(e)) return sessionEnded()
      setError({ text: messageOf(e) })
    } finally {
      setBusy(false)
    }
  }

  return (
    <section className="card" aria-labelledby="settings">
      <h2 id="settings">Account settings</h2>
      <form className="form" onSubmit={submit} noValidate>
        <label className="choice">
          <input type="checkbox" checked={autoDispatch} onChange={(e) => setAutoDispatch(e.target.checked)} /> Auto-dispatch
          <span className="hint">Send the messages your automations create without waiting for approval.</span>
        </label>
        <label className="choice">
          <input type="checkbox" checked={testMode} onChange={(e) => setTestMode(e.target.checked)} /> Test mode
          <span className="hint">Nothing reaches a provider: messages are recorded as if sent.</span>
        </label>
        <div className="field">
          <label htmlFor="time-zone">Time zone</label>
          <input
            id="time-zone"
            list="time-zones"
            value={timeZone}
            onChange={(e) => setTimeZone(e.target.value)}
            autoComplete="off"
            spellCheck={false}
            aria-invalid={error?.field === 'tz' ? true : undefined}
            aria-describedby="time-zone-hint"
          />
          <datalist id="time-zones">
            {zones.map((z) => (
              <option key={z} value={z} />
            ))}
          </datalist>
          <span id="time-zone-hint" className="hint">
            Times across the portal, and the sending window, use this zone.
          </span>
        </div>
        <fieldset className="field">
          <legend>Sending window</legend>
          <p className="hint">
            Messages to customers go out only between these times, in the account's time zone (leave both empty to send at any time). An end
            before the start crosses midnight.
          </p>
          <div className="field-row">
            <div className="field">
              <label htmlFor="window-start">From</label>
              <input
                id="window-start"
                type="time"
                value={start}
                onChange={(e) => setStart(e.target.value)}
                aria-invalid={error?.field === 'window' ? true : undefined}
              />
            </div>
            <div className="field">
              <label htmlFor="window-end">Until</label>
              <input
                id="window-end"
                type="time"
                value={end}
                onChange={(e) => setEnd(e.target.value)}
                aria-invalid={error?.field === 'window' ? true : undefined}
              />
            </div>
          </div>
        </fieldset>
        <Notice>{error?.text}</Notice>
        <Notice kind="success">{saved}</Notice>
        <button type="submit" className="button primary" disabled={busy}>
          {busy ? 'Saving…' : 'Save settings'}
        </button>
      </form>
    </section>
  )
}
