/**
 * Deleting and restoring customers, projects, leads, quotes and appointments
 * (docs/decisions/0015-soft-delete-and-erasure.md). A delete stamps `deleted_at`; from then on
 * the record is hidden from every query (src/db/soft-delete.ts). It can be restored for
 * `RESTORE_DAYS` days, after which the worker purges it (`purgeDeleted`).
 *
 * What a delete takes with it, all stamped with the same `deleted_at` so a restore brings back
 * exactly that:
 * - a customer: its projects; a lead: its quotes and appointments;
 * - the pending messages (scheduled, queued, failed awaiting a retry) to the record or to the
 *   records deleted with it are cancelled, and stay cancelled after a restore;
 * - conversations are kept: they are the account's history with a phone number or address, and
 *   only erasure (./erasure.ts) removes them.
 */
import { db } from '../db/client.js'
import { conflict, isUniqueViolation, notFound } from '../errors.js'
import { Prisma } from '../generated/prisma/client.js'

export const RESTORE_DAYS = 30
const DAY_MS = 86_400_000

export type DeletableKind = 'customer' | 'project' | 'lead' | 'quote' | 'appointment'

export const DELETED_REASON = 'Cancelled: its recipient record was deleted'

/** What one delete did, beside stamping the record. */
export interface Cascade {
  projects: number
  quotes: number
  appointments: number
  communicationsCancelled: number
  conversationsKept: number
}

export interface Deletion {
  kind: DeletableKind
  id: string
  deletedAt: Date
  restorableUntil: Date
  cascade: Cascade
}

export interface Restoration {
  kind: DeletableKind
  id: string
  cascade: Pick<Cascade, 'projects' | 'quotes' | 'appointments'>
}

const label: Record<DeletableKind, string> = {
  customer: 'Customer',
  project: 'Project',
  lead: 'Lead',
  quote: 'Quote',
  appointment: 'Appointment',
}

type Tx = Prisma.TransactionClient

/** Stamps the record (only if it is not deleted already: deleting twice is a 404). */
async function stamp(tx: Tx, kind: DeletableKind, accountId: string, id: string, at: Date): Promise<boolean> {
  const where = { id, accountId }
  const data = { deletedAt: at }
  const { count } = await {
    customer: () => tx.customer.updateMany({ where, data }),
    project: () => tx.project.updateMany({ where, data }),
    lead: () => tx.lead.updateMany({ where, data }),
    quote: () => tx.quote.updateMany({ where, data }),
    appointment: () => tx.appointment.updateMany({ where, data }),
  }[kind]()
  return count > 0
}

async function cancelPending(tx: Tx, accountId: string, to: Prisma.CommunicationWhereInput[]): Promise<number> {
  if (to.length === 0) return 0
  const { count } = await tx.communication.updateMany({
    where: { accountId, status: { in: ['scheduled', 'queued', 'failed'] }, OR: to },
    data: { status: 'cancelled', lastError: DELETED_REASON, leaseExpiresAt: null, nextAttemptAt: null },
  })
  return count
}

const noCascade = (): Cascade => ({ projects: 0, quotes: 0, appointments: 0, communicationsCancelled: 0, conversationsKept: 0 })

/** Deletes one record of the account and what goes with it; a missing or deleted id is a 404. */
export async function deleteRecord(kind: DeletableKind, accountId: string, id: string, now = new Date()): Promise<Deletion> {
  const at = now
  const cascade = await db.$transaction(async (tx) => {
    if (!(await stamp(tx, kind, accountId, id, at))) throw notFound(`${label[kind]} not found`)
    const done = noCascade()
    if (kind === 'customer') {
      done.projects = (await tx.project.updateMany({ where: { accountId, customerId: id }, data: { deletedAt: at } })).count
      const projects = await tx.project.findMany({ where: { accountId, customerId: id, deletedAt: at }, select: { id: true } })
      done.communicationsCancelled = await cancelPending(tx, accountId, [
        { customerId: id },
        { projectId: { in: projects.map((p) => p.id) } },
      ])
      done.conversationsKept = await tx.conversation.count({ where: { accountId, customerId: id } })
    } else if (kind === 'lead') {
      done.quotes = (await tx.quote.updateMany({ where: { accountId, leadId: id }, data: { deletedAt: at } })).count
      done.appointments = (await tx.appointment.updateMany({ where: { accountId, leadId: id }, data: { deletedAt: at } })).count
      done.communicationsCancelled = await cancelPending(tx, accountId, [{ leadId: id }])
      done.conversationsKept = await tx.conversation.count({ where: { accountId, leadId: id } })
    } else if (kind === 'project') {
      done.communicationsCancelled = await cancelPending(tx, accountId, [{ projectId: id }])
    }
    return done
  })
  return { kind, id, deletedAt: at, restorableUntil: new Date(at.getTime() + RESTORE_DAYS * DAY_MS), cascade }
}

/**
 * The filter of records deleted within the restore window: restorable, and listed by the lists'
 * `deleted` argument. Naming `deletedAt` lets the soft-delete filter pass them (src/db/soft-delete.ts).
 */
export const restorable = (now = new Date()) => ({ deletedAt: { gte: new Date(now.getTime() - RESTORE_DAYS * DAY_MS) } })

/** The deleted record, if it was deleted within the restore window. */
async function deletedWithinWindow(tx: Tx, kind: DeletableKind, accountId: string, id: string, now: Date) {
  const where = { id, accountId, ...restorable(now) }
  const select = { deletedAt: true } as const
  const row = await {
    customer: () => tx.customer.findFirst({ where, select }),
    project: () => tx.project.findFirst({ where, select: { ...select, customerId: true } }),
    lead: () => tx.lead.findFirst({ where, select }),
    quote: () => tx.quote.findFirst({ where, select: { ...select, leadId: true } }),
    appointment: () => tx.appointment.findFirst({ where, select: { ...select, leadId: true } }),
  }[kind]()
  return row as { deletedAt: Date; customerId?: string; leadId?: string | null } | null
}

/**
 * Restores a record deleted less than RESTORE_DAYS days ago, with the records its delete took
 * along (same `deleted_at`). A record whose parent is still deleted cannot come back alone (409);
 * a record whose external_id was given to another one meanwhile neither.
 */
export async function restoreRecord(kind: DeletableKind, accountId: string, id: string, now = new Date()): Promise<Restoration> {
  try {
    return await db.$transaction(async (tx) => {
      const row = await deletedWithinWindow(tx, kind, accountId, id, now)
      if (!row) throw notFound(`${label[kind]} not found`)
      if (row.customerId && !(await tx.customer.count({ where: { id: row.customerId } })))
        throw conflict("The project's customer is deleted: restore the customer")
      if (row.leadId && !(await tx.lead.count({ where: { id: row.leadId } })))
        throw conflict(`The ${kind}'s lead is deleted: restore the lead`)
      const same = { accountId, deletedAt: row.deletedAt }
      const data = { deletedAt: null }
      const cascade = { projects: 0, quotes: 0, appointments: 0 }
      if (kind === 'customer') {
        await tx.customer.updateMany({ where: { id, ...same }, data })
        cascade.projects = (await tx.project.updateMany({ where: { customerId: id, ...same }, data })).count
      } else if (kind === 'lead') {
        await tx.lead.updateMany({ where: { id, ...same }, data })
        cascade.quotes = (await tx.quote.updateMany({ where: { leadId: id, ...same }, data })).count
        cascade.appointments = (await tx.appointment.updateMany({ where: { leadId: id, ...same }, data })).count
      } else if (kind === 'project') await tx.project.updateMany({ where: { id, ...same }, data })
      else if (kind === 'quote') await tx.quote.updateMany({ where: { id, ...same }, data })
      else await tx.appointment.updateMany({ where: { id, ...same }, data })
      return { kind, id, cascade }
    })
  } catch (error) {
    // A customer, project or lead restored with it holds an external_id a live record took meanwhile.
    if (isUniqueViolation(error)) throw conflict(`external_id is now used by another record: restore refused`)
    throw error
  }
}

/**
 * Hard-deletes what was deleted more than RESTORE_DAYS days before `now` (the worker's clock),
 * children first, in one statement. Rows that point at a purged record keep existing with the
 * reference cleared (communications, conversations) or go with it (a project's events).
 */
export async function purgeDeleted(now: Date, accountIds?: string[]): Promise<number> {
  const before = new Date(now.getTime() - RESTORE_DAYS * DAY_MS)
  const only = accountIds?.length ? Prisma.sql`AND account_id IN (${Prisma.join(accountIds)})` : Prisma.empty
  const purge = (table: string) => Prisma.sql`DELETE FROM ${Prisma.raw(table)} WHERE deleted_at < ${before} ${only} RETURNING 1`
  const [{ purged }] = await db.$queryRaw<{ purged: bigint | number }[]>`
    WITH a AS (${purge('appointments')}), q AS (${purge('quotes')}), p AS (${purge('projects')}),
      l AS (${purge('leads')}), c AS (${purge('customers')})
    SELECT (SELECT count(*) FROM a) + (SELECT count(*) FROM q) + (SELECT count(*) FROM p)
      + (SELECT count(*) FROM l) + (SELECT count(*) FROM c) AS purged`
  return Number(purged)
}
