'use client'
/** Sessions: your open sessions (an owner: everyone's), each with device, address and last seen; end any. */
import { useState } from 'react'
import { AccountShell, useAccount, useAccountMutation, useSessionGuard } from '../../components/AccountShell'
import { Empty, Loading, Notice } from '../../components/ui'
import { graphql } from '../../gql'
import type { PortalSessionsQuery } from '../../gql/graphql'
import { useQuery } from '../../lib/graphql'

const SessionsDocument = graphql(`
  query PortalSessions($everyone: Boolean) {
    portalSessions(everyone: $everyone) {
      id
      createdAt
      lastSeenAt
      userAgent
      address
      current
      viaAccessCode
      user {
        name
      }
    }
  }
`)

const EndDocument = graphql(`
  mutation EndPortalSession($id: ID!) {
    endPortalSession(id: $id)
  }
`)

type Session = PortalSessionsQuery['portalSessions'][number]
const who = (s: Session) => (s.viaAccessCode ? 'access code' : s.user?.name)

export default function SessionsPage() {
  return (
    <AccountShell title="Sessions">
      <Sessions />
    </AccountShell>
  )
}

function Sessions() {
  const { me, time, sessionEnded } = useAccount()
  const [everyone, setEveryone] = useState(false)
  const sessions = useQuery(SessionsDocument, { everyone })
  useSessionGuard(sessions.error)
  const end = useAccountMutation(EndDocument, {
    onSuccess: (_data, { id }) => (sessions.data?.portalSessions.find((s) => s.id === id)?.current ? sessionEnded() : sessions.reload()),
  })
  return (
    <section className="card" aria-busy={sessions.loading}>
      {me.role === 'OWNER' && (
        <label>
          <input type="checkbox" checked={everyone} onChange={(e) => setEveryone(e.target.checked)} /> Everyone&apos;s sessions
        </label>
      )}
      <Notice>{end.error?.message ?? (sessions.error && `Could not load the sessions: ${sessions.error.message}`)}</Notice>
      {!sessions.data ? (
        sessions.error ? null : (
          <Loading label="Loading sessions…" />
        )
      ) : sessions.data.portalSessions.length === 0 ? (
        <Empty>No open sessions.</Empty>
      ) : (
        <div className="table-wrap">
          <table className="table responsive">
            <thead>
              <tr>
                <th scope="col">Who</th>
                <th scope="col">Device</th>
                <th scope="col">Address</th>
                <th scope="col">Signed in</th>
                <th scope="col">Last seen</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {sessions.data.portalSessions.map((s) => (
                <tr key={s.id}>
                  <td data-label="Who">{who(s)}</td>
                  <td data-label="Device">{s.userAgent ?? '–'}</td>
                  <td data-label="Address">{s.address ?? '–'}</td>
                  <td data-label="Signed in">{time(s.createdAt)}</td>
                  <td data-label="Last seen">{s.current ? 'this session' : time(s.lastSeenAt, '–')}</td>
                  <td data-label="">
                    <button type="button" className="button small" disabled={end.running} onClick={() => void end.run({ id: s.id })}>
                      {s.current ? (
                        <>
                          Sign out<span className="visually-hidden"> of this session</span>
                        </>
                      ) : (
                        <>
                          End
                          <span className="visually-hidden">
                            {' '}
                            the session of {who(s)} signed in {time(s.createdAt)}
                          </span>
                        </>
                      )}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  )
}
