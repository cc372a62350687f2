'use client'
/** The import flow: choose a file, map columns, dry run, import; progress polled from the server. */
import { type FormEvent, useCallback, useEffect, useRef, useState } from 'react'
import { allows, useAccount, useSessionGuard } from '../../components/AccountShell'
import { Empty, Notice } from '../../components/ui'
import type { CsvImportKind, CsvImportStateFragment } from '../../gql/graphql'
import { formatDateTime } from '../../lib/format'
import { messageOf, request, useQuery } from '../../lib/graphql'
import {
  AppendCsvImportChunkDocument,
  CancelCsvImportDocument,
  CheckCsvImportDocument,
  CompleteCsvUploadDocument,
  CsvImportDocument,
  CsvImportFieldsDocument,
  CsvImportsDocument,
  RunCsvImportDocument,
  StartCsvImportDocument,
} from './documents'

const CHUNK_BYTES = 256 * 1024
const POLL_MS = 1_000
const BUSY = ['checking', 'importing']

/** What a file can hold, and the scope the server asks to import it (src/schema/csv/fields.ts). */
const KINDS: { kind: CsvImportKind; label: string; writes: string }[] = [
  { kind: 'leads', label: 'Leads', writes: 'leads:write' },
  { kind: 'customers', label: 'Customers', writes: 'write:hub' },
]

const toBase64 = (blob: Blob) =>
  new Promise<string>((resolve, reject) => {
    const reader = new FileReader()
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ''))
    reader.onerror = () => reject(reader.error)
    reader.readAsDataURL(blob)
  })

export function ImportPanel() {
  const { me } = useAccount()
  const kinds = KINDS.filter((k) => allows(me, k.writes))
  const recent = useQuery(CsvImportsDocument)
  const [current, setCurrent] = useState<CsvImportStateFragment>()
  const [error, setError] = useState<unknown>()
  const [busy, setBusy] = useState<string>()
  useSessionGuard(error ?? recent.error)

  // Opening the page picks up the latest import still under way, and only then: the list can be
  // older than the import on screen, and must not bring back one the visitor has closed.
  const resumed = useRef(false)
  useEffect(() => {
    if (resumed.current || !recent.data) return
    resumed.current = true
    const open = recent.data.csvImports.find((i) => !['done', 'cancelled'].includes(i.status))
    if (open) setCurrent((shown) => shown ?? open)
  }, [recent.data])

  const status = current?.status
  const id = current?.id
  const finished = status === 'done' || status === 'cancelled'
  const reloadRecent = recent.reload
  // The list of recent imports shows how the one that just ended ended.
  useEffect(() => {
    if (id && finished) void reloadRecent()
  }, [id, finished, reloadRecent])
  useEffect(() => {
    if (!id || !status || !BUSY.includes(status)) return
    const timer = setInterval(async () => {
      try {
        const { csvImport } = await request(CsvImportDocument, { id })
        if (csvImport) setCurrent(csvImport)
      } catch (e) {
        setError(e)
      }
    }, POLL_MS)
    return () => clearInterval(timer)
  }, [id, status])

  const act = useCallback(async (label: string, fn: () => Promise<CsvImportStateFragment | undefined>) => {
    setBusy(label)
    setError(undefined)
    try {
      const next = await fn()
      if (next) setCurrent(next)
    } catch (e) {
      setError(e)
    } finally {
      setBusy(undefined)
    }
  }, [])

  return (
    <section className="card" aria-labelledby="import-title">
      <h2 id="import-title">Import customers or leads</h2>
      {kinds.length > 0 && (!current || finished) ? (
        <UploadForm kinds={kinds} busy={busy} act={act} onUploaded={() => void recent.reload()} />
      ) : null}
      {error !== undefined && <Notice>{messageOf(error)}</Notice>}
      {current && (
        <ImportState
          value={current}
          canWrite={kinds.some((k) => k.kind === current.kind)}
          busy={busy}
          act={act}
          onClose={() => setCurrent(undefined)}
        />
      )}
      <RecentImports items={recent.data?.csvImports} loading={recent.loading} onOpen={setCurrent} />
    </section>
  )
}

type Act = (label: string, fn: () => Promise<CsvImportStateFragment | undefined>) => Promise<void>

function UploadForm({ kinds, busy, act, onUploaded }: { kinds: typeof KINDS; busy?: string; act: Act; onUploaded: () => void }) {
  const [kind, setKind] = useState(kinds[0].kind)
  const [file, setFile] = useState<File>()
  const [sent, setSent] = useState(0)
  const submit = (event: FormEvent) => {
    event.preventDefault()
    if (!file) return
    void act('upload', async () => {
      const { startCsvImport } = await request(StartCsvImportDocument, { kind, fileName: file.name.slice(0, 200) })
      for (let seq = 0; seq * CHUNK_BYTES < file.size; seq++) {
        const base64 = await toBase64(file.slice(seq * CHUNK_BYTES, (seq + 1) * CHUNK_BYTES))
        await request(AppendCsvImportChunkDocument, { id: startCsvImport.id, seq, base64 })
        setSent(Math.min(file.size, (seq + 1) * CHUNK_BYTES))
      }
      const { completeCsvUpload } = await request(CompleteCsvUploadDocument, { id: startCsvImport.id })
      onUploaded()
      return completeCsvUpload
    })
  }
  return (
    <form className="form" onSubmit={submit}>
      <label>
        Records
        <select value={kind} onChange={(e) => setKind(e.target.value as CsvImportKind)}>
          {kinds.map((k) => (
            <option key={k.kind} value={k.kind}>
              {k.label}
            </option>
          ))}
        </select>
      </label>
      <label>
        CSV file (UTF-8, a header row first)
        <input type="file" accept=".csv,text/csv" onChange={(e) => setFile(e.target.files?.[0])} />
      </label>
      {busy === 'upload' && file && (
        <progress max={file.size} value={sent} aria-label="Upload progress">
          {Math.round((sent / file.size) * 100)}%
        </progress>
      )}
      <button className="button primary" type="submit" disabled={!file || busy !== undefined}>
        {busy === 'upload' ? 'Uploading…' : 'Upload'}
      </button>
    </form>
  )
}

/** One import as it goes; a role that may only read the records sees its progress and results, not its controls. */
function ImportState({
  value,
  canWrite,
  busy,
  act,
  onClose,
}: {
  value: CsvImportStateFragment
  canWrite: boolean
  busy?: string
  act: Act
  onClose: () => void
}) {
  const fields = useQuery(CsvImportFieldsDocument, { kind: value.kind })
  const [mapping, setMapping] = useState<Record<string, string>>({})
  useEffect(() => {
    const chosen = value.mapping.length ? value.mapping : value.suggestedMapping
    setMapping(Object.fromEntries(chosen.map((m) => [m.field, m.column])))
  }, [value.mapping, value.suggestedMapping])

  const check = () =>
    act('check', async () => {
      const chosen = Object.entries(mapping)
        .filter(([, column]) => column)
        .map(([field, column]) => ({ field, column }))
      return (await request(CheckCsvImportDocument, { id: value.id, mapping: chosen })).checkCsvImport
    })
  const run = () => act('run', async () => (await request(RunCsvImportDocument, { id: value.id })).runCsvImport)
  const cancel = () => act('cancel', async () => (await request(CancelCsvImportDocument, { id: value.id })).cancelCsvImport)
  const good = value.totalRows - value.problemRows

  return (
    <div className="csv-import" data-testid="csv-import">
      <h3>
        {value.fileName}{' '}
        <span className="hint">
          ({value.kind}, {value.totalRows.toLocaleString('en-US')} rows)
        </span>
      </h3>
      {canWrite && (value.status === 'uploaded' || value.status === 'checked') && (
        <fieldset className="mapping">
          <legend>Columns</legend>
          {fields.data?.csvImportFields.map((f) => (
            <label key={f.name}>
              {f.name}
              {f.required ? ' (required)' : ''}
              <select value={mapping[f.name] ?? ''} onChange={(e) => setMapping({ ...mapping, [f.name]: e.target.value })}>
                <option value="">— not imported —</option>
                {value.columns.map((c) => (
                  <option key={c} value={c}>
                    {c}
                  </option>
                ))}
              </select>
            </label>
          ))}
          <button className="button" type="button" onClick={check} disabled={busy !== undefined}>
            {busy === 'check' ? 'Starting…' : 'Check rows (dry run)'}
          </button>
        </fieldset>
      )}
      {BUSY.includes(value.status) && (
        <div role="status">
          <p>{value.status === 'checking' ? 'Checking rows…' : 'Importing…'}</p>
          <progress
            max={value.totalRows}
            value={value.processedRows}
            aria-label={value.status === 'checking' ? 'Dry run progress' : 'Import progress'}
          />
          <p className="hint">
            {value.processedRows.toLocaleString('en-US')} of {value.totalRows.toLocaleString('en-US')} rows. You can leave this page: the
            server carries on.
          </p>
        </div>
      )}
      {value.status === 'checked' && (
        <Notice kind={value.problemRows ? 'warning' : 'success'}>
          Dry run: {value.createdRows.toLocaleString('en-US')} to create, {value.updatedRows.toLocaleString('en-US')} to update,{' '}
          {value.problemRows.toLocaleString('en-US')} with problems (skipped).
        </Notice>
      )}
      {value.status === 'done' && (
        <Notice kind="success">
          Imported: {value.createdRows.toLocaleString('en-US')} created, {value.updatedRows.toLocaleString('en-US')} updated,{' '}
          {value.problemRows.toLocaleString('en-US')} skipped.
        </Notice>
      )}
      {value.problems.length > 0 && value.problemRows > value.problems.length && (
        <p className="hint">
          The first {value.problems.length.toLocaleString('en-US')} of {value.problemRows.toLocaleString('en-US')} rows with problems: fix
          these and check the file again to see the rest.
        </p>
      )}
      {value.problems.length > 0 && (
        <table className="table" aria-label="Rows with problems">
          <thead>
            <tr>
              <th scope="col">Line</th>
              <th scope="col">Problem</th>
            </tr>
          </thead>
          <tbody>
            {value.problems.map((p) => (
              <tr key={p.line}>
                <td>{p.line}</td>
                <td>{p.message}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div className="actions">
        {canWrite && value.status === 'checked' && (
          <button className="button primary" type="button" onClick={run} disabled={busy !== undefined || good === 0}>
            {busy === 'run' ? 'Starting…' : `Import ${good.toLocaleString('en-US')} rows`}
          </button>
        )}
        {canWrite && !['done', 'cancelled'].includes(value.status) ? (
          <button className="button danger-outline" type="button" onClick={cancel} disabled={busy !== undefined}>
            Cancel import
          </button>
        ) : (
          <button className="button" type="button" onClick={onClose}>
            {canWrite ? 'Import another file' : 'Close'}
          </button>
        )}
      </div>
    </div>
  )
}

function RecentImports({
  items,
  loading,
  onOpen,
}: {
  items?: CsvImportStateFragment[]
  loading: boolean
  onOpen: (item: CsvImportStateFragment) => void
}) {
  const { account } = useAccount()
  if (loading && !items) return <p className="hint">Loading recent imports…</p>
  if (!items?.length) return <Empty>No imports yet.</Empty>
  return (
    <details className="recent-imports">
      <summary>Recent imports</summary>
      <ul>
        {items.map((i) => (
          <li key={i.id}>
            <button className="link-button" type="button" onClick={() => onOpen(i)}>
              {i.fileName}
            </button>{' '}
            — {i.kind}, {i.status}, {formatDateTime(i.createdAt, account.timeZone)}
          </li>
        ))}
      </ul>
    </details>
  )
}
