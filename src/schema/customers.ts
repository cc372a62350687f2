/**
 * Customers of an account: read by id, listed (search, external_id), and upserted by `id` or
 * `external_id` (the hub's POST /customers).
 */
import { z } from 'zod'
import { db } from '../db/client.js'
import { notFound } from '../errors.js'
import type { Prisma } from '../generated/prisma/client.js'
import { builder } from './builder.js'
import { insertOrLock, ownExternalId } from './external-ids.js'
import { definedOnly, inputType } from './inputs.js'
import { connectionType, resourceQueries } from './lists.js'
import { pageType } from './paging.js'
import { email, id, jsonObject, phone, text } from './rules.js'
import { searchFilter } from './search.js'
import { listSort } from './sorting.js'
import { accountOf } from './tenancy.js'

export const newestFirst = [{ createdAt: 'desc' as const }, { id: 'desc' as const }]

export const Customer = builder.prismaObject('Customer', {
  fields: (t) => ({
    id: t.exposeID('id'),
    externalId: t.exposeString('externalId', { nullable: true }),
    name: t.exposeString('name', { nullable: true }),
    firstName: t.exposeString('firstName', { nullable: true }),
    lastName: t.exposeString('lastName', { nullable: true }),
    email: t.exposeString('email', { nullable: true }),
    phone: t.exposeString('phone', { nullable: true, description: 'E.164' }),
    address: t.exposeString('address', { nullable: true }),
    metadata: t.expose('metadata', { type: 'JSON' }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
    deletedAt: t.expose('deletedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'Set only in the answer of a delete: deleted records are never listed',
    }),
  }),
})

const CustomerPage = pageType('Customer', () => db.customer)

/** A customer write: `id` updates that customer; `externalId` updates or creates by the caller's own id. */
export const customerRules = z
  .object({
    id: id.optional().describe('Update the customer with this id'),
    externalId: text(200).nullish().describe("Your system's id for the customer: updates it, or creates it when new"),
    name: text(200).nullish().describe('Full name; defaults to first and last name joined'),
    firstName: text(100).nullish(),
    lastName: text(100).nullish(),
    email: email.nullish(),
    phone: phone.nullish().describe('E.164, e.g. +15555550100'),
    address: text(500).nullish(),
    metadata: jsonObject.nullish().describe('Free-form JSON object, stored as given'),
  })
  .describe('Give `id` to update that customer, or `externalId` to update or create by your own id')

/** Which fields identify the customer a write is for. */
export const customerIdentity = [['id'], ['externalId']] as const

const CustomerInput = inputType('CustomerInput', customerRules, {
  checks: [{ check: (input) => Boolean(input.id || input.externalId), message: 'id or external_id is required' }],
})

const CustomerUpsert = builder.objectRef<{ created: boolean; id: string }>('CustomerUpsert').implement({
  fields: (t) => ({
    created: t.exposeBoolean('created', { description: 'true when the customer was created, false when updated' }),
    customer: t.prismaField({ type: 'Customer', resolve: (query, r) => db.customer.findUniqueOrThrow({ ...query, where: { id: r.id } }) }),
  }),
})

function customerFilter(accountId: string, args: { search?: string | null; externalId?: string | null }): Prisma.CustomerWhereInput {
  return {
    accountId,
    ...(args.externalId ? { externalId: args.externalId } : {}),
    ...searchFilter(args.search),
  }
}

type Input = typeof CustomerInput.$inferInput

/** The fields given (absent ones stay unchanged; null clears, except metadata, which stays an object). */
function customerData(input: Input) {
  const { id: _id, metadata, ...fields } = input
  return definedOnly({ ...fields, metadata: (metadata ?? undefined) as Prisma.InputJsonObject | undefined })
}

async function upsertCustomer(accountId: string, input: Input): Promise<{ created: boolean; id: string }> {
  const data = customerData(input)
  if (input.id) {
    const { count } = await ownExternalId('customer', () => db.customer.updateMany({ where: { id: String(input.id), accountId }, data }))
    if (count === 0) throw notFound('Customer not found')
    return { created: false, id: String(input.id) }
  }
  const externalId = input.externalId! // the input's rule requires id or externalId
  // A customer given only first and last names is still found by a name search.
  const name = data.name ?? ([data.firstName, data.lastName].filter(Boolean).join(' ') || null)
  return db.$transaction(async (tx) => {
    const insert = async () =>
      (
        await tx.customer.createManyAndReturn({
          data: [{ ...data, name, accountId, externalId }],
          skipDuplicates: true,
          select: { id: true },
        })
      )[0]
    const found = await insertOrLock(tx, 'customers', accountId, externalId, insert)
    if (found.inserted) return { created: true, id: found.inserted.id }
    const id = found.existingId! // an insert was possible, so a row was inserted or found
    await tx.customer.update({ where: { id }, data })
    return { created: false, id }
  })
}

export const customerSort = listSort('Customer', ['createdAt', 'updatedAt'])

resourceQueries({
  model: 'Customer',
  sort: customerSort,
  delegate: () => db.customer,
  names: { one: 'customer', many: 'customers', page: 'customerPage' },
  description: 'Customers, newest first',
  scope: 'read:hub',
  connection: connectionType('Customer', Customer),
  page: CustomerPage,
  args: (t) => ({
    search: t.arg.string({ description: 'Case-insensitive substring of name, email or phone' }),
    externalId: t.arg.string({ description: "Your system's id for the customer" }),
  }),
  where: customerFilter,
})

builder.mutationFields((t) => ({
  upsertCustomer: t.field({
    type: CustomerUpsert,
    authScopes: { scope: 'write:hub' },
    args: { input: t.arg({ type: CustomerInput, required: true }) },
    resolve: (_root, { input }, ctx) => upsertCustomer(accountOf(ctx), input),
  }),
}))
