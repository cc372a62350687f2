'use client'
/** One webhook endpoint: its actions, its events, and its delivery log. */
import { useState } from 'react'
import { useAccount, useAccountMutation } from '../../components/AccountShell'
import { ConfirmDialog, Notice } from '../../components/ui'
import { graphql } from '../../gql'
import type { WebhookEndpointsQuery } from '../../gql/graphql'
import { DeliveryLog } from './DeliveryLog'
import { EventPicker } from './EventPicker'

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
type Confirm = 'rotate' | 'delete' | undefined

export function EndpointCard({
  endpoint,
  canWrite,
  reload,
  onSecret,
}: {
  endpoint: Endpoint
  /** Whether the role may change the endpoint; without it the card only reads. */
  canWrite: boolean
  reload: () => Promise<void>
  onSecret: (secret: string) => void
}) {
  const { time } = useAccount()
  const [info, setInfo] = useState<string>()
  const [problem, setProblem] = useState<string>()
  const [confirm, setConfirm] = useState<Confirm>()
  const [editing, setEditing] = useState(false)
  const [events, setEvents] = useState<string[]>(endpoint.events)

  const queued = (message: string) => {
    setInfo(message)
    return reload()
  }
  const sendTest = useAccountMutation(SendTestWebhookDocument, {
    onSuccess: () => queued('Test event queued: it appears in the log below.'),
  })
  const replay = useAccountMutation(ReplayWebhookDeliveryDocument, { onSuccess: () => queued('Delivery queued again.') })
  const setActive = useAccountMutation(UpdateWebhookEndpointDocument, { onSuccess: reload })
  const saveEvents = useAccountMutation(UpdateWebhookEndpointDocument, {
    onSuccess: async () => {
      await queued('Events saved.')
      setEditing(false)
    },
  })
  const rotate = useAccountMutation(RotateWebhookSecretDocument, {
    onSuccess: (data) => {
      setConfirm(undefined)
      onSecret(data.rotateWebhookSecret.secret)
      window.scrollTo({ top: 0, behavior: 'smooth' })
      return reload()
    },
  })
  const remove = useAccountMutation(DeleteWebhookEndpointDocument, {
    onSuccess: () => {
      setConfirm(undefined)
      return reload()
    },
  })

  // The card shows one outcome at a time: starting an action clears what the last one left.
  const actions = [sendTest, replay, setActive, saveEvents, rotate, remove]
  const busy = actions.some((action) => action.running)
  const error = problem ?? actions.find((action) => action.error)?.error?.message
  const clearError = () => {
    setProblem(undefined)
    for (const action of actions) action.reset()
  }
  const start = () => {
    clearError()
    setInfo(undefined)
  }
  const submitEvents = () => {
    if (events.length === 0) return setProblem('Pick at least one event.')
    start()
    void saveEvents.run({ id: endpoint.id, input: { events } })
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
        {canWrite && (
          <div className="actions">
            <button
              type="button"
              className="button small primary"
              disabled={busy}
              onClick={() => {
                start()
                void sendTest.run({ endpointId: endpoint.id })
              }}
            >
              {sendTest.running ? 'Sending…' : 'Send test event'}
            </button>
            <button
              type="button"
              className="button small"
              disabled={busy}
              onClick={() => {
                start()
                void setActive.run({ id: endpoint.id, input: { active: !endpoint.active } })
              }}
            >
              {endpoint.active ? 'Pause' : 'Resume'}
            </button>
            <button
              type="button"
              className="button small"
              disabled={busy}
              onClick={() => {
                clearError()
                setConfirm('rotate')
              }}
            >
              Rotate secret
            </button>
            <button
              type="button"
              className="button small danger-outline"
              disabled={busy}
              onClick={() => {
                clearError()
                setConfirm('delete')
              }}
            >
              Delete
            </button>
          </div>
        )}
      </div>
      {editing ? (
        <div className="form">
          <EventPicker selected={events} onChange={setEvents} idPrefix={`events-${endpoint.id}`} />
          <div className="actions">
            <button type="button" className="button small primary" onClick={submitEvents} disabled={busy}>
              Save events
            </button>
            <button
              type="button"
              className="button small"
              onClick={() => {
                setEditing(false)
                setEvents(endpoint.events)
              }}
            >
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
          {canWrite && (
            <button type="button" className="link-button hint" onClick={() => setEditing(true)}>
              Change events
            </button>
          )}
        </div>
      )}
      <Notice kind="success">{info}</Notice>
      <Notice>{confirm ? undefined : error}</Notice>
      <DeliveryLog
        deliveries={deliveries}
        total={endpoint.deliveries.totalCount}
        onReplay={
          canWrite
            ? (id) => {
                start()
                void replay.run({ id })
              }
            : undefined
        }
        busy={busy}
        replaying={replay.running && replay.variables ? String(replay.variables.id) : undefined}
      />
      <ConfirmDialog
        open={confirm === 'rotate'}
        title="Rotate the signing secret?"
        confirmLabel="Rotate secret"
        busy={rotate.running}
        error={error}
        onConfirm={() => {
          start()
          void rotate.run({ id: endpoint.id })
        }}
        onCancel={() => setConfirm(undefined)}
      >
        <p>The current secret stops signing from the next attempt. Update your receiver with the new secret, which is shown once.</p>
      </ConfirmDialog>
      <ConfirmDialog
        open={confirm === 'delete'}
        title="Delete this endpoint?"
        confirmLabel="Delete endpoint"
        busy={remove.running}
        error={error}
        onConfirm={() => {
          start()
          void remove.run({ id: endpoint.id })
        }}
        onCancel={() => setConfirm(undefined)}
      >
        <p>
          <strong>{endpoint.url}</strong> stops receiving events, and its delivery log is deleted with it.
        </p>
      </ConfirmDialog>
    </section>
  )
}
