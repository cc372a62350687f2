'use client'
/** API keys: list, create (the full key is shown once), revoke with a confirmation. */
import { useState } from 'react'
import { AccountShell, useAccountMutation, useSessionGuard } from '../../components/AccountShell'
import { ConfirmDialog, Empty, Loading, Notice, SecretOnce } from '../../components/ui'
import { graphql } from '../../gql'
import type { ApiKeysQuery } from '../../gql/graphql'
import { isUnauthenticated, useQuery } from '../../lib/graphql'
import { CreateKeyForm } from './CreateKeyForm'
import { KeyTable } from './KeyTable'

const ApiKeysDocument = graphql(`
  query ApiKeys {
    apiKeys {
      id
      name
      prefix
      mode
      scopes
      createdAt
      expiresAt
      lastUsedAt
      revokedAt
    }
  }
`)

const RevokeApiKeyDocument = graphql(`
  mutation RevokeApiKey($id: ID!) {
    revokeApiKey(id: $id) {
      id
      revokedAt
    }
  }
`)

type Key = ApiKeysQuery['apiKeys'][number]

export default function KeysPage() {
  return (
    <AccountShell title="API keys">
      <Keys />
    </AccountShell>
  )
}

function Keys() {
  const keys = useQuery(ApiKeysDocument)
  const [created, setCreated] = useState<{ name: string; secret: string }>()
  const [revoking, setRevoking] = useState<Key>()
  useSessionGuard(keys.error)
  const revoke = useAccountMutation(RevokeApiKeyDocument, {
    onSuccess: async () => {
      await keys.reload()
      setRevoking(undefined)
    },
  })

  return (
    <>
      <section className="card" aria-labelledby="new-key">
        <h2 id="new-key">Create a key</h2>
        {created ? (
          <SecretOnce
            label={`Your new key “${created.name}”`}
            value={created.secret}
            warning="This key will not be shown again: only its prefix is kept. If you lose it, revoke it and create another."
            onDone={() => {
              setCreated(undefined)
              void keys.reload()
            }}
          />
        ) : (
          <CreateKeyForm
            onCreated={async (name, secret) => {
              setCreated({ name, secret })
              await keys.reload()
            }}
          />
        )}
      </section>

      <section className="card" aria-labelledby="key-list" aria-busy={keys.loading}>
        <h2 id="key-list">Your keys</h2>
        {keys.error && !isUnauthenticated(keys.error) && <Notice>Could not load the keys: {keys.error.message}</Notice>}
        {!keys.data ? (
          keys.error ? null : (
            <Loading label="Loading keys…" />
          )
        ) : keys.data.apiKeys.length === 0 ? (
          <Empty>No keys yet. Create one above to call the API.</Empty>
        ) : (
          <KeyTable
            keys={keys.data.apiKeys}
            onRevoke={(key) => {
              revoke.reset()
              setRevoking(key)
            }}
          />
        )}
      </section>

      <ConfirmDialog
        open={Boolean(revoking)}
        title="Revoke this key?"
        confirmLabel="Revoke key"
        busy={revoke.running}
        error={revoke.error?.message}
        onConfirm={() => revoking && revoke.run({ id: revoking.id })}
        onCancel={() => setRevoking(undefined)}
      >
        <p>
          “{revoking?.name}” (<code>{revoking?.prefix}…</code>) will be refused from its very next request. Anything using it stops working.
          This cannot be undone.
        </p>
      </ConfirmDialog>
    </>
  )
}
