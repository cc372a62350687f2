'use client'
/**
 * The parts of a record's page (customer, project, lead): its id from the address
 * (`/customers/view?id=…`, as the export has no per-record pages), the edit form with errors
 * shown at their field, delete and restore behind a confirmation, and the timeline.
 */
import Link from 'next/link'
import { useSearchParams } from 'next/navigation'
import { type FormEvent, type ReactNode, useEffect, useId, useState } from 'react'
import type { TimelineKind, TypedDocumentString } from '../gql/graphql'
import type { GraphQLRequestError, QueryState } from '../lib/graphql'
import { useAccount, useAccountMutation } from './AccountShell'
import { ConfirmDialog, Empty, Loading, Notice } from './ui'
import './records.css'

export const useRecordId = () => useSearchParams().get('id') ?? ''

/**
 * What a record's page shows while it has no record to show: the load's error with Try again,
 * Loading, or "not found" with the way back to the list; null once the record is there.
 */
export function recordUnavailable(
  query: QueryState<unknown>,
  found: boolean,
  noun: string,
  list: { href: string; label: string },
): ReactNode | null {
  if (query.error)
    return (
      <Notice>
        Could not load the {noun}: {query.error.message}{' '}
        <button type="button" className="link-button" onClick={() => void query.reload()}>
          Try again
        </button>
      </Notice>
    )
  if (!query.data) return <Loading />
  if (!found)
    return (
      <>
        <BackLink href={list.href}>{list.label}</BackLink>
        <Empty>No {noun} with this id: it may have been deleted.</Empty>
      </>
    )
  return null
}

/**
 * Delete and restore of a record. After a delete the page keeps the record it had, with the
 * time it can be restored until (`deletedUntil`); a restore reloads it.
 */
export function useDeletion<D, DV, R, RV>(
  deleteDocument: TypedDocumentString<D, DV>,
  restoreDocument: TypedDocumentString<R, RV>,
  restorableUntil: (answer: D) => string,
  reload: () => Promise<void>,
) {
  const [deletedUntil, setDeletedUntil] = useState<string | null>(null)
  const remove = useAccountMutation(deleteDocument, { onSuccess: (answer) => setDeletedUntil(restorableUntil(answer)) })
  const restore = useAccountMutation(restoreDocument, {
    onSuccess: async () => {
      await reload()
      setDeletedUntil(null)
    },
  })
  return { deletedUntil, remove, restore }
}

export interface FieldSpec {
  name: string
  label: string
  type?: 'text' | 'email' | 'tel' | 'number'
  /** A select of these values instead of a text input. */
  options?: readonly string[]
  hint?: string
}

type Values = Record<string, string>

const snake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)

/** The field a server message is about: it starts with the field's name ("email must be…"). */
function fieldOf(message: string, fields: FieldSpec[]): string | undefined {
  return fields.find((f) => message.startsWith(`${f.name} `) || message.startsWith(`${snake(f.name)} `) || message.includes(`"${f.name}"`))
    ?.name
}

/** Edits a record's fields; an empty field is sent as null (cleared). */
export function EditForm({
  fields,
  initial,
  running,
  error,
  onSave,
}: {
  fields: FieldSpec[]
  initial: Values
  running: boolean
  error: GraphQLRequestError | undefined
  onSave: (values: Record<string, string | null>) => Promise<boolean>
}) {
  const id = useId()
  const [values, setValues] = useState<Values>(initial)
  const [saved, setSaved] = useState(false)
  const initialKey = JSON.stringify(initial)
  // A reload (after saving or a status change) shows the stored values.
  useEffect(() => setValues(JSON.parse(initialKey)), [initialKey])
  const errorField = error ? fieldOf(error.message, fields) : undefined
  const submit = async (event: FormEvent) => {
    event.preventDefault()
    setSaved(false)
    const sent = Object.fromEntries(fields.map((f) => [f.name, values[f.name]?.trim() ? values[f.name].trim() : null]))
    setSaved(await onSave(sent))
  }
  return (
    // The server checks every field and its message is shown at the field, the same for each kind of mistake.
    <form className="form record-form" onSubmit={submit} aria-labelledby={`${id}-title`} noValidate>
      <h2 id={`${id}-title`}>Details</h2>
      <div className="field-row">
        {fields.map((f) => {
          const invalid = errorField === f.name
          const props = {
            id: `${id}-${f.name}`,
            name: f.name,
            value: values[f.name] ?? '',
            'aria-invalid': invalid || undefined,
            'aria-describedby': invalid ? `${id}-${f.name}-error` : undefined,
          }
          return (
            <div className="field" key={f.name}>
              <label htmlFor={props.id}>{f.label}</label>
              {f.options ? (
                <select {...props} onChange={(e) => setValues({ ...values, [f.name]: e.target.value })}>
                  {f.options.map((o) => (
                    <option key={o} value={o}>
                      {o.replaceAll('_', ' ')}
                    </option>
                  ))}
                </select>
              ) : (
                <input
                  {...props}
                  type={f.type ?? 'text'}
                  step={f.type === 'number' ? 'any' : undefined}
                  onChange={(e) => setValues({ ...values, [f.name]: e.target.value })}
                />
              )}
              {invalid && (
                <span id={`${id}-${f.name}-error`} className="field-error" role="alert">
                  {error?.message}
                </span>
              )}
              {f.hint && <span className="hint">{f.hint}</span>}
            </div>
          )
        })}
      </div>
      {!errorField && <Notice>{error?.message}</Notice>}
      {saved && !error && <Notice kind="success">Saved.</Notice>}
      <div className="actions">
        <button type="submit" className="button primary" disabled={running}>
          {running ? 'Saving…' : 'Save'}
        </button>
      </div>
    </form>
  )
}

/** Delete, after a confirmation that says how long the record stays restorable. */
export function DeleteButton({
  noun,
  name,
  busy,
  error,
  onDelete,
  onCancel,
}: {
  noun: string
  name: string
  busy: boolean
  error: string | undefined
  onDelete: () => Promise<boolean>
  /** The dialog was dismissed: forget the last attempt's error, so opening it again starts clean. */
  onCancel: () => void
}) {
  const [confirming, setConfirming] = useState(false)
  return (
    <>
      <button type="button" className="button danger-outline" onClick={() => setConfirming(true)}>
        Delete {noun}
      </button>
      <ConfirmDialog
        open={confirming}
        title={`Delete ${name}?`}
        confirmLabel={`Delete ${noun}`}
        busy={busy}
        error={error}
        onCancel={() => {
          onCancel()
          setConfirming(false)
        }}
        onConfirm={async () => {
          if (await onDelete()) setConfirming(false)
        }}
      >
        <p>
          The {noun} moves to the deleted view of its list and is no longer found by its id. For 30 days you can restore it there, or on
          this page while you stay; after that it is purged.
        </p>
      </ConfirmDialog>
    </>
  )
}

/**
 * A deleted record's Restore: a deleted record is not found by id (only the lists' deleted view
 * has it), so the page keeps showing the record it had, with this banner, until the visitor leaves.
 */
export function DeletedBanner({
  noun,
  until,
  busy,
  error,
  onRestore,
}: {
  noun: string
  until: string
  busy: boolean
  error: string | undefined
  onRestore: () => void
}) {
  const { time } = useAccount()
  return (
    <section className="card deleted-banner" aria-label="Deleted">
      <Notice kind="warning">
        This {noun} is deleted. It can be restored until {time(until)}; then it is purged.
      </Notice>
      <Notice>{error}</Notice>
      <div className="actions">
        <button type="button" className="button primary" onClick={onRestore} disabled={busy}>
          {busy ? 'Restoring…' : `Restore ${noun}`}
        </button>
      </div>
    </section>
  )
}

export interface TimelineItem {
  id: string
  kind: TimelineKind
  at: string
  title: string
  detail?: string | null
  status?: string | null
  channel?: string | null
  scheduledFor?: string | null
}

const KIND_LABELS: Record<TimelineKind, string> = {
  event: 'Event',
  communication: 'Message',
  message: 'Conversation',
  quote: 'Quote',
  appointment: 'Appointment',
}

/** A message in these states has yet to go out: its send time is shown. */
const PENDING = ['scheduled', 'queued']

/** A record's history, newest first, in the account's time zone. */
export function Timeline({ items }: { items: TimelineItem[] }) {
  const { time } = useAccount()
  if (items.length === 0) return <Empty>Nothing has happened yet.</Empty>
  return (
    <ol className="timeline" data-testid="timeline">
      {items.map((item) => (
        <li key={`${item.kind}-${item.id}`} className={`timeline-item timeline-${item.kind}`} data-testid="timeline-item">
          <div className="timeline-head">
            <span className="badge timeline-kind">{KIND_LABELS[item.kind]}</span>
            <strong>{item.title}</strong>
            {item.status && <span className="timeline-status">{item.status}</span>}
            <time dateTime={item.at} className="hint">
              {time(item.at)}
            </time>
          </div>
          {item.scheduledFor && (item.kind === 'appointment' || PENDING.includes(item.status ?? '')) && (
            <p className="hint">
              {item.kind === 'appointment' ? 'Starts' : 'Goes out'} {time(item.scheduledFor)}
            </p>
          )}
          {item.detail && <p className="timeline-detail">{item.detail}</p>}
        </li>
      ))}
    </ol>
  )
}

/** The way back to the list, above a record. */
export function BackLink({ href, children }: { href: string; children: string }) {
  return (
    <p>
      <Link href={href}>← {children}</Link>
    </p>
  )
}
