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
import { Node, nodeType } from './nodes.js'
import { pageType } from './paging.js'
import { email, id, jsonObject, phone, text } from './rules.js'
import { searchFilter } from './search.js'
import { listSort } from './sorting.js'
import { accountOf } from './tenancy.js'

nodeType('Customer', 'customers', 'read:hub')

export const Customer = builder.prismaObject('Customer', {
  description: 'A person or business the account works for: owner of projects, recipient of messages',
  interfaces: [Node],
  fields: (t) => ({
    id: t.exposeID('id', { description: "The customer's id" }),
    externalId: t.exposeString('externalId', { nullable: true, description: "Your system's id for the customer; null when not given" }),
    name: t.exposeString('name', { nullable: true, description: 'Full name; null when not known' }),
    firstName: t.exposeString('firstName', { nullable: true, description: 'First name; null when not known' }),
    lastName: t.exposeString('lastName', { nullable: true, description: 'Last name; null when not known' }),
    email: t.exposeString('email', { nullable: true, description: 'Email address; null when not known' }),
    phone: t.exposeString('phone', { nullable: true, description: 'E.164' }),
    address: t.exposeString('address', { nullable: true, description: 'Postal address, one free-text line; null when not known' }),
    metadata: t.expose('metadata', { type: 'JSON', description: 'Free-form JSON object, stored as given' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the customer was created' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'When the customer last changed' }),
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
    firstName: text(100).nullish().describe('First name'),
    lastName: text(100).nullish().describe('Last name'),
    email: email.nullish().describe('Email address'),
    phone: phone.nullish().describe('E.164, e.g. +15555550100'),
    address: text(500).nullish().describe('Postal address, one free-text line'),
    metadata: jsonObject.nullish().describe('Free-form JSON object, stored as given'),
  })
  .describe('Give `id` to update that customer, or `externalId` to update or create by your own id')

/** Which fields identify the customer a write is for. */
export const customerIdentity = [['id'], ['externalId']] as const

const CustomerInput = inputType('CustomerInput', customerRules, {
  checks: [{ check: (input) => Boolean(input.id || input.externalId), message: 'id or external_id is required' }],
})

const CustomerUpsert = builder.objectRef<{ created: boolean; id: string }>('CustomerUpsert').implement({
  description: 'A customer written by upsertCustomer, and whether it is new',
  fields: (t) => ({
    created: t.exposeBoolean('created', { description: 'true when the customer was created, false when updated' }),
    customer: t.prismaField({
      type: 'Customer',
      description: 'The customer as written',
      resolve: (query, r) => db.customer.findUniqueOrThrow({ ...query, where: { id: r.id } }),
    }),
  }),
})

export function customerFilter(accountId: string, args: { search?: string | null; externalId?: string | null }): Prisma.CustomerWhereInput {
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

export async function upsertCustomer(accountId: string, input: Input): Promise<{ created: boolean; id: string }> {
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
  deletable: true,
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
    description: 'Creates a customer, or updates the one with the id or externalId given (needs write:hub)',
    authScopes: { scope: 'write:hub' },
    args: { input: t.arg({ type: CustomerInput, required: true, description: 'The customer to write' }) },
    resolve: (_root, { input }, ctx) => upsertCustomer(accountOf(ctx), input),
  }),
}))
