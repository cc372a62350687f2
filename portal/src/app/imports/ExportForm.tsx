'use client'
/** Downloads the customers or leads list, with a search and (for leads) a stage, as a CSV file. */
import { type FormEvent, useState } from 'react'
import { useSessionGuard } from '../../components/AccountShell'
import { Notice } from '../../components/ui'
import type { LeadStage } from '../../gql/graphql'
import { messageOf, request } from '../../lib/graphql'
import { LEAD_STAGES } from '../leads/stages'
import { CustomersCsvDocument, LeadsCsvDocument } from './documents'

/** Hands the text to the browser as a file download. */
function download(fileName: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }))
  const link = document.createElement('a')
  link.href = url
  link.download = fileName
  document.body.append(link)
  link.click()
  link.remove()
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}

export function ExportForm() {
  const [list, setList] = useState<'leads' | 'customers'>('leads')
  const [search, setSearch] = useState('')
  const [stage, setStage] = useState<LeadStage | ''>('')
  const [running, setRunning] = useState(false)
  const [error, setError] = useState<unknown>()
  const [done, setDone] = useState<string>()
  useSessionGuard(error)

  const submit = async (event: FormEvent) => {
    event.preventDefault()
    setRunning(true)
    setError(undefined)
    setDone(undefined)
    try {
      const file =
        list === 'leads'
          ? (await request(LeadsCsvDocument, { search: search || null, stage: stage || null })).leadsCsv
          : (await request(CustomersCsvDocument, { search: search || null })).customersCsv
      download(file.fileName, file.csv)
      setDone(
        `${file.rowCount.toLocaleString('en-US')} ${list} exported${file.truncated ? ' (the list was cut at the export limit)' : ''}.`,
      )
    } catch (e) {
      setError(e)
    } finally {
      setRunning(false)
    }
  }

  return (
    <section className="card" aria-labelledby="export-title">
      <h2 id="export-title">Export a list</h2>
      <form className="form" onSubmit={submit}>
        <label>
          List
          <select value={list} onChange={(e) => setList(e.target.value as 'leads' | 'customers')}>
            <option value="leads">Leads</option>
            <option value="customers">Customers</option>
          </select>
        </label>
        <label>
          Search
          <input value={search} onChange={(e) => setSearch(e.target.value)} placeholder="name, phone or email" maxLength={200} />
        </label>
        {list === 'leads' && (
          <label>
            Stage
            <select value={stage} onChange={(e) => setStage(e.target.value as LeadStage | '')}>
              <option value="">Any stage</option>
              {LEAD_STAGES.map((s) => (
                <option key={s} value={s}>
                  {s.replace(/_/g, ' ')}
                </option>
              ))}
            </select>
          </label>
        )}
        <button className="button primary" type="submit" disabled={running}>
          {running ? 'Exporting…' : 'Export CSV'}
        </button>
      </form>
      {error !== undefined && <Notice>{messageOf(error)}</Notice>}
      <Notice kind="success">{done}</Notice>
      <p className="hint">Cells that a spreadsheet would run as a formula start with an apostrophe; importing the file drops it again.</p>
    </section>
  )
}
