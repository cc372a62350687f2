/**
 * What a CSV import can fill, per kind of record: the record fields a column may be mapped to,
 * the rules each row is checked with (the same zod rules as the GraphQL inputs, so a row that
 * imports is a row the API accepts), and the upsert that writes it (by external id, decision 0017).
 */
import type { z } from 'zod'
import { db } from '../../db/client.js'
import type { CsvImportKind } from '../../generated/prisma/enums.js'
import { customerRules, upsertCustomer } from '../customers.js'
import { leadRules, saveLead } from '../leads.js'
import { describeIssue } from '../rules.js'

interface ImportField {
  /** The field's name in snake_case, as in the REST bodies and the CSV export's header. */
  name: string
  /** The input's key. */
  key: string
  description: string
  required: boolean
}

interface KindRules {
  fields: ImportField[]
  /** The scope a caller needs to import (or export) this kind. */
  writeScope: 'write:hub' | 'leads:write'
  readScope: 'read:hub' | 'leads:read'
  rules: z.ZodType
  /** Writes one checked row; says whether it created the record. */
  write: (accountId: string, input: never) => Promise<{ created: boolean }>
  /** The external ids among `ids` that a live record of the account already holds. */
  existing: (accountId: string, ids: string[]) => Promise<Set<string>>
  /** A row's problem beyond its fields' rules, given whether its record exists already. */
  rowCheck?: (input: Record<string, unknown>, exists: boolean) => string | undefined
}

const field = (name: string, key: string, description: string, required = false): ImportField => ({ name, key, description, required })

const externalIdField = field('external_id', 'externalId', "Your system's id: updates the record with it, or creates it when new", true)

const idsHeld = (rows: { externalId: string | null }[]) => new Set(rows.map((r) => r.externalId ?? ''))

export const IMPORT_KINDS: Record<CsvImportKind, KindRules> = {
  customers: {
    fields: [
      externalIdField,
      field('name', 'name', 'Full name; defaults to first and last name joined'),
      field('first_name', 'firstName', 'First name'),
      field('last_name', 'lastName', 'Last name'),
      field('email', 'email', 'Email address'),
      field('phone', 'phone', 'Phone number in E.164, e.g. +15555550100'),
      field('address', 'address', 'Postal address'),
    ],
    writeScope: 'write:hub',
    readScope: 'read:hub',
    rules: customerRules.omit({ id: true, metadata: true }).extend({ externalId: customerRules.shape.externalId.unwrap().unwrap().min(1) }),
    write: (accountId, input) => upsertCustomer(accountId, input),
    existing: async (accountId, ids) =>
      idsHeld(await db.customer.findMany({ where: { accountId, externalId: { in: ids } }, select: { externalId: true } })),
  },
  leads: {
    fields: [
      externalIdField,
      field('name', 'name', 'Full name'),
      field('first_name', 'firstName', 'First name'),
      field('last_name', 'lastName', 'Last name'),
      field('email', 'email', 'Email address'),
      field('phone', 'phone', 'Phone number in E.164, e.g. +15555550100'),
      field('pipeline_stage', 'pipelineStage', 'Pipeline stage, e.g. new_lead; new leads default to new_lead'),
      field('source', 'source', 'Where the lead came from, e.g. trade_show'),
    ],
    writeScope: 'leads:write',
    readScope: 'leads:read',
    rules: leadRules.omit({ customData: true, metadata: true }).extend({ externalId: leadRules.shape.externalId.unwrap().unwrap() }),
    write: (accountId, input) => saveLead(accountId, input),
    existing: async (accountId, ids) =>
      idsHeld(await db.lead.findMany({ where: { accountId, externalId: { in: ids } }, select: { externalId: true } })),
    rowCheck: (input, exists) => (exists || input.name || input.phone ? undefined : 'a new lead needs name or phone'),
  },
}

/** A spreadsheet cell neutralised on export ('=1+1) reads back as its original text. */
const NEUTRALISED = /^'[=+\-@\t\r]/

/**
 * The input a row makes under `mapping` ({field name: column index}): cells are trimmed, a blank
 * cell leaves its field unchanged, and an apostrophe the export put before a formula character is
 * dropped.
 */
export function rowInput(kind: CsvImportKind, mapping: Record<string, number>, cells: string[]): Record<string, unknown> {
  const input: Record<string, unknown> = {}
  for (const f of IMPORT_KINDS[kind].fields) {
    const column = mapping[f.name]
    if (column === undefined) continue
    let value = (cells[column] ?? '').trim()
    if (NEUTRALISED.test(value)) value = value.slice(1)
    if (value !== '') input[f.key] = value
  }
  return input
}

/** Checks a row: its parsed input, or every problem it has in one sentence (never quoting its values). */
export function checkRow(
  kind: CsvImportKind,
  input: Record<string, unknown>,
): { ok: true; value: Record<string, unknown> } | { ok: false; problem: string } {
  const result = IMPORT_KINDS[kind].rules.safeParse(input)
  if (result.success) return { ok: true, value: result.data as Record<string, unknown> }
  const byKey = new Map(IMPORT_KINDS[kind].fields.map((f) => [f.key, f.name]))
  const problems = result.error.issues.map((issue) =>
    describeIssue(issue, input, (path) => path.map((p) => byKey.get(String(p)) ?? String(p)).join('.')),
  )
  return { ok: false, problem: [...new Set(problems)].join('; ') }
}
