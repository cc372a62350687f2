'use client'
/**
 * Templates: what each automation event sends, by event type and channel. Edit a template with a
 * placeholder picker and a live preview rendered against a chosen project; enable or disable it;
 * reset one or all to the default library.
 */
import { useState } from 'react'
import { AccountShell, allows, useAccount, useAccountMutation, useSessionGuard } from '../../components/AccountShell'
import { ConfirmDialog, Empty, Loading, Notice } from '../../components/ui'
import { useQuery } from '../../lib/graphql'
import { ResetDocument, SaveDocument, TemplatesDocument } from './documents'
import { type Template, TemplateEditor } from './TemplateEditor'

export default function TemplatesPage() {
  return (
    <AccountShell title="Templates">
      <Templates />
    </AccountShell>
  )
}

const delay = (minutes: number) =>
  minutes === 0 ? 'at once' : minutes % 1440 === 0 ? `after ${minutes / 1440} day${minutes === 1440 ? '' : 's'}` : `after ${minutes} min`

function Templates() {
  const { me, time } = useAccount()
  const canEdit = allows(me, 'write:hub')
  const list = useQuery(TemplatesDocument)
  useSessionGuard(list.error)
  const [eventType, setEventType] = useState<string>()
  const [editing, setEditing] = useState<string>()
  const [resetting, setResetting] = useState<{ id?: string; label: string }>()
  const toggle = useAccountMutation(SaveDocument, { onSuccess: () => list.reload() })
  const reset = useAccountMutation(ResetDocument, {
    onSuccess: async () => {
      await list.reload()
      setResetting(undefined)
    },
  })

  if (!list.data) return list.error ? <Notice>{list.error.message}</Notice> : <Loading label="Loading templates…" />
  const templates = list.data.templates.edges.map((e) => e.node)
  const eventTypes = [...new Set(templates.map((t) => t.eventType))].sort()
  const current = eventType ?? eventTypes[0]
  const shown = templates
    .filter((t) => t.eventType === current)
    .sort((a, b) => a.channel.localeCompare(b.channel) || a.delayMinutes - b.delayMinutes)
  const editingTemplate = templates.find((t) => t.id === editing)

  return (
    <>
      <section className="card">
        <div className="row wrap">
          <label>
            Event type{' '}
            <select value={current ?? ''} onChange={(e) => setEventType(e.target.value)} data-testid="event-type">
              {eventTypes.map((type) => (
                <option key={type} value={type}>
                  {type.replaceAll('_', ' ')}
                </option>
              ))}
            </select>
          </label>
          {canEdit && (
            <button type="button" className="button" onClick={() => setResetting({ label: 'every template' })}>
              Reset all to defaults
            </button>
          )}
        </div>
        <Notice>{toggle.error?.message}</Notice>
        {shown.length === 0 ? (
          <Empty>No templates yet. Reset to the defaults to get the standard library.</Empty>
        ) : (
          <table className="table responsive">
            <thead>
              <tr>
                <th scope="col">Channel</th>
                <th scope="col">Name</th>
                <th scope="col">Sends</th>
                <th scope="col">Status</th>
                <th scope="col">Changed</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {shown.map((t) => (
                <tr key={t.id} data-testid="template-row">
                  <td data-label="Channel">{t.channel}</td>
                  <td data-label="Name">
                    {t.name}
                    {t.unknownPlaceholders.length > 0 && (
                      <span className="badge warning" title={`Unknown: ${t.unknownPlaceholders.join(', ')}`}>
                        unknown placeholders
                      </span>
                    )}
                  </td>
                  <td data-label="Sends">{delay(t.delayMinutes)}</td>
                  <td data-label="Status">{t.active ? 'enabled' : 'disabled'}</td>
                  <td data-label="Changed">{time(t.updatedAt)}</td>
                  <td data-label="" className="actions">
                    {canEdit && (
                      <>
                        <button type="button" className="button small" onClick={() => setEditing(t.id)}>
                          Edit<span className="visually-hidden"> {t.name}</span>
                        </button>
                        <button
                          type="button"
                          className="button small"
                          disabled={toggle.running}
                          onClick={() => toggle.run({ id: t.id, input: { active: !t.active } })}
                        >
                          {t.active ? 'Disable' : 'Enable'}
                          <span className="visually-hidden"> {t.name}</span>
                        </button>
                        <button type="button" className="button small" onClick={() => setResetting({ id: t.id, label: t.name })}>
                          Reset<span className="visually-hidden"> {t.name}</span>
                        </button>
                      </>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      {editingTemplate && (
        <TemplateEditor
          key={editingTemplate.id}
          template={editingTemplate as Template}
          placeholders={list.data.templatePlaceholders}
          projects={list.data.projects.edges.map((e) => e.node)}
          onDone={async (saved) => {
            if (saved) await list.reload()
            setEditing(undefined)
          }}
        />
      )}
      <ConfirmDialog
        open={Boolean(resetting)}
        title="Reset to the default library?"
        confirmLabel="Reset"
        busy={reset.running}
        error={reset.error?.message}
        onCancel={() => {
          reset.reset()
          setResetting(undefined)
        }}
        onConfirm={() => reset.run({ templateId: resetting?.id })}
      >
        <p>
          {resetting?.id
            ? `“${resetting.label}” gets back its default text, name and delay, and is enabled.`
            : 'Every template gets back its default text, name and delay and is enabled; templates you added are disabled.'}
        </p>
      </ConfirmDialog>
    </>
  )
}
