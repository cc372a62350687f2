'use client'
/**
 * Editing one template: name, subject (email), body with a placeholder picker that inserts at the
 * cursor, unknown placeholders flagged before saving, and a preview rendered by the server
 * against a chosen project as the text changes.
 */
import { useId, useMemo, useRef, useState } from 'react'
import { useAccountMutation, useSessionGuard } from '../../components/AccountShell'
import { Empty, Notice } from '../../components/ui'
import type { PortalTemplatesQuery } from '../../gql/graphql'
import { useDebounced } from '../../lib/debounce'
import { useQuery } from '../../lib/graphql'
import { PreviewDocument, SaveDocument } from './documents'

export type Template = PortalTemplatesQuery['templates']['edges'][number]['node']

/** Waits this long after the last keystroke before asking for a new preview. */
const PREVIEW_DELAY_MS = 300

export function TemplateEditor({
  template,
  placeholders,
  projects,
  onDone,
}: {
  template: Template
  placeholders: string[]
  projects: { id: string; name: string | null }[]
  onDone: (saved: boolean) => void
}) {
  const id = useId()
  const [name, setName] = useState(template.name)
  const [subject, setSubject] = useState(template.subject ?? '')
  const [body, setBody] = useState(template.body)
  const [placeholder, setPlaceholder] = useState(placeholders[0] ?? '')
  const [projectId, setProjectId] = useState(projects[0]?.id ?? '')
  const bodyRef = useRef<HTMLTextAreaElement>(null)
  const isEmail = template.channel === 'email'
  const save = useAccountMutation(SaveDocument, { onSuccess: () => onDone(true) })

  const insert = () => {
    const area = bodyRef.current
    const text = `{{${placeholder.replace('<key>', 'key')}}}`
    const start = area?.selectionStart ?? body.length
    const end = area?.selectionEnd ?? body.length
    setBody(body.slice(0, start) + text + body.slice(end))
    requestAnimationFrame(() => {
      area?.focus()
      area?.setSelectionRange(start + text.length, start + text.length)
    })
  }

  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Edit “{template.name}”</h2>
      <form
        className="form"
        onSubmit={(e) => {
          e.preventDefault()
          void save.run({ id: template.id, input: { name, body, ...(isEmail ? { subject: subject || null } : {}) } })
        }}
      >
        <label>
          Name
          <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={200} />
        </label>
        {isEmail && (
          <label>
            Subject
            <input value={subject} onChange={(e) => setSubject(e.target.value)} maxLength={500} data-testid="template-subject" />
          </label>
        )}
        <div className="row wrap">
          <label>
            Placeholder{' '}
            <select value={placeholder} onChange={(e) => setPlaceholder(e.target.value)} data-testid="placeholder-picker">
              {placeholders.map((p) => (
                <option key={p} value={p}>
                  {p}
                </option>
              ))}
            </select>
          </label>
          <button type="button" className="button small" onClick={insert}>
            Insert placeholder
          </button>
        </div>
        <label>
          Message
          <textarea
            ref={bodyRef}
            value={body}
            onChange={(e) => setBody(e.target.value)}
            rows={6}
            maxLength={5000}
            data-testid="template-body"
          />
        </label>
        <Preview
          projectId={projectId}
          projects={projects}
          setProjectId={setProjectId}
          eventType={template.eventType}
          body={body}
          subject={isEmail ? subject : null}
        />
        <Notice>{save.error?.message}</Notice>
        <div className="row">
          <button type="submit" className="button primary" disabled={save.running || body.trim() === ''}>
            {save.running ? 'Saving…' : 'Save'}
          </button>
          <button type="button" className="button" onClick={() => onDone(false)} disabled={save.running}>
            Cancel
          </button>
        </div>
      </form>
    </section>
  )
}

function Preview({
  projectId,
  projects,
  setProjectId,
  eventType,
  body,
  subject,
}: {
  projectId: string
  projects: { id: string; name: string | null }[]
  setProjectId: (id: string) => void
  eventType: string
  body: string
  subject: string | null
}) {
  // One object while the text stays the same, so the delay runs once per change.
  const typed = useMemo(() => ({ body, subject }), [body, subject])
  const text = useDebounced(typed, PREVIEW_DELAY_MS)
  return (
    <div className="preview">
      <label>
        Preview with project{' '}
        <select value={projectId} onChange={(e) => setProjectId(e.target.value)} data-testid="preview-project">
          {projects.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name ?? p.id}
            </option>
          ))}
        </select>
      </label>
      {projectId ? (
        <Rendered projectId={projectId} eventType={eventType} body={text.body} subject={text.subject} />
      ) : (
        <Empty>Add a project to see a preview.</Empty>
      )}
    </div>
  )
}

function Rendered({ projectId, eventType, body, subject }: { projectId: string; eventType: string; body: string; subject: string | null }) {
  const preview = useQuery(PreviewDocument, { projectId, eventType, body, subject })
  useSessionGuard(preview.error)
  const data = preview.data?.templatePreview
  return (
    <div aria-busy={preview.loading} aria-live="polite">
      <Notice>{preview.error?.message}</Notice>
      {data && data.unknownPlaceholders.length > 0 && (
        <Notice kind="warning">
          <span data-testid="unknown-placeholders">
            Unknown placeholders (they send as empty text): {data.unknownPlaceholders.join(', ')}
          </span>
        </Notice>
      )}
      {data && (
        <div className="preview-message" data-testid="template-preview">
          {data.subject !== null && <p className="preview-subject">{data.subject}</p>}
          <p className="preview-body">{data.body}</p>
        </div>
      )}
    </div>
  )
}
