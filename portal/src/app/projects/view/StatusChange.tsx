'use client'
/**
 * Changes a project's status in two steps: first what the change would queue and cancel
 * (simulateEvent: rendered messages, recipients, send times), then, once confirmed, the change
 * itself (updateProjectStatus), whose queued messages then show on the timeline.
 */
import { type FormEvent, useState } from 'react'
import { useAccount, useAccountMutation } from '../../../components/AccountShell'
import type { TimelineItem } from '../../../components/RecordDetail'
import { ConfirmDialog, Notice } from '../../../components/ui'
import { graphql } from '../../../gql'

const SimulateDocument = graphql(`
  query PortalSimulateStatus($projectId: ID!, $eventType: String!) {
    simulateEvent(projectId: $projectId, eventType: $eventType) {
      automated
      cancels
      messages {
        templateId
        channel
        to
        subject
        content
        scheduledFor
        status
        skippedReason
      }
    }
  }
`)

const ChangeStatusDocument = graphql(`
  mutation PortalChangeStatus($id: ID!, $projectStatus: String!) {
    updateProjectStatus(id: $id, projectStatus: $projectStatus) {
      communications {
        id
      }
    }
  }
`)

export function StatusChange({
  projectId,
  current,
  eventTypes,
  timeline,
  onChanged,
}: {
  projectId: string
  current: string | null
  eventTypes: string[]
  timeline: TimelineItem[]
  onChanged: () => Promise<void>
}) {
  const { time } = useAccount()
  const [status, setStatus] = useState('')
  const [open, setOpen] = useState(false)
  const simulate = useAccountMutation(SimulateDocument)
  const change = useAccountMutation(ChangeStatusDocument, {
    onSuccess: async () => {
      await onChanged()
      setOpen(false)
      setStatus('')
    },
  })
  const preview = async (event: FormEvent) => {
    event.preventDefault()
    change.reset()
    if (await simulate.run({ projectId, eventType: status.trim() })) setOpen(true)
  }
  const simulation = simulate.data?.simulateEvent
  const cancelled = simulation ? timeline.filter((item) => item.kind === 'communication' && simulation.cancels.includes(item.id)) : []
  const queued = change.data?.updateProjectStatus.communications.length
  return (
    <section className="card" aria-labelledby="status-change">
      <h2 id="status-change">Status</h2>
      <p>
        Now: <strong data-testid="project-status">{current ?? 'none'}</strong>
      </p>
      <form className="inline-form" onSubmit={preview}>
        <div className="field grow">
          <label htmlFor="new-status">New status</label>
          <input id="new-status" list="event-types" value={status} onChange={(e) => setStatus(e.target.value)} required />
          <datalist id="event-types">
            {eventTypes.map((type) => (
              <option key={type} value={type} />
            ))}
          </datalist>
          <span className="hint">An automation event type (suggested as you type) queues its messages.</span>
        </div>
        <button type="submit" className="button" disabled={simulate.running || !status.trim()}>
          {simulate.running ? 'Checking…' : 'Preview change'}
        </button>
        <Notice>{simulate.error?.message}</Notice>
      </form>
      {queued !== undefined && !open && (
        <Notice kind="success">Status changed. {queued === 1 ? '1 message' : `${queued} messages`} queued: see the timeline.</Notice>
      )}
      <ConfirmDialog
        open={open && Boolean(simulation)}
        title={`Change the status to ${status.trim()}?`}
        confirmLabel="Change status"
        danger={false}
        busy={change.running}
        error={change.error?.message}
        onCancel={() => setOpen(false)}
        onConfirm={() => void change.run({ id: projectId, projectStatus: status.trim() })}
      >
        {!simulation?.automated ? (
          <p>This status is not an automation event: it queues and cancels nothing.</p>
        ) : (
          <>
            <p>
              {simulation.messages.length === 0
                ? 'This change queues no messages.'
                : `This change queues ${simulation.messages.length === 1 ? '1 message' : `${simulation.messages.length} messages`}:`}
            </p>
            <ul className="simulation" data-testid="simulation">
              {simulation.messages.map((m) => (
                <li key={m.templateId} data-testid="simulated-message">
                  <strong>
                    {m.channel} to {m.to ?? 'nobody (no address for this channel)'}
                  </strong>
                  <span className="hint"> · {m.skippedReason ? `skipped: ${m.skippedReason}` : `goes out ${time(m.scheduledFor)}`}</span>
                  {m.subject && <p>Subject: {m.subject}</p>}
                  <p>{m.content}</p>
                </li>
              ))}
            </ul>
            {simulation.cancels.length > 0 && (
              <p data-testid="simulation-cancels">
                It cancels {simulation.cancels.length === 1 ? '1 scheduled message' : `${simulation.cancels.length} scheduled messages`}
                {cancelled.length > 0 && `: ${cancelled.map((item) => item.title).join('; ')}`}.
              </p>
            )}
          </>
        )}
      </ConfirmDialog>
    </section>
  )
}
