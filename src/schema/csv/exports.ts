/**
 * Lists as CSV files (decision 0024): the same filters as the `customers` and `leads` lists, in the
 * same order, read in keyset batches and written by csv-stringify (RFC 4180 quoting). A cell that a
 * spreadsheet would run as a formula (starting with = + - @, tab or carriage return) gets a leading
 * apostrophe; the CSV import drops it again, so an exported file imports unchanged.
 */
import { stringify } from 'csv-stringify/sync'
import type { Context } from '../../context/context.js'
import { hasScope } from '../../context/principal.js'
import { db } from '../../db/client.js'
import { AppError } from '../../errors.js'
import { AiStatus, LeadStage } from '../../generated/prisma/enums.js'
import { builder } from '../builder.js'
import { customerFilter } from '../customers.js'
import { leadFilter } from '../leads.js'
import { accountOf } from '../tenancy.js'

/** The most rows one export holds; a longer list is cut there and says so. */
const MAX_EXPORT_ROWS = 100_000
const READ_BATCH = 2_000

/** Neutralises spreadsheet formula injection (OWASP "CSV injection"). */
function safeCell(value: unknown): string {
  if (value === null || value === undefined) return ''
  const text = value instanceof Date ? value.toISOString() : String(value)
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text
}

interface Keyed {
  id: string
  createdAt: Date
}

/** Reads `where` newest first in keyset batches, up to MAX_EXPORT_ROWS (+1 to tell a cut). */
async function readAll<T extends Keyed>(read: (cursor: Keyed | undefined, take: number) => Promise<T[]>): Promise<T[]> {
  const rows: T[] = []
  let cursor: Keyed | undefined
  while (rows.length <= MAX_EXPORT_ROWS) {
    const batch = await read(cursor, Math.min(READ_BATCH, MAX_EXPORT_ROWS + 1 - rows.length))
    rows.push(...batch)
    if (batch.length === 0 || batch.length < READ_BATCH) break
    cursor = batch.at(-1)
  }
  return rows
}

/** Rows strictly after `cursor` in (createdAt desc, id desc) order. */
const after = (cursor: Keyed | undefined) =>
  cursor ? { OR: [{ createdAt: { lt: cursor.createdAt } }, { createdAt: cursor.createdAt, id: { lt: cursor.id } }] } : {}
const newestFirst = [{ createdAt: 'desc' as const }, { id: 'desc' as const }]

function toCsv<T>(columns: [string, (row: T) => unknown][], rows: T[]) {
  const kept = rows.slice(0, MAX_EXPORT_ROWS)
  const csv = stringify(
    kept.map((row) => columns.map(([, get]) => safeCell(get(row)))),
    { header: true, columns: columns.map(([name]) => name), record_delimiter: 'windows' },
  )
  return { csv, rowCount: kept.length, truncated: rows.length > MAX_EXPORT_ROWS }
}

const CsvExport = builder.objectRef<{ csv: string; rowCount: number; truncated: boolean; fileName: string }>('CsvExport').implement({
  description: 'A list as a CSV file',
  fields: (t) => ({
    fileName: t.exposeString('fileName', { description: 'A name to save the file as' }),
    csv: t.exposeString('csv', { description: 'The file: a header row, then one row per record, CRLF line ends' }),
    rowCount: t.exposeInt('rowCount', { description: 'Records in the file' }),
    truncated: t.exposeBoolean('truncated', {
      description: `true when the list had more than ${MAX_EXPORT_ROWS} records and was cut there`,
    }),
  }),
})

function requireScope(ctx: Context, scope: 'read:hub' | 'leads:read') {
  if (!hasScope(ctx.principal, scope)) throw new AppError('FORBIDDEN', `Insufficient scope: ${scope} required`)
}

const stamp = () => new Date().toISOString().slice(0, 10)

builder.queryFields((t) => ({
  customersCsv: t.field({
    type: CsvExport,
    description: 'The customers list, with the same filters, as a CSV file (newest first)',
    authScopes: { account: true },
    args: { search: t.arg.string({ description: 'Case-insensitive substring of name, email or phone' }) },
    resolve: async (_root, args, ctx) => {
      requireScope(ctx, 'read:hub')
      const where = customerFilter(accountOf(ctx), args)
      const rows = await readAll((cursor, take) =>
        db.customer.findMany({ where: { ...where, ...after(cursor) }, orderBy: newestFirst, take }),
      )
      return {
        fileName: `customers-${stamp()}.csv`,
        ...toCsv<(typeof rows)[number]>(
          [
            ['id', (r) => r.id],
            ['external_id', (r) => r.externalId],
            ['name', (r) => r.name],
            ['first_name', (r) => r.firstName],
            ['last_name', (r) => r.lastName],
            ['email', (r) => r.email],
            ['phone', (r) => r.phone],
            ['address', (r) => r.address],
            ['created_at', (r) => r.createdAt],
            ['updated_at', (r) => r.updatedAt],
          ],
          rows,
        ),
      }
    },
  }),
  leadsCsv: t.field({
    type: CsvExport,
    description: 'The leads list, with the same filters, as a CSV file (newest first)',
    authScopes: { account: true },
    args: {
      stage: t.arg({ type: LeadStage, description: 'Only leads at this pipeline stage' }),
      aiStatus: t.arg({ type: AiStatus, description: 'Only leads with this AI rating' }),
      search: t.arg.string({ description: 'Case-insensitive substring of the name, phone or email' }),
    },
    resolve: async (_root, args, ctx) => {
      requireScope(ctx, 'leads:read')
      const where = leadFilter(accountOf(ctx), args)
      const rows = await readAll((cursor, take) => db.lead.findMany({ where: { ...where, ...after(cursor) }, orderBy: newestFirst, take }))
      return {
        fileName: `leads-${stamp()}.csv`,
        ...toCsv<(typeof rows)[number]>(
          [
            ['id', (r) => r.id],
            ['external_id', (r) => r.externalId],
            ['name', (r) => r.name],
            ['first_name', (r) => r.firstName],
            ['last_name', (r) => r.lastName],
            ['email', (r) => r.email],
            ['phone', (r) => r.phone],
            ['pipeline_stage', (r) => r.pipelineStage],
            ['ai_status', (r) => r.aiStatus],
            ['ai_score', (r) => r.aiScore],
            ['source', (r) => r.source],
            ['created_at', (r) => r.createdAt],
            ['updated_at', (r) => r.updatedAt],
          ],
          rows,
        ),
      }
    },
  }),
}))
