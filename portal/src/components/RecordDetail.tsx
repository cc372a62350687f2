'use client'
/**
 * A record's page (customer, project, lead): its id from the address (`/customers/view?id=…`,
 * as the export has no per-record pages), its facts, the edit form with errors shown at their
 * field, delete and restore behind a confirmation, and the timeline. A page declares its
 * documents, facts and fields; `RecordPage` does the rest.
 */
import Link from 'next/link'
import { useSearchParams } from 'next/navigation'
import { type FormEvent, type ReactNode, Suspense, useEffect, useId, useState } from 'react'
import { graphql } from '../gql'
import type { TimelineKind, TypedDocumentString } from '../gql/graphql'
import { type GraphQLRequestError, type QueryState, useQuery, type Variables } from '../lib/graphql'
import { AccountShell, allows, useAccount, useAccountMutation, useSessionGuard } from './AccountShell'
import { ConfirmDialog, Empty, Loading, Notice } from './ui'
import './records.css'

/** What a record's timeline shows of each item: the record queries select `timeline(first: 100) { ...PortalTimelineItem }`. */
graphql(`
  fragment PortalTimelineItem on TimelineEntry {
    id
    kind
    at
    title
    detail
    status
    channel
    scheduledFor
  }
`)

const useRecordId = () => useSearchParams().get('id') ?? ''

/**
 * What a record's page shows while it has no record to show: the load's error with Try again,
 * Loading, or "not found" with the way back to the list; null once the record is there.
 */
function recordUnavailable(
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
function useDeletion<D, DV, R, RV>(
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

/** A field of the edit form; its `name` is the record's property and the save input's. */
export interface FieldSpec<N extends string = string> {
  name: N
  label: string
  type?: 'text' | 'email' | 'tel' | 'number'
  /** A select of these values instead of a text input. */
  options?: readonly string[]
  hint?: string
}

/** The fields of a record about a person (customers, leads). */
export const CONTACT_FIELDS = [
  { name: 'name', label: 'Name' },
  { name: 'firstName', label: 'First name' },
  { name: 'lastName', label: 'Last name' },
  { name: 'email', label: 'Email', type: 'email' },
  { name: 'phone', label: 'Phone', type: 'tel', hint: 'E.164, e.g. +15555550100' },
] as const satisfies readonly FieldSpec[]

type Values = Record<string, string>

/** The form's values as the record holds them ('' where it holds none). */
function initialValues<T>(record: T, fields: readonly FieldSpec<keyof T & string>[]): Values {
  return Object.fromEntries(fields.map((f) => [f.name, String(record[f.name] ?? '')]))
}

const snake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)

/** The field a server message is about: it starts with the field's name ("email must be…"). */
function fieldOf(message: string, fields: readonly FieldSpec[]): string | undefined {
  return fields.find((f) => message.startsWith(`${f.name} `) || message.startsWith(`${snake(f.name)} `) || message.includes(`"${f.name}"`))
    ?.name
}

/** Edits a record's fields; an empty field is sent as null (cleared). */
function EditForm({
  fields,
  initial,
  running,
  error,
  onSave,
}: {
  fields: readonly FieldSpec[]
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
  // A number field is typed as text, so text that is not a number is refused here, at its field,
  // instead of reaching the server as an empty field that would clear the stored value.
  const [notNumber, setNotNumber] = useState<string>()
  const shown = notNumber ? { field: notNumber, message: 'must be a number, such as 12500 or 12500.50' } : undefined
  const errorField = shown?.field ?? (error ? fieldOf(error.message, fields) : undefined)
  const errorMessage = shown ? `${fields.find((f) => f.name === shown.field)?.label} ${shown.message}` : error?.message
  const submit = async (event: FormEvent) => {
    event.preventDefault()
    setSaved(false)
    const sent = Object.fromEntries(fields.map((f) => [f.name, values[f.name]?.trim() ? values[f.name].trim() : null]))
    const bad = fields.find((f) => f.type === 'number' && sent[f.name] !== null && !Number.isFinite(Number(sent[f.name])))
    setNotNumber(bad?.name)
    if (bad) return
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
                  type={f.type === 'number' ? 'text' : (f.type ?? 'text')}
                  inputMode={f.type === 'number' ? 'decimal' : undefined}
                  onChange={(e) => setValues({ ...values, [f.name]: e.target.value })}
                />
              )}
              {invalid && (
                <span id={`${id}-${f.name}-error`} className="field-error" role="alert">
                  {errorMessage}
                </span>
              )}
              {f.hint && <span className="hint">{f.hint}</span>}
            </div>
          )
        })}
      </div>
      {!errorField && <Notice>{error?.message}</Notice>}
      {saved && !error && !notNumber && <Notice kind="success">Saved.</Notice>}
      <div className="actions">
        <button type="submit" className="button primary" disabled={running}>
          {running ? 'Saving…' : 'Save'}
        </button>
      </div>
    </form>
  )
}

/** Delete, after a confirmation that says how long the record stays restorable. */
function DeleteButton({
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
function DeletedBanner({
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
function Timeline({ items }: { items: TimelineItem[] }) {
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
function BackLink({ href, children }: { href: string; children: string }) {
  return (
    <p>
      <Link href={href}>← {children}</Link>
    </p>
  )
}

/** What every record's page shows besides what its page declares. */
interface ShownRecord {
  name?: string | null
  externalId?: string | null
  createdAt: string
  updatedAt: string
  timeline: TimelineItem[]
}

type SavedValues = Record<string, string | null>

/** A record query's answer: the record under `K`, null when no record has the id. */
type Holding<K extends string> = Record<K, ShownRecord | null>
type RecordOf<Q, K extends keyof Q> = NonNullable<Q[K]>

interface RecordPageProps<K extends string, Q extends Holding<K>, S, SV, D, R> {
  /** The record's name, one and many: a `customer` is listed at `/customers`. */
  noun: { one: string; many: string }
  /** The record's query (by `id`) and the field of its answer that holds the record. */
  document: TypedDocumentString<Q, { id: string }>
  record: K
  /** What a role needs to edit, delete and restore it. */
  scope: string
  /** Facts shown before External id, Created and Updated (`dt` and `dd` pairs). */
  facts?: (record: RecordOf<Q, K>) => ReactNode
  /** The edit form's fields, each one of the record's properties. */
  fields: readonly FieldSpec<keyof RecordOf<Q, K> & string>[]
  /** The save mutation and its variables for the form's values (an emptied field is null). */
  save: TypedDocumentString<S, SV>
  saveVariables: (id: string, values: SavedValues) => SV
  remove: TypedDocumentString<D, { id: string }>
  restorableUntil: (answer: D) => string
  restore: TypedDocumentString<R, { id: string }>
  /** Sections above the edit form, shown with it: to a role that may write, while the record is not deleted. */
  tools?: (record: RecordOf<Q, K>, page: { id: string; data: Q; reload: () => Promise<void> }) => ReactNode
  /** Sections under the edit form, shown to every role. */
  related?: (record: RecordOf<Q, K>) => ReactNode
}

/** A record's page: the account shell, and the record once the address gives its id. */
export function RecordPage<K extends string, Q extends Holding<K>, S, SV, D, R>(props: RecordPageProps<K, Q, S, SV, D, R>) {
  const { one } = props.noun
  return (
    <AccountShell title={one[0].toUpperCase() + one.slice(1)}>
      <Suspense fallback={<Loading />}>
        <RecordView {...props} />
      </Suspense>
    </AccountShell>
  )
}

function RecordView<K extends string, Q extends Holding<K>, S, SV, D, R>(props: RecordPageProps<K, Q, S, SV, D, R>) {
  const { noun, fields } = props
  const id = useRecordId()
  const { me, time } = useAccount()
  const query = useQuery(props.document, { id })
  useSessionGuard(query.error)
  const save = useAccountMutation(props.save, { onSuccess: () => query.reload() })
  const { deletedUntil, remove, restore } = useDeletion(props.remove, props.restore, props.restorableUntil, query.reload)
  const editable = allows(me, props.scope) && !deletedUntil
  const record: RecordOf<Q, K> | undefined = query.data?.[props.record] ?? undefined

  const list = { href: `/${noun.many}`, label: `All ${noun.many}` }
  const unavailable = recordUnavailable(query, Boolean(record), noun.one, list)
  if (unavailable || !record || !query.data) return unavailable
  return (
    <>
      <BackLink href={list.href}>{list.label}</BackLink>
      <h2 data-testid="record-name">{record.name || `Unnamed ${noun.one}`}</h2>
      {deletedUntil && (
        <DeletedBanner
          noun={noun.one}
          until={deletedUntil}
          busy={restore.running}
          error={restore.error?.message}
          onRestore={() => void restore.run({ id })}
        />
      )}
      <div className="record-grid">
        <div className="record-side">
          <section className="card">
            <dl className="record-facts">
              {props.facts?.(record)}
              <dt>External id</dt>
              <dd>{record.externalId ?? '—'}</dd>
              <dt>Created</dt>
              <dd>{time(record.createdAt)}</dd>
              <dt>Updated</dt>
              <dd>{time(record.updatedAt)}</dd>
            </dl>
          </section>
          {editable && props.tools?.(record, { id, data: query.data, reload: query.reload })}
          {editable && (
            <section className="card">
              <EditForm
                fields={fields}
                initial={initialValues<RecordOf<Q, K>>(record, fields)}
                running={save.running}
                error={save.error}
                // The save variables always hold the record's id, so they are the one argument the mutation takes.
                onSave={async (values) => Boolean(await save.run(...([props.saveVariables(id, values)] as Variables<SV>)))}
              />
            </section>
          )}
          {props.related?.(record)}
          {editable && (
            <section className="card">
              <DeleteButton
                noun={noun.one}
                name={record.name ?? `this ${noun.one}`}
                busy={remove.running}
                error={remove.error?.message}
                onCancel={remove.reset}
                onDelete={async () => Boolean(await remove.run({ id }))}
              />
            </section>
          )}
        </div>
        <section className="card" aria-labelledby={`${noun.one}-timeline`} aria-busy={query.loading}>
          <h2 id={`${noun.one}-timeline`}>Timeline</h2>
          <Timeline items={record.timeline} />
        </section>
      </div>
    </>
  )
}
