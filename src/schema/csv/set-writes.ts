/**
 * Writing a batch of checked CSV rows as a set (decision 0027): the same upserts by external id as
 * `upsertLead` / `upsertCustomer` (decision 0017), in a fixed number of statements whatever the
 * batch's size, inside the caller's transaction:
 *
 * 1. lock the live records holding the batch's external ids (`FOR UPDATE`, in id order), reading
 *    their values;
 * 2. one `UPDATE … FROM json_to_recordset` for the rows whose record exists, setting only the
 *    fields each row gives (a blank cell leaves its field unchanged);
 * 3. one `INSERT … ON CONFLICT DO NOTHING` for the rest; a row another writer inserted meanwhile
 *    comes back unwritten and goes round again from step 1, as in `insertOrLock`;
 * 4. for leads, every `lead.created`, `lead.updated` (with `previous`) and `sale.completed` in one
 *    outbox statement.
 *
 * The change feed's rows and their previous values come from the tables' row triggers, one per
 * written row, exactly as for single upserts. Rows sharing an external id go in successive rounds,
 * so a later row updates what an earlier one wrote, as one upsert after another would.
 */
import { v7 as uuidv7 } from 'uuid'
import type { Lead as LeadRow } from '../../generated/prisma/client.js'
import { Prisma } from '../../generated/prisma/client.js'
import type { CsvImportKind } from '../../generated/prisma/enums.js'
import { fireWebhookEvents, webhookBody } from '../../services/webhooks/outbox.js'
import { leadJson } from '../../services/webhooks/payloads.js'
import { previousValues } from '../leads.js'
import { IMPORT_KINDS } from './fields.js'

export interface RowWrite {
  line: number
  input: Record<string, unknown>
}

interface SetOutcome {
  created: number
  updated: number
  problems: { line: number; message: string }[]
}

/** A column a CSV row can fill: the input's key, the column, and the cast its text needs. */
interface Column {
  key: string
  column: string
  cast?: string
}

interface TableRules {
  table: 'leads' | 'customers'
  columns: Column[]
  /** The record's columns as Prisma names them, read when locking and returned by the writes. */
  returning: (alias: string) => Prisma.Sql
  /** Values a new record takes in place of the row's own (a default derived from other fields). */
  newRecord: (input: Record<string, unknown>) => Record<string, unknown>
  /** A row's problem once its record is known (undefined: none), as the single upsert answers it. */
  problem: (input: Record<string, unknown>, old: Record<string, unknown> | undefined) => string | undefined
}

const text = (key: string, column = key): Column => ({ key, column })
const NAMES = [text('externalId', 'external_id'), text('name'), text('firstName', 'first_name'), text('lastName', 'last_name')]
const CONTACT = [text('email'), text('phone')]

const columnsOf = (alias: string, names: [string, string][]) =>
  Prisma.raw(names.map(([column, as]) => `${alias}.${column}${as === column ? '' : ` AS "${as}"`}`).join(', '))

const LEAD_COLUMNS: [string, string][] = [
  ['id', 'id'],
  ['account_id', 'accountId'],
  ['external_id', 'externalId'],
  ['name', 'name'],
  ['first_name', 'firstName'],
  ['last_name', 'lastName'],
  ['email', 'email'],
  ['phone', 'phone'],
  ['pipeline_stage', 'pipelineStage'],
  ['ai_status', 'aiStatus'],
  ['ai_score', 'aiScore'],
  ['ai_summary', 'aiSummary'],
  ['ai_enabled', 'aiEnabled'],
  ['source', 'source'],
  ['custom_data', 'customData'],
  ['metadata', 'metadata'],
  ['created_at', 'createdAt'],
  ['updated_at', 'updatedAt'],
  ['deleted_at', 'deletedAt'],
]

const TABLES: Record<CsvImportKind, TableRules> = {
  leads: {
    table: 'leads',
    columns: [...NAMES, ...CONTACT, { key: 'pipelineStage', column: 'pipeline_stage', cast: 'lead_stage' }, text('source')],
    returning: (alias) =>
      Prisma.raw(
        LEAD_COLUMNS.map(([column, as]) =>
          column === 'pipeline_stage' || column === 'ai_status' ? `${alias}.${column}::text AS "${as}"` : `${alias}.${column} AS "${as}"`,
        ).join(', '),
      ),
    newRecord: () => ({}),
    problem: (input, old) => {
      if (!old) return IMPORT_KINDS.leads.rowCheck?.(input, false)
      // A lead keeps a name or a phone, as saveLead's update rolls back otherwise.
      const kept = (key: string) => (key in input ? input[key] : old[key])
      return kept('name') || kept('phone') ? undefined : "At least 'name' or 'phone' is required"
    },
  },
  customers: {
    table: 'customers',
    columns: [...NAMES, ...CONTACT, text('address')],
    returning: (alias) =>
      columnsOf(alias, [
        ['id', 'id'],
        ['external_id', 'externalId'],
      ]),
    // A customer given only first and last names is still found by a name search (as upsertCustomer).
    newRecord: (input) => ({
      name: input.name ?? ([input.firstName, input.lastName].filter(Boolean).join(' ') || null),
    }),
    problem: () => undefined,
  },
}

type Held = Record<string, unknown> & { id: string; externalId: string }

/** Locks the account's live records holding these external ids, in id order (no deadlock between two batches). */
function lock(tx: Prisma.TransactionClient, rules: TableRules, accountId: string, ids: string[]) {
  return tx.$queryRaw<Held[]>(Prisma.sql`
    SELECT ${rules.returning('r')} FROM ${Prisma.raw(rules.table)} r
    WHERE r.account_id = ${accountId} AND r.deleted_at IS NULL
      AND r.external_id IN (SELECT value FROM json_array_elements_text(${JSON.stringify(ids)}::json))
    ORDER BY r.id FOR UPDATE`)
}

/** Sets, on each locked record, only the fields its row gives. */
function update(
  tx: Prisma.TransactionClient,
  rules: TableRules,
  accountId: string,
  rows: { id: string; input: Record<string, unknown> }[],
  now: Date,
) {
  const sets = rules.columns.map(({ key, column, cast }) => {
    const value = cast ? `(t.data ->> '${key}')::${cast}` : `t.data ->> '${key}'`
    return `${column} = CASE WHEN t.data ? '${key}' THEN ${value} ELSE r.${column} END`
  })
  const data = rows.map(({ id, input }) => ({ id, data: pick(rules, input) }))
  return tx.$queryRaw<Held[]>(Prisma.sql`
    UPDATE ${Prisma.raw(rules.table)} r SET ${Prisma.raw(sets.join(', '))}, updated_at = ${now}
    FROM json_to_recordset(${JSON.stringify(data)}::json) AS t(id text, data jsonb)
    WHERE r.id = t.id AND r.account_id = ${accountId} AND r.deleted_at IS NULL
    RETURNING ${rules.returning('r')}`)
}

/** Inserts new records; one whose external id another writer took meanwhile is skipped (and not returned). */
function insert(tx: Prisma.TransactionClient, rules: TableRules, accountId: string, rows: Record<string, unknown>[], now: Date) {
  const fields = ['id', ...rules.columns.map((c) => c.key)]
  const columns = ['id', ...rules.columns.map((c) => c.column)]
  const casts = ['', ...rules.columns.map((c) => c.cast ?? '')]
  // A column the row leaves blank takes the table's default, as Prisma's insert leaves it out.
  const values = fields.map((field, i) => {
    const column = columns[i]
    const value = `t."${field}"${casts[i] ? `::${casts[i]}` : ''}`
    return column === 'pipeline_stage' ? `coalesce(${value}, 'new_lead')` : value
  })
  return tx.$queryRaw<Held[]>(Prisma.sql`
    INSERT INTO ${Prisma.raw(rules.table)} AS r (${Prisma.raw(columns.join(', '))}, account_id, created_at, updated_at)
    SELECT ${Prisma.raw(values.join(', '))}, ${accountId}, ${now}, ${now}
    FROM json_to_recordset(${JSON.stringify(rows)}::json) AS t(${Prisma.raw(fields.map((f) => `"${f}" text`).join(', '))})
    ON CONFLICT DO NOTHING
    RETURNING ${rules.returning('r')}`)
}

/** The fields of the table a row gives (absent ones stay absent). */
function pick(rules: TableRules, input: Record<string, unknown>) {
  return Object.fromEntries(rules.columns.filter((c) => input[c.key] !== undefined).map((c) => [c.key, input[c.key]]))
}

/** Rows in rounds in which no external id repeats, each row after every earlier row with its id. */
function rounds(rows: RowWrite[]): RowWrite[][] {
  const result: RowWrite[][] = []
  const seen = new Map<string, number>()
  for (const row of rows) {
    const id = String(row.input.externalId)
    const round = seen.get(id) ?? 0
    seen.set(id, round + 1)
    if (round === result.length) result.push([])
    result[round].push(row)
  }
  return result
}

/** How often rows an insert lost to a concurrent writer go round again before the batch gives up. */
const MAX_PASSES = 5

interface Written {
  line: number
  created: boolean
  old?: Held
  now: Held
}

/** Upserts a batch of checked rows of one kind, in the caller's transaction. */
export async function writeSet(
  tx: Prisma.TransactionClient,
  kind: CsvImportKind,
  accountId: string,
  rows: RowWrite[],
): Promise<SetOutcome> {
  const rules = TABLES[kind]
  const outcome: SetOutcome = { created: 0, updated: 0, problems: [] }
  const written: Written[] = []
  for (const round of rounds(rows)) {
    let pending = round
    for (let pass = 0; pending.length; pass++) {
      if (pass === MAX_PASSES) throw new Error('CSV import: external ids kept changing hands during the batch')
      const now = new Date()
      const held = new Map(
        (
          await lock(
            tx,
            rules,
            accountId,
            pending.map((r) => String(r.input.externalId)),
          )
        ).map((r) => [r.externalId, r]),
      )
      const toUpdate: (RowWrite & { old: Held })[] = []
      const toInsert: (RowWrite & { id: string })[] = []
      for (const row of pending) {
        const old = held.get(String(row.input.externalId))
        const problem = rules.problem(row.input, old)
        if (problem) outcome.problems.push({ line: row.line, message: problem })
        else if (old) toUpdate.push({ ...row, old })
        else toInsert.push({ ...row, id: uuidv7() }) // UUIDv7, like the schema's default
      }
      if (toUpdate.length) {
        const updated = new Map(
          (
            await update(
              tx,
              rules,
              accountId,
              toUpdate.map((r) => ({ id: r.old.id, input: r.input })),
              now,
            )
          ).map((r) => [r.id, r]),
        )
        for (const row of toUpdate) written.push({ line: row.line, created: false, old: row.old, now: updated.get(row.old.id)! })
      }
      const inserted = toInsert.length
        ? new Map(
            (
              await insert(
                tx,
                rules,
                accountId,
                toInsert.map((r) => ({ id: r.id, ...pick(rules, r.input), ...rules.newRecord(r.input) })),
                now,
              )
            ).map((r) => [r.id, r]),
          )
        : new Map<string, Held>()
      for (const row of toInsert) {
        const record = inserted.get(row.id)
        if (record) written.push({ line: row.line, created: true, now: record })
      }
      pending = toInsert.filter((row) => !inserted.has(row.id))
    }
  }
  for (const w of written) {
    if (w.created) outcome.created++
    else outcome.updated++
  }
  if (kind === 'leads') await fireLeadEvents(tx, accountId, written)
  return outcome
}

/** The events saveLead fires for each written lead, in the order of the file, in one statement. */
function fireLeadEvents(tx: Prisma.TransactionClient, accountId: string, written: Written[]) {
  const events: { accountId: string; event: string; body: string }[] = []
  const add = (event: string, data: unknown, extra?: Record<string, unknown>) =>
    events.push({ accountId, event, body: webhookBody(event, data, extra) })
  for (const w of [...written].sort((a, b) => a.line - b.line)) {
    const lead = w.now as unknown as LeadRow
    if (w.created) {
      add('lead.created', leadJson(lead))
      continue
    }
    const old = w.old as unknown as LeadRow
    const previous = previousValues(old, lead)
    if (Object.keys(previous).length === 0) continue // nothing changed: no event
    add('lead.updated', leadJson(lead), { previous })
    if (lead.pipelineStage === 'closed_won' && old.pipelineStage !== 'closed_won') add('sale.completed', leadJson(lead))
  }
  return fireWebhookEvents(tx, events)
}
