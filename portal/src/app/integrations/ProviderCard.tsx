'use client'
import { type FormEvent, useState } from 'react'
import { allows, useAccount, useAccountMutation } from '../../components/AccountShell'
import { Notice } from '../../components/ui'
import { graphql } from '../../gql'
import type { IntegrationsQuery } from '../../gql/graphql'
import type { ProviderForm } from '../../lib/providers'

const SaveIntegrationDocument = graphql(`
  mutation SaveIntegration($provider: IntegrationProvider!, $config: JSON!) {
    saveIntegration(provider: $provider, config: $config) {
      created
      integration {
        id
        provider
        config
        updatedAt
      }
    }
  }
`)

type Stored = IntegrationsQuery['integrations'][number]

const asSettings = (config: unknown) => (config && typeof config === 'object' ? (config as Record<string, string | number>) : {})

/** What the form starts from: the stored non-secret settings; secrets always start empty. */
const formValues = (form: ProviderForm, current: Record<string, string | number>) =>
  Object.fromEntries(form.fields.map((f) => [f.name, f.secret || current[f.name] === undefined ? '' : String(current[f.name])]))

/** One provider's settings form, its connection status and its callback URLs. */
export function ProviderCard({
  form,
  origin,
  stored,
  loading,
  onSaved,
}: {
  form: ProviderForm
  origin: string
  stored?: Stored
  loading: boolean
  onSaved: () => Promise<void>
}) {
  const { account, me, time } = useAccount()
  const current = asSettings(stored?.config)
  const [values, setValues] = useState(() => formValues(form, current))
  // Refilled when the stored settings change (loaded, or saved), and not when another card saves.
  const [valuesOf, setValuesOf] = useState(stored?.updatedAt)
  if (valuesOf !== stored?.updatedAt) {
    setValuesOf(stored?.updatedAt)
    setValues(formValues(form, current))
  }
  const [problem, setProblem] = useState<string>()
  const [saved, setSaved] = useState<string>()
  const save = useAccountMutation(SaveIntegrationDocument, {
    onSuccess: (data) => {
      setSaved(data.saveIntegration.created ? `${form.title} connected.` : `${form.title} settings saved.`)
      return onSaved()
    },
  })

  const submit = (event: FormEvent) => {
    event.preventDefault()
    setSaved(undefined)
    const missing = form.fields.find((f) => f.required && !values[f.name]?.trim())
    setProblem(
      missing && `${missing.label} is required${stored && missing.secret ? ' (enter it again: saving replaces the stored settings)' : ''}.`,
    )
    if (missing) return
    const config: Record<string, string | number> = {}
    for (const field of form.fields) {
      const value = values[field.name]?.trim()
      if (value) config[field.name] = field.type === 'number' ? Number(value) : value
    }
    void save.run({ provider: form.name, config })
  }

  const id = (field: string) => `${form.name}-${field}`
  return (
    <section className="card" aria-labelledby={`${form.name}-title`} data-testid={`integration-${form.name}`}>
      <h2 id={`${form.name}-title`}>{form.title}</h2>
      <p className="hint">
        {form.description}{' '}
        {loading ? (
          ' '
        ) : stored ? (
          <span className="status-on">Connected · updated {time(stored.updatedAt)}</span>
        ) : (
          <span className="status-off">Not connected</span>
        )}
      </p>
      {!allows(me, 'manage:integrations') ? (
        <p className="hint">Your role cannot change these settings.</p>
      ) : (
        <form className="form" onSubmit={submit} noValidate>
          {form.fields.map((field) => {
            const storedSecret = field.secret && current[field.name] !== undefined ? String(current[field.name]) : undefined
            return (
              <div className="field" key={field.name}>
                <label htmlFor={id(field.name)}>
                  {field.label}
                  {field.required ? '' : <span className="hint"> (optional)</span>}
                </label>
                <input
                  id={id(field.name)}
                  type={field.secret ? 'password' : (field.type ?? 'text')}
                  autoComplete={field.secret ? 'new-password' : 'off'}
                  spellCheck={false}
                  value={values[field.name] ?? ''}
                  placeholder={storedSecret ? `Stored: ${storedSecret}` : field.placeholder}
                  onChange={(e) => setValues((v) => ({ ...v, [field.name]: e.target.value }))}
                  aria-describedby={storedSecret ? `${id(field.name)}-stored` : undefined}
                />
                {storedSecret && (
                  <span id={`${id(field.name)}-stored`} className="masked">
                    Stored: {storedSecret}
                  </span>
                )}
              </div>
            )
          })}
          <Notice>{problem ?? save.error?.message}</Notice>
          <Notice kind="success">{saved}</Notice>
          <button type="submit" className="button primary" disabled={save.running || loading}>
            {save.running ? 'Saving…' : stored ? `Save ${form.title}` : `Connect ${form.title}`}
          </button>
        </form>
      )}
      {form.callbacks.length > 0 && (
        <div className="callbacks">
          <h3 className="hint">Callback URLs to paste into {form.title}</h3>
          {form.callbacks.map((cb) => (
            <CallbackUrl key={cb.path} label={cb.label} url={`${origin}${cb.path.replace('{accountId}', account.id)}`} />
          ))}
        </div>
      )}
    </section>
  )
}

function CallbackUrl({ label, url }: { label: string; url: string }) {
  const [copied, setCopied] = useState(false)
  const inputId = `cb-${url.replace(/[^a-z0-9]/gi, '-')}`
  return (
    <div className="field">
      <label htmlFor={inputId}>{label}</label>
      <div className="callback-row">
        <textarea id={inputId} readOnly rows={3} value={url} onFocus={(e) => e.currentTarget.select()} />
        <button
          type="button"
          className="button small"
          onClick={() =>
            navigator.clipboard.writeText(url).then(
              () => setCopied(true),
              () => setCopied(false),
            )
          }
        >
          {copied ? 'Copied' : 'Copy'}
        </button>
      </div>
    </div>
  )
}
