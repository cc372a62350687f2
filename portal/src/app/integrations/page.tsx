'use client'
/**
 * Integrations: one form per provider. Secrets are write-only: the server answers them masked
 * (••••••••3f9a) and saving replaces the stored settings. Each provider's callback URLs are
 * shown ready to copy into its dashboard.
 */
import { type FormEvent, useEffect, useState } from 'react'
import { AccountShell, useAccount, useSessionGuard } from '../../components/AccountShell'
import { Loading, Notice } from '../../components/ui'
import { graphql } from '../../gql'
import type { IntegrationsQuery } from '../../gql/graphql'
import { isUnauthenticated, messageOf, request, useQuery } from '../../lib/graphql'
import { PROVIDER_FORMS, type ProviderForm } from '../../lib/providers'

const IntegrationsDocument = graphql(`
  query Integrations {
    integrations {
      id
      provider
      config
      updatedAt
    }
  }
`)

const SaveIntegrationDocument = graphql(`
  mutation SaveIntegration($provider: String!, $config: JSON!) {
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

export default function IntegrationsPage() {
  return (
    <AccountShell title="Integrations">
      <Integrations />
    </AccountShell>
  )
}

function Integrations() {
  const integrations = useQuery(IntegrationsDocument)
  useSessionGuard(integrations.error)
  const [origin, setOrigin] = useState('')
  useEffect(() => setOrigin(window.location.origin), [])
  return (
    <>
      <p className="hint">
        Secrets are write-only: after saving you only see their last four characters. Saving a provider replaces all of its settings, so
        enter its secrets again when you change anything.
      </p>
      {integrations.error && !isUnauthenticated(integrations.error) && (
        <Notice>Could not load the integrations: {integrations.error.message}</Notice>
      )}
      <div className="grid-2">
        {PROVIDER_FORMS.map((form) => (
          <ProviderCard
            key={form.name}
            form={form}
            origin={origin}
            loading={!integrations.data && !integrations.error}
            stored={integrations.data?.integrations.find((i) => i.provider === form.name)}
            onSaved={integrations.reload}
          />
        ))}
      </div>
    </>
  )
}

const asSettings = (config: unknown) => (config && typeof config === 'object' ? (config as Record<string, string | number>) : {})

function ProviderCard({
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
  const { account, time, sessionEnded } = useAccount()
  const current = asSettings(stored?.config)
  const [values, setValues] = useState<Record<string, string>>({})
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string>()
  const [saved, setSaved] = useState<string>()

  // Non-secret settings start from what is stored; secrets always start empty.
  useEffect(() => {
    setValues(
      Object.fromEntries(form.fields.map((f) => [f.name, f.secret || current[f.name] === undefined ? '' : String(current[f.name])])),
    )
  }, [stored?.updatedAt, form])

  const submit = async (event: FormEvent) => {
    event.preventDefault()
    setError(undefined)
    setSaved(undefined)
    const missing = form.fields.find((f) => f.required && !values[f.name]?.trim())
    if (missing)
      return setError(
        `${missing.label} is required${stored && missing.secret ? ' (enter it again: saving replaces the stored settings)' : ''}.`,
      )
    const config: Record<string, string | number> = {}
    for (const field of form.fields) {
      const value = values[field.name]?.trim()
      if (value) config[field.name] = field.type === 'number' ? Number(value) : value
    }
    setBusy(true)
    try {
      const result = await request(SaveIntegrationDocument, { provider: form.name, config })
      setSaved(result.saveIntegration.created ? `${form.title} connected.` : `${form.title} settings saved.`)
      await onSaved()
    } catch (e) {
      if (isUnauthenticated(e)) return sessionEnded()
      setError(messageOf(e))
    } finally {
      setBusy(false)
    }
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
        <Notice>{error}</Notice>
        <Notice kind="success">{saved}</Notice>
        <button type="submit" className="button primary" disabled={busy || loading}>
          {busy ? 'Saving…' : stored ? `Save ${form.title}` : `Connect ${form.title}`}
        </button>
      </form>
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
        <textarea id={inputId} readOnly rows={2} value={url} onFocus={(e) => e.currentTarget.select()} />
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
