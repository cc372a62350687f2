/**
 * Delete, restore and erase, for every record that has them (src/services/deletes.ts,
 * src/services/erasure.ts): `deleteCustomer`, `restoreCustomer`, `eraseCustomer`, and the same for
 * projects, leads, quotes and appointments (erase: customers and leads only). A delete answers
 * the record as deleted (with `deletedAt`) and what went with it.
 */
import type { Scope } from '../context/principal.js'
import { db } from '../db/client.js'
import {
  type Cascade,
  type DeletableKind,
  type Deletion,
  deleteRecord,
  RESTORE_DAYS,
  type Restoration,
  restoreRecord,
} from '../services/deletes.js'
import { type ErasableKind, type Erasure, eraseSubject } from '../services/erasure.js'
import { builder } from './builder.js'
import { accountOf } from './tenancy.js'

const DeletionCascade = builder.objectRef<Cascade>('DeletionCascade').implement({
  description: 'What a delete took with it; the same `deletedAt` marks them, and a restore brings them back',
  fields: (t) => ({
    projects: t.exposeInt('projects', { description: "The customer's projects, deleted with it" }),
    quotes: t.exposeInt('quotes', { description: "The lead's quotes, deleted with it" }),
    appointments: t.exposeInt('appointments', { description: "The lead's appointments, deleted with it" }),
    communicationsCancelled: t.exposeInt('communicationsCancelled', {
      description: 'Pending messages (scheduled, queued, awaiting a retry) to the deleted records, cancelled for good',
    }),
    conversationsKept: t.exposeInt('conversationsKept', { description: 'Conversations kept as they are (erasure removes them)' }),
  }),
})

const RestorationCascade = builder.objectRef<Restoration['cascade']>('RestorationCascade').implement({
  description: 'The records restored with it (those its delete took along)',
  fields: (t) => ({
    projects: t.exposeInt('projects', { description: "The customer's projects, restored with it" }),
    quotes: t.exposeInt('quotes', { description: "The lead's quotes, restored with it" }),
    appointments: t.exposeInt('appointments', { description: "The lead's appointments, restored with it" }),
  }),
})

const ErasedRows = builder.objectRef<Erasure['erased'][number]>('ErasedRows').implement({
  description: 'Rows removed from one place the personal data was copied to',
  fields: (t) => ({
    place: t.exposeString('place', { description: 'The table the data was in, e.g. conversations' }),
    rows: t.exposeInt('rows', { description: 'How many rows were removed there' }),
  }),
})

const ErasureType = builder.objectRef<Erasure>('Erasure').implement({
  description: 'What an erasure removed, place by place; irreversible',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The id of the erased record' }),
    erased: t.field({ type: [ErasedRows], description: 'The rows removed, one entry per place', resolve: (e) => e.erased }),
  }),
})

type Model = 'Customer' | 'Project' | 'Lead' | 'Quote' | 'Appointment'

interface Deletable {
  kind: DeletableKind
  model: Model
  scope: Scope
  erasable?: boolean
}

const DELETABLE: Deletable[] = [
  { kind: 'customer', model: 'Customer', scope: 'write:hub', erasable: true },
  { kind: 'project', model: 'Project', scope: 'write:hub' },
  { kind: 'lead', model: 'Lead', scope: 'leads:write', erasable: true },
  { kind: 'quote', model: 'Quote', scope: 'leads:write' },
  { kind: 'appointment', model: 'Appointment', scope: 'leads:write' },
]

type Finder = { findFirst(args: object): Promise<unknown> }
const delegates: Record<DeletableKind, () => Finder> = {
  customer: () => db.customer,
  project: () => db.project,
  lead: () => db.lead,
  quote: () => db.quote,
  appointment: () => db.appointment,
}

for (const { kind, model, scope, erasable } of DELETABLE) {
  const DeletionType = builder.objectRef<Deletion>(`${model}Deletion`).implement({
    description: `A deleted ${kind}: hidden everywhere, restorable until \`restorableUntil\`, purged after`,
    fields: (t) => ({
      [kind]: t.prismaField({
        type: model as never,
        description: `The ${kind} as deleted`,
        // Names deletedAt, so the soft-delete filter lets the deleted row through (src/db/soft-delete.ts).
        resolve: (query, d) => delegates[kind]().findFirst({ ...query, where: { id: d.id, deletedAt: d.deletedAt } }) as never,
      }),
      deletedAt: t.expose('deletedAt', { type: 'DateTime', description: 'When it was deleted' }),
      restorableUntil: t.expose('restorableUntil', {
        type: 'DateTime',
        description: `Until when restore${model} brings it back; it is purged after`,
      }),
      cascade: t.field({ type: DeletionCascade, description: 'What the delete took with it', resolve: (d) => d.cascade }),
    }),
  })
  const RestorationType = builder.objectRef<Restoration>(`${model}Restoration`).implement({
    description: `A restored ${kind}, visible again with what its delete took along`,
    fields: (t) => ({
      [kind]: t.prismaField({
        type: model as never,
        description: `The ${kind} as restored`,
        resolve: (query, r) => delegates[kind]().findFirst({ ...query, where: { id: r.id } }) as never,
      }),
      cascade: t.field({ type: RestorationCascade, description: 'The records restored with it', resolve: (r) => r.cascade }),
    }),
  })
  builder.mutationFields((t) => ({
    [`delete${model}`]: t.field({
      type: DeletionType,
      description: `Deletes a ${kind} (restorable for ${RESTORE_DAYS} days, then purged); a missing or already deleted id is NOT_FOUND`,
      authScopes: { scope },
      args: { id: t.arg.id({ required: true, description: `The id of the ${kind} to delete` }) },
      resolve: (_root, args, ctx) => deleteRecord(kind, accountOf(ctx), String(args.id)),
    }),
    [`restore${model}`]: t.field({
      type: RestorationType,
      description: `Restores a ${kind} deleted less than ${RESTORE_DAYS} days ago, with what its delete took along`,
      authScopes: { scope },
      args: { id: t.arg.id({ required: true, description: `The id of the deleted ${kind}` }) },
      resolve: (_root, args, ctx) => restoreRecord(kind, accountOf(ctx), String(args.id)),
    }),
    ...(erasable
      ? {
          [`erase${model}`]: t.field({
            type: ErasureType,
            description: `Erases a ${kind}'s personal data everywhere it was copied (irreversible); deleted ones included`,
            authScopes: { scope },
            args: { id: t.arg.id({ required: true, description: `The id of the ${kind} to erase` }) },
            resolve: (_root, args, ctx) => eraseSubject(kind as ErasableKind, accountOf(ctx), String(args.id)),
          }),
        }
      : {}),
  }))
}
