'use client'
/**
 * Integrations: one form per provider. Secrets are write-only: the server answers them masked
 * (••••••••3f9a) and saving replaces the stored settings. Each provider's callback URLs are
 * shown ready to copy into its dashboard.
 */
import { useEffect, useState } from 'react'
import { AccountShell, useSessionGuard } from '../../components/AccountShell'
import { Notice } from '../../components/ui'
import { graphql } from '../../gql'
import { isUnauthenticated, useQuery } from '../../lib/graphql'
import { PROVIDER_FORMS } from '../../lib/providers'
import { ProviderCard } from './ProviderCard'

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
