'use client'
import { useAccount } from '../../components/AccountShell'
import type { ApiKeysQuery } from '../../gql/graphql'
import { SCOPES } from '../../lib/scopes'

type Key = ApiKeysQuery['apiKeys'][number]

/** Every key with its prefix, mode, scopes, dates and status, and a Revoke button while it is usable. */
export function KeyTable({ keys, onRevoke }: { keys: Key[]; onRevoke: (key: Key) => void }) {
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
                  <span className={`badge ${key.mode === 'live' ? 'badge-live' : 'badge-test'}`}>
                    {key.mode === 'live' ? 'Live' : 'Test'}
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
