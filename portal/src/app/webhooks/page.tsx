'use client'
/**
 * Webhook endpoints: create (signing secret shown once), pick events, pause, rotate the secret,
 * delete, send a test event, and the delivery log with every attempt and a replay button.
 */
import { type FormEvent, useEffect, useState } from 'react'
import { AccountShell, useAccount, useSessionGuard } from '../../components/AccountShell'
import { ConfirmDialog, Empty, Loading, Notice, SecretOnce } from '../../components/ui'
import { graphql } from '../../gql'
import type { WebhookEndpointsQuery } from '../../gql/graphql'
import { WEBHOOK_EVENTS } from '../../lib/events'
import { isUnauthenticated, messageOf, request, useQuery } from '../../lib/graphql'

const WebhookEndpointsDocument = graphql(`
  query WebhookEndpoints {
    webhookEndpoints {
      id
      url
      events
      active
      createdAt
      deliveries(first: 20) {
        totalCount
        edges {
          node {
            id
            event
            status
            attempts
            lastStatusCode
            lastError
            createdAt
            deliveredAt
            nextAttemptAt
            attemptLog {
              id
              attemptNumber
              statusCode
              durationMs
              responseExcerpt
              error
              createdAt
            }
          }
        }
      }
    }
  }
`)

const CreateWebhookEndpointDocument = graphql(`
  mutation CreateWebhookEndpoint($input: WebhookEndpointInput!) {
    createWebhookEndpoint(input: $input) {
      secret
      endpoint {
        id
        url
      }
    }
  }
`)

const UpdateWebhookEndpointDocument = graphql(`
  mutation UpdateWebhookEndpoint($id: ID!, $input: WebhookEndpointPatch!) {
    updateWebhookEndpoint(id: $id, input: $input) {
      id
      active
      events
    }
  }
`)

const RotateWebhookSecretDocument = graphql(`
  mutation RotateWebhookSecret($id: ID!) {
    rotateWebhookSecret(id: $id) {
      secret
    }
  }
`)

const DeleteWebhookEndpointDocument = graphql(`
  mutation DeleteWebhookEndpoint($id: ID!) {
    deleteWebhookEndpoint(id: $id)
  }
`)

const SendTestWebhookDocument = graphql(`
  mutation SendTestWebhook($endpointId: ID!) {
    sendTestWebhook(endpointId: $endpointId) {
      id
    }
  }
`)

const ReplayWebhookDeliveryDocument = graphql(`
  mutation ReplayWebhookDelivery($id: ID!) {
    replayWebhookDelivery(id: $id) {
      id
    }
  }
`)

type Endpoint = WebhookEndpointsQuery['webhookEndpoints'][number]
type Delivery = Endpoint['deliveries']['edges'][number]['node']

/** While a delivery is pending, the log refreshes this often. */
const POLL_MS = 2_000

export default function WebhooksPage() {
  return (
    <AccountShell title="Webhooks">
      <Webhooks />
    </AccountShell>
  )
}

function Webhooks() {
  const endpoints = useQuery(WebhookEndpointsDocument)
  useSessionGuard(endpoints.error)
  const [secret, setSecret] = useState<{ label: string; value: string }>()
  const list = endpoints.data?.webhookEndpoints
  const pending = list?.some((e) => e.deliveries.edges.some((d) => d.node.status === 'pending')) ?? false

  useEffect(() => {
    if (!pending) return
    const timer = setInterval(() => void endpoints.reload(), POLL_MS)
    return () => clearInterval(timer)
  }, [pending, endpoints.reload])

  return (
    <>
      <section className="card" aria-labelledby="new-endpoint">
        <h2 id="new-endpoint">Add an endpoint</h2>
        {secret ? (
          <SecretOnce
            label={secret.label}
            value={secret.value}
            warning="This signing secret will not be shown again. Your receiver uses it to verify the webhook-signature header; if you lose it, rotate it."
            onDone={() => setSecret(undefined)}
          />
        ) : (
          <CreateEndpointForm
            onCreated={async (url, value) => {
              setSecret({ label: `Signing secret for ${url}`, value })
              await endpoints.reload()
            }}
          />
        )}
      </section>
      {endpoints.error && !isUnauthenticated(endpoints.error) && <Notice>Could not load the endpoints: {endpoints.error.message}</Notice>}
      {!list ? (
        endpoints.error ? null : (
          <section className="card">
            <Loading />
          </section>
        )
      ) : list.length === 0 ? (
        <section className="card">
          <Empty>No endpoints yet. Add one above to receive events.</Empty>
        </section>
      ) : (
        list.map((endpoint) => (
          <EndpointCard
            key={endpoint.id}
            endpoint={endpoint}
            reload={endpoints.reload}
            onSecret={(value) => setSecret({ label: `New signing secret for ${endpoint.url}`, value })}
          />
        ))
      )}
    </>
  )
}

function EventPicker({ selected, onChange, idPrefix }: { selected: string[]; onChange: (events: string[]) => void; idPrefix: string }) {
  return (
    <fieldset className="field">
      <legend>Events</legend>
      <div className="scope-tools">
        <button type="button" className="link-button" onClick={() => onChange(WEBHOOK_EVENTS.map((e) => e.name))}>
          Select all
        </button>
        <button type="button" className="link-button" onClick={() => onChange([])}>
          Clear
        </button>
      </div>
      <div className="checks">
        {WEBHOOK_EVENTS.map((event) => (
          <label key={event.name} className="choice" htmlFor={`${idPrefix}-${event.name}`}>
            <input
              id={`${idPrefix}-${event.name}`}
              type="checkbox"
              value={event.name}
              checked={selected.includes(event.name)}
              onChange={(e) => onChange(e.target.checked ? [...selected, event.name] : selected.filter((s) => s !== event.name))}
            />
            <code>{event.name}</code>
            <span className="hint">{event.label}</span>
          </label>
        ))}
      </div>
    </fieldset>
  )
}

function CreateEndpointForm({ onCreated }: { onCreated: (url: string, secret: string) => Promise<void> }) {
  const { sessionEnded } = useAccount()
  const [url, setUrl] = useState('')
  const [events, setEvents] = useState<string[]>(WEBHOOK_EVENTS.map((e) => e.name))
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string>()
  const submit = async (event: FormEvent) => {
    event.preventDefault()
    setError(undefined)
    if (!/^https?:\/\/\S+$/.test(url.trim())) return setError('Enter the full URL of your receiver, starting with https://')
    if (events.length === 0) return setError('Pick at least one event.')
    setBusy(true)
    try {
      const ordered = WEBHOOK_EVENTS.map((e) => e.name).filter((e) => events.includes(e))
      const result = await request(CreateWebhookEndpointDocument, { input: { url: url.trim(), events: ordered } })
      setUrl('')
      await onCreated(result.createWebhookEndpoint.endpoint.url, result.createWebhookEndpoint.secret)
    } catch (e) {
      if (isUnauthenticated(e)) return sessionEnded()
      setError(messageOf(e))
    } finally {
      setBusy(false)
    }
  }
  return (
    <form onSubmit={submit} noValidate className="form">
      <div className="field">
        <label htmlFor="endpoint-url">Endpoint URL</label>
        <input
          id="endpoint-url"
          type="url"
          inputMode="url"
          value={url}
          onChange={(e) => setUrl(e.target.value)}
          placeholder="https://example.com/webhooks/crm"
          required
        />
      </div>
      <EventPicker selected={events} onChange={setEvents} idPrefix="new-event" />
      <Notice>{error}</Notice>
      <button type="submit" className="button primary" disabled={busy}>
        {busy ? 'Adding…' : 'Add endpoint'}
      </button>
    </form>
  )
}

type Confirm = 'rotate' | 'delete' | undefined

function EndpointCard({
  endpoint,
  reload,
  onSecret,
}: {
  endpoint: Endpoint
  reload: () => Promise<void>
  onSecret: (secret: string) => void
}) {
  const { time, sessionEnded } = useAccount()
  const [busy, setBusy] = useState<string>()
  const [error, setError] = useState<string>()
  const [info, setInfo] = useState<string>()
  const [confirm, setConfirm] = useState<Confirm>()
  const [editing, setEditing] = useState(false)
  const [events, setEvents] = useState<string[]>(endpoint.events)

  const run = async (label: string, action: () => Promise<unknown>, done?: string) => {
    setBusy(label)
    setError(undefined)
    setInfo(undefined)
    try {
      await action()
      if (done) setInfo(done)
      await reload()
      return true
    } catch (e) {
      if (isUnauthenticated(e)) sessionEnded()
      setError(messageOf(e))
      return false
    } finally {
      setBusy(undefined)
    }
  }

  const rotate = () =>
    run('rotate', async () => {
      const result = await request(RotateWebhookSecretDocument, { id: endpoint.id })
      setConfirm(undefined)
      onSecret(result.rotateWebhookSecret.secret)
      window.scrollTo({ top: 0, behavior: 'smooth' })
    })
  const remove = () => run('delete', () => request(DeleteWebhookEndpointDocument, { id: endpoint.id }).then(() => setConfirm(undefined)))
  const saveEvents = async () => {
    if (events.length === 0) return setError('Pick at least one event.')
    if (await run('events', () => request(UpdateWebhookEndpointDocument, { id: endpoint.id, input: { events } }), 'Events saved.'))
      setEditing(false)
  }

  const deliveries = endpoint.deliveries.edges.map((e) => e.node)
  const headingId = `endpoint-${endpoint.id}`
  return (
    <section className="card endpoint" aria-labelledby={headingId} data-testid="endpoint">
      <div className="endpoint-head">
        <div>
          <h2 id={headingId} className="endpoint-url">
            {endpoint.url}
          </h2>
          <p className="hint">
            <span className={endpoint.active ? 'status-on' : 'status-off'}>{endpoint.active ? 'Active' : 'Paused'}</span> · added{' '}
            {time(endpoint.createdAt)}
          </p>
        </div>
        <div className="actions">
          <button
            type="button"
            className="button small primary"
            disabled={Boolean(busy)}
            onClick={() =>
              run(
                'test',
                () => request(SendTestWebhookDocument, { endpointId: endpoint.id }),
                'Test event queued: it appears in the log below.',
              )
            }
          >
            {busy === 'test' ? 'Sending…' : 'Send test event'}
          </button>
          <button
            type="button"
            className="button small"
            disabled={Boolean(busy)}
            onClick={() =>
              run('active', () => request(UpdateWebhookEndpointDocument, { id: endpoint.id, input: { active: !endpoint.active } }))
            }
          >
            {endpoint.active ? 'Pause' : 'Resume'}
          </button>
          <button
            type="button"
            className="button small"
            disabled={Boolean(busy)}
            onClick={() => (setError(undefined), setConfirm('rotate'))}
          >
            Rotate secret
          </button>
          <button
            type="button"
            className="button small danger-outline"
            disabled={Boolean(busy)}
            onClick={() => (setError(undefined), setConfirm('delete'))}
          >
            Delete
          </button>
        </div>
      </div>
      {editing ? (
        <div className="form">
          <EventPicker selected={events} onChange={setEvents} idPrefix={`events-${endpoint.id}`} />
          <div className="actions">
            <button type="button" className="button small primary" onClick={saveEvents} disabled={Boolean(busy)}>
              Save events
            </button>
            <button type="button" className="button small" onClick={() => (setEditing(false), setEvents(endpoint.events))}>
              Cancel
            </button>
          </div>
        </div>
      ) : (
        <div>
          <ul className="chips" aria-label="Subscribed events">
            {endpoint.events.map((e) => (
              <li key={e}>{e}</li>
            ))}
          </ul>
          <button type="button" className="link-button hint" onClick={() => setEditing(true)}>
            Change events
          </button>
        </div>
      )}
      <Notice kind="success">{info}</Notice>
      <Notice>{confirm ? undefined : error}</Notice>
      <DeliveryLog
        deliveries={deliveries}
        total={endpoint.deliveries.totalCount}
        onReplay={(id) => run(`replay-${id}`, () => request(ReplayWebhookDeliveryDocument, { id }), 'Delivery queued again.')}
        busy={busy}
      />
      <ConfirmDialog
        open={confirm === 'rotate'}
        title="Rotate the signing secret?"
        confirmLabel="Rotate secret"
        busy={busy === 'rotate'}
        error={error}
        onConfirm={rotate}
        onCancel={() => setConfirm(undefined)}
      >
        <p>The current secret stops signing from the next attempt. Update your receiver with the new secret, which is shown once.</p>
      </ConfirmDialog>
      <ConfirmDialog
        open={confirm === 'delete'}
        title="Delete this endpoint?"
        confirmLabel="Delete endpoint"
        busy={busy === 'delete'}
        error={error}
        onConfirm={remove}
        onCancel={() => setConfirm(undefined)}
      >
        <p>
          <strong>{endpoint.url}</strong> stops receiving events, and its delivery log is deleted with it.
        </p>
      </ConfirmDialog>
    </section>
  )
}

function DeliveryLog({
  deliveries,
  total,
  onReplay,
  busy,
}: {
  deliveries: Delivery[]
  total: number
  onReplay: (id: string) => void
  busy?: string
}) {
  const { time } = useAccount()
  if (deliveries.length === 0) return <Empty>No deliveries yet. Send a test event to try the endpoint.</Empty>
  return (
    <details className="log" open>
      <summary>Recent deliveries ({total})</summary>
      <div className="table-wrap">
        <table className="table responsive" data-testid="delivery-log">
          <caption className="visually-hidden">Recent deliveries</caption>
          <thead>
            <tr>
              <th scope="col">Event</th>
              <th scope="col">Status</th>
              <th scope="col">Attempts</th>
              <th scope="col">Created</th>
              <th scope="col">Delivered</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {deliveries.map((d) => (
              <tr key={d.id} data-testid="delivery">
                <td data-label="Event">
                  <code>{d.event}</code>
                </td>
                <td data-label="Status">
                  <span className={d.status === 'succeeded' ? 'status-on' : d.status === 'failed' ? 'status-failed' : 'status-pending'}>
                    {d.status}
                  </span>
                  {d.lastStatusCode != null && <span className="hint"> · HTTP {d.lastStatusCode}</span>}
                  {d.status === 'pending' && d.attempts > 0 && d.nextAttemptAt && <div className="hint">retry {time(d.nextAttemptAt)}</div>}
                </td>
                <td data-label="Attempts">
                  {d.attemptLog.length === 0 ? (
                    <span className="hint">none yet</span>
                  ) : (
                    <details>
                      <summary>{d.attempts === 1 ? '1 attempt' : `${d.attempts} attempts`}</summary>
                      <ol className="attempts">
                        {d.attemptLog.map((a) => (
                          <li key={a.id}>
                            {a.statusCode != null ? `HTTP ${a.statusCode}` : 'no answer'} in {a.durationMs} ms · {time(a.createdAt)}
                            {a.error && <div className="status-failed">{a.error}</div>}
                            {a.responseExcerpt && <pre>{a.responseExcerpt}</pre>}
                          </li>
                        ))}
                      </ol>
                    </details>
                  )}
                </td>
                <td data-label="Created">{time(d.createdAt)}</td>
                <td data-label="Delivered">{time(d.deliveredAt)}</td>
                <td data-label="">
                  <button
                    type="button"
                    className="button small"
                    disabled={Boolean(busy)}
                    onClick={() => onReplay(d.id)}
                    aria-label={`Replay ${d.event} delivery`}
                  >
                    {busy === `replay-${d.id}` ? 'Queuing…' : 'Replay'}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {total > deliveries.length && (
          <p className="hint">
            Showing the latest {deliveries.length} of {total}.
          </p>
        )}
      </div>
    </details>
  )
}
