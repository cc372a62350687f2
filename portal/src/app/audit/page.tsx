'use client'
/** The audit log: who did what, newest first, filtered by actor and object type, 50 a page. */
import { useState } from 'react'
import { AccountShell, useAccount, useSessionGuard } from '../../components/AccountShell'
import { Empty, Loading, Notice } from '../../components/ui'
import { graphql } from '../../gql'
import { useQuery } from '../../lib/graphql'

const AuditDocument = graphql(`
  query AuditLog($actor: String, $objectType: String, $after: String) {
    auditLog(actor: $actor, objectType: $objectType, first: 50, after: $after) {
      edges {
        node {
          id
          createdAt
          action
          objectType
          objectId
          address
          requestId
          changes
          actor {
            type
            id
          }
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`)

/** Every object type an entry is written for: the audit triggers' (migration users_roles_audit) and erasures'. */
const TYPES = [
  '',
  'account',
  'api_key',
  'user',
  'user_link',
  'session',
  'integration',
  'webhook_endpoint',
  'template',
  'customer',
  'project',
  'project_event',
  'lead',
  'quote',
  'appointment',
  'campaign',
  'conversation',
  'opt_out',
]

export default function AuditPage() {
  return (
    <AccountShell title="Audit log">
      <Audit />
    </AccountShell>
  )
}

function Audit() {
  const { time } = useAccount()
  const [actor, setActor] = useState('')
  const [objectType, setObjectType] = useState('')
  const [after, setAfter] = useState<string | null>(null)
  const log = useQuery(AuditDocument, { actor: actor.trim() || null, objectType: objectType || null, after })
  useSessionGuard(log.error)
  return (
    <section className="card" aria-busy={log.loading}>
      <div className="field-row">
        <div className="field">
          <label htmlFor="audit-actor">Actor (user:…, api_key:…, operator)</label>
          <input
            id="audit-actor"
            value={actor}
            onChange={(e) => {
              setAfter(null)
              setActor(e.target.value)
            }}
          />
        </div>
        <div className="field">
          <label htmlFor="audit-type">Object type</label>
          <select
            id="audit-type"
            value={objectType}
            onChange={(e) => {
              setAfter(null)
              setObjectType(e.target.value)
            }}
          >
            {TYPES.map((t) => (
              <option key={t} value={t}>
                {t || 'any'}
              </option>
            ))}
          </select>
        </div>
      </div>
      <Notice>{log.error && `Could not load the audit log: ${log.error.message}`}</Notice>
      {!log.data ? (
        log.error ? null : (
          <Loading label="Loading the audit log…" />
        )
      ) : log.data.auditLog.edges.length === 0 ? (
        <Empty>
          {actor.trim() || objectType
            ? 'Nothing matches these filters.'
            : 'Nothing recorded yet. Creating a key, inviting someone or changing a setting is recorded here.'}
        </Empty>
      ) : (
        <div className="table-wrap">
          <table className="table responsive">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">What</th>
                <th scope="col">Changes</th>
                <th scope="col">Address</th>
              </tr>
            </thead>
            <tbody>
              {log.data.auditLog.edges.map(({ node }) => (
                <tr key={node.id}>
                  <td data-label="When">{time(node.createdAt)}</td>
                  <td data-label="Who" className="wrap-anywhere">
                    {node.actor.id ? `${node.actor.type}:${node.actor.id}` : node.actor.type}
                  </td>
                  <td data-label="What" className="wrap-anywhere">
                    {node.action} {node.objectId && <code>{node.objectId}</code>}
                  </td>
                  <td data-label="Changes">{node.changes ? Object.keys(node.changes as object).join(', ') : ''}</td>
                  <td data-label="Address">{node.address ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {log.data?.auditLog.pageInfo.hasNextPage && (
        <button type="button" className="button" onClick={() => setAfter(log.data?.auditLog.pageInfo.endCursor ?? null)}>
          Older entries
        </button>
      )}
    </section>
  )
}
