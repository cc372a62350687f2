'use client'
/**
 * CSV import and export. An import is uploaded in chunks, its columns mapped to fields, checked
 * row by row (the dry run lists every problem by line), then run; the dry run and the import run
 * on the server, so the page only polls their progress and can be closed and reopened meanwhile
 * (the latest unfinished import is picked up again). Export downloads a filtered list.
 */
import { AccountShell } from '../../components/AccountShell'
import { ExportForm } from './ExportForm'
import { ImportPanel } from './ImportPanel'

export default function ImportsPage() {
  return (
    <AccountShell title="Import & export">
      <ImportPanel />
      <ExportForm />
    </AccountShell>
  )
}
