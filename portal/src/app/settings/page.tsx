'use client'
/** Account settings (auto-dispatch, time zone, sending window, test mode) and the SMS credit balance. */
import { type FormEvent, useMemo, useState } from 'react'
import { AccountShell, useAccount, useAccountMutation } from '../../components/AccountShell'
import { Notice } from '../../components/ui'
import { graphql } from '../../gql'

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
  const { account, refreshAccount } = useAccount()
  const zones = useMemo(() => (typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : []), [])
  const [autoDispatch, setAutoDispatch] = useState(account.autoDispatch)
  const [testMode, setTestMode] = useState(account.testMode)
  const [timeZone, setTimeZone] = useState(account.timeZone)
  const [start, setStart] = useState(account.sendingWindowStart ?? '')
  const [end, setEnd] = useState(account.sendingWindowEnd ?? '')
  const [problem, setProblem] = useState<{ field: 'tz' | 'window'; text: string }>()
  const [saved, setSaved] = useState<string>()
  const save = useAccountMutation(UpdateAccountSettingsDocument, {
    onSuccess: async () => {
      await refreshAccount()
      setSaved('Settings saved.')
    },
  })
  /** An edit also takes down "Settings saved.", which no longer describes the form. */
  const edit = <T,>(set: (value: T) => void, value: T) => {
    set(value)
    setSaved(undefined)
  }

  const check = (): typeof problem => {
    if (!isTimeZone(timeZone.trim())) return { field: 'tz', text: `“${timeZone}” is not a time zone. Use a name such as America/Chicago.` }
    if (Boolean(start) !== Boolean(end)) return { field: 'window', text: 'Set both ends of the sending window, or neither.' }
    if (start && start === end) return { field: 'window', text: 'The window must start and end at different times.' }
    return undefined
  }

  const submit = (event: FormEvent) => {
    event.preventDefault()
    const found = check()
    setProblem(found)
    if (found) return
    void save.run({
      input: { autoDispatch, testMode, timeZone: timeZone.trim(), sendingWindowStart: start || null, sendingWindowEnd: end || null },
    })
  }
  const error = problem?.text ?? save.error?.message

  return (
    <section className="card" aria-labelledby="settings">
      <h2 id="settings">Account settings</h2>
      <form className="form" onSubmit={submit} noValidate>
        <label className="choice">
          <input type="checkbox" checked={autoDispatch} onChange={(e) => edit(setAutoDispatch, e.target.checked)} /> Auto-dispatch
          <span className="hint">Send the messages your automations create without waiting for approval.</span>
        </label>
        <label className="choice">
          <input type="checkbox" checked={testMode} onChange={(e) => edit(setTestMode, e.target.checked)} /> Test mode
          <span className="hint">Nothing reaches a provider: messages are recorded as if sent.</span>
        </label>
        <div className="field">
          <label htmlFor="time-zone">Time zone</label>
          <input
            id="time-zone"
            list="time-zones"
            value={timeZone}
            onChange={(e) => edit(setTimeZone, e.target.value)}
            autoComplete="off"
            spellCheck={false}
            aria-invalid={problem?.field === 'tz' ? true : undefined}
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
                onChange={(e) => edit(setStart, e.target.value)}
                aria-invalid={problem?.field === 'window' ? true : undefined}
              />
            </div>
            <div className="field">
              <label htmlFor="window-end">Until</label>
              <input
                id="window-end"
                type="time"
                value={end}
                onChange={(e) => edit(setEnd, e.target.value)}
                aria-invalid={problem?.field === 'window' ? true : undefined}
              />
            </div>
          </div>
        </fieldset>
        <Notice>{error}</Notice>
        <Notice kind="success">{saved}</Notice>
        <button type="submit" className="button primary" disabled={save.running}>
          {save.running ? 'Saving…' : 'Save settings'}
        </button>
      </form>
    </section>
  )
}
