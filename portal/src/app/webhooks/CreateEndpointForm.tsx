'use client'
import { type FormEvent, useState } from 'react'
import { useAccountMutation } from '../../components/AccountShell'
import { Notice } from '../../components/ui'
import { graphql } from '../../gql'
import { WEBHOOK_EVENTS } from '../../lib/events'
import { EventPicker } from './EventPicker'

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

/** A new endpoint: its URL and events; `onCreated` receives the signing secret, shown once. */
export function CreateEndpointForm({ onCreated }: { onCreated: (url: string, secret: string) => Promise<void> }) {
  const [url, setUrl] = useState('')
  const [events, setEvents] = useState<string[]>(WEBHOOK_EVENTS.map((e) => e.name))
  const [problem, setProblem] = useState<string>()
  const create = useAccountMutation(CreateWebhookEndpointDocument, {
    onSuccess: (data) => {
      setUrl('')
      return onCreated(data.createWebhookEndpoint.endpoint.url, data.createWebhookEndpoint.secret)
    },
  })

  const check = () => {
    if (!/^https?:\/\/\S+$/.test(url.trim())) return 'Enter the full URL of your receiver, starting with https://'
    if (events.length === 0) return 'Pick at least one event.'
    return undefined
  }

  const submit = (event: FormEvent) => {
    event.preventDefault()
    const found = check()
    setProblem(found)
    if (found) return
    const ordered = WEBHOOK_EVENTS.map((e) => e.name).filter((e) => events.includes(e))
    void create.run({ input: { url: url.trim(), events: ordered } })
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
      <Notice>{problem ?? create.error?.message}</Notice>
      <button type="submit" className="button primary" disabled={create.running}>
        {create.running ? 'Adding…' : 'Add endpoint'}
      </button>
    </form>
  )
}
