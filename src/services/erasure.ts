/**
 * Erasure: one call per customer or lead removes its personal data everywhere this server copied
 * it (docs/decisions/0015-soft-delete-and-erasure.md). Irreversible, unlike a delete.
 *
 * Each place data is copied to has one eraser below; `eraseSubject` runs them all, in order, in
 * one transaction. A table added later that copies a person's data (a change feed, a log) adds
 * its eraser to `ERASERS` — one entry — and test/erasure.test.ts then proves it by searching every
 * table for the person's name, phone and email.
 *
 * Rows are matched by the record's ids (the customer's projects, the lead's quotes and
 * appointments included) and by its phone and email where those are the row's own key (a
 * conversation's participant, a message's recipient). Nested reads (a customer's projects) are
 * not filtered by soft delete, so deleted children are erased too. Stored JSON texts (webhook bodies, stored
 * idempotent answers) are matched when they mention any of them. The STOP list keeps only a hash
 * of the number (./opt-out.ts), which is what lets an opt-out be honoured after erasure.
 */

import { db } from '../db/client.js'
import { withDeleted } from '../db/soft-delete.js'
import { notFound } from '../errors.js'
import type { Prisma } from '../generated/prisma/client.js'
import { recordAudit } from './audit.js'
import { forgetSubjectChanges } from './changes/retention.js'

export type ErasableKind = 'customer' | 'lead'

/** The person being erased, and every id their data hangs off. */
export interface Subject {
  accountId: string
  kind: ErasableKind
  id: string
  phone: string | null
  email: string | null
  projectIds: string[]
  quoteIds: string[]
  appointmentIds: string[]
}

/** One place a person's data is copied to: removes it there, answers how many rows it removed. */
export interface Eraser {
  place: string
  erase: (tx: Prisma.TransactionClient, subject: Subject) => Promise<number>
}

export interface Erasure {
  id: string
  erased: { place: string; rows: number }[]
}

const ids = (s: Subject) => [s.id, ...s.projectIds, ...s.quoteIds, ...s.appointmentIds]
const contacts = (s: Subject) => [s.phone, s.email].filter((v): v is string => Boolean(v))
/** ILIKE patterns that find any of the subject's ids, phone or email inside a stored text. */
const mentions = (s: Subject) => [...ids(s), ...contacts(s)].map((term) => `%${term.replace(/[\\%_]/g, '\\$&')}%`)
const lowerContacts = (s: Subject) => contacts(s).map((c) => c.toLowerCase())

export const ERASERS: Eraser[] = [
  {
    place: 'webhook_attempts',
    erase: (tx, s) => tx.$executeRaw`
      DELETE FROM webhook_attempts a USING webhook_deliveries d
      WHERE a.delivery_id = d.id AND d.account_id = ${s.accountId} AND d.body ILIKE ANY (${mentions(s)}::text[])`,
  },
  {
    place: 'webhook_deliveries',
    erase: (tx, s) => tx.$executeRaw`
      DELETE FROM webhook_deliveries WHERE account_id = ${s.accountId} AND body ILIKE ANY (${mentions(s)}::text[])`,
  },
  {
    place: 'idempotency_records',
    erase: (tx, s) => tx.$executeRaw`
      DELETE FROM idempotency_records WHERE account_id = ${s.accountId} AND response_body ILIKE ANY (${mentions(s)}::text[])`,
  },
  {
    // With their messages, transcripts and recording URLs (messages and transcripts cascade).
    place: 'conversations',
    erase: async (tx, s) => {
      const field = s.kind === 'customer' ? 'customerId' : 'leadId'
      const { count } = await tx.conversation.deleteMany({
        where: { accountId: s.accountId, OR: [{ [field]: s.id }, { participant: { in: contacts(s), mode: 'insensitive' } }] },
      })
      return count
    },
  },
  {
    place: 'communications',
    erase: (tx, s) => tx.$executeRaw`
      DELETE FROM communications WHERE account_id = ${s.accountId}
        AND (customer_id = ${s.id} OR lead_id = ${s.id} OR project_id = ANY(${s.projectIds}::text[])
          OR lower("to") = ANY(${lowerContacts(s)}::text[]))`,
  },
  {
    // A campaign's name carries its project's name.
    place: 'campaigns',
    erase: async (tx, s) => (await tx.campaign.deleteMany({ where: { accountId: s.accountId, projectId: { in: s.projectIds } } })).count,
  },
  {
    place: 'appointments',
    erase: async (tx, s) =>
      (await tx.appointment.deleteMany({ where: { accountId: s.accountId, id: { in: s.appointmentIds }, ...withDeleted } })).count,
  },
  {
    // With their line items.
    place: 'quotes',
    erase: async (tx, s) =>
      (await tx.quote.deleteMany({ where: { accountId: s.accountId, id: { in: s.quoteIds }, ...withDeleted } })).count,
  },
  {
    // With their events.
    place: 'projects',
    erase: async (tx, s) =>
      (await tx.project.deleteMany({ where: { accountId: s.accountId, id: { in: s.projectIds }, ...withDeleted } })).count,
  },
  {
    place: 'leads',
    erase: async (tx, s) =>
      s.kind === 'lead' ? (await tx.lead.deleteMany({ where: { accountId: s.accountId, id: s.id, ...withDeleted } })).count : 0,
  },
  {
    place: 'customers',
    erase: async (tx, s) =>
      s.kind === 'customer' ? (await tx.customer.deleteMany({ where: { accountId: s.accountId, id: s.id, ...withDeleted } })).count : 0,
  },
  {
    // Last: the deletes above are recorded in the change feed too (decision 0016).
    place: 'changes',
    erase: (tx, s) => forgetSubjectChanges(tx, s.accountId, ids(s), mentions(s)),
  },
]

/** The subject as stored, deleted or not (a deleted record can be erased until it is purged). */
async function subjectOf(tx: Prisma.TransactionClient, kind: ErasableKind, accountId: string, id: string): Promise<Subject> {
  const where = { id, accountId, ...withDeleted }
  if (kind === 'customer') {
    const customer = await tx.customer.findFirst({
      where,
      select: { phone: true, email: true, projects: { select: { id: true } } },
    })
    if (!customer) throw notFound('Customer not found')
    const projectIds = customer.projects.map((p) => p.id)
    return { accountId, kind, id, phone: customer.phone, email: customer.email, projectIds, quoteIds: [], appointmentIds: [] }
  }
  const lead = await tx.lead.findFirst({
    where,
    select: { phone: true, email: true, quotes: { select: { id: true } }, appointments: { select: { id: true } } },
  })
  if (!lead) throw notFound('Lead not found')
  const [quoteIds, appointmentIds] = [lead.quotes.map((q) => q.id), lead.appointments.map((a) => a.id)]
  return { accountId, kind, id, phone: lead.phone, email: lead.email, projectIds: [], quoteIds, appointmentIds }
}

/** Erases a customer or lead of the account (a missing or purged one is a 404). */
export function eraseSubject(kind: ErasableKind, accountId: string, id: string, erasers: Eraser[] = ERASERS): Promise<Erasure> {
  return db.$transaction(async (tx) => {
    const subject = await subjectOf(tx, kind, accountId, id)
    const erased: Erasure['erased'] = []
    for (const eraser of erasers) erased.push({ place: eraser.place, rows: await eraser.erase(tx, subject) })
    // What was erased and by whom, never what it held.
    const rows = erased.reduce((sum, place) => sum + place.rows, 0)
    await recordAudit(tx, { accountId, action: `${kind}.erased`, objectType: kind, objectId: id, changes: { rows } })
    return { id, erased }
  })
}
