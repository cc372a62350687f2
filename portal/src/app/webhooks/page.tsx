'use client'
/**
 * Webhook endpoints: create (signing secret shown once), pick events, pause, rotate the secret,
 * delete, send a test event, and the delivery log with every attempt and a replay button.
 */
import { useEffect, useState } from 'react'
import { AccountShell, allows, useAccount, useSessionGuard } from '../../components/AccountShell'
import { Empty, Loading, Notice, SecretOnce } from '../../components/ui'
import { graphql } from '../../gql'
import { isUnauthenticated, useQuery } from '../../lib/graphql'
import { CreateEndpointForm } from './CreateEndpointForm'
import { EndpointCard } from './EndpointCard'

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
  const { me } = useAccount()
  // Every change to an endpoint (add, test, pause, rotate, delete, events, replay) needs it.
  const canWrite = allows(me, 'webhooks:write')
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
      {canWrite && (
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
      )}
      {endpoints.error && !isUnauthenticated(endpoints.error) && <Notice>Could not load the endpoints: {endpoints.error.message}</Notice>}
      {!list ? (
        endpoints.error ? null : (
          <section className="card">
            <Loading label="Loading endpoints and deliveries…" />
          </section>
        )
      ) : list.length === 0 ? (
        <section className="card">
          <Empty>No endpoints yet.{canWrite && ' Add one above to receive events.'}</Empty>
        </section>
      ) : (
        list.map((endpoint) => (
          <EndpointCard
            key={endpoint.id}
            endpoint={endpoint}
            canWrite={canWrite}
            reload={endpoints.reload}
            onSecret={(value) => setSecret({ label: `New signing secret for ${endpoint.url}`, value })}
          />
        ))
      )}
    </>
  )
}
