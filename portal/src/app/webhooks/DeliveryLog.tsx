'use client'
import { useAccount } from '../../components/AccountShell'
import { Empty } from '../../components/ui'
import type { WebhookEndpointsQuery } from '../../gql/graphql'

type Delivery = WebhookEndpointsQuery['webhookEndpoints'][number]['deliveries']['edges'][number]['node']

/** The latest deliveries of one endpoint, each with its attempts and (given `onReplay`) a Replay button. */
export function DeliveryLog({
  deliveries,
  total,
  onReplay,
  busy,
  replaying,
}: {
  deliveries: Delivery[]
  total: number
  /** Queues a delivery again; without it (the role cannot) there are no Replay buttons. */
  onReplay?: (id: string) => void
  /** Another action of the endpoint is running: every Replay waits. */
  busy: boolean
  /** The delivery being queued again. */
  replaying?: string
}) {
  const { time } = useAccount()
  if (deliveries.length === 0) return <Empty>No deliveries yet.{onReplay && ' Send a test event to try the endpoint.'}</Empty>
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
                  {onReplay && (
                    <button
                      type="button"
                      className="button small"
                      disabled={busy}
                      onClick={() => onReplay(d.id)}
                      aria-label={`Replay ${d.event} delivery`}
                    >
                      {replaying === d.id ? 'Queuing…' : 'Replay'}
                    </button>
                  )}
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
