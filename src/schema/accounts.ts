/**
 * Accounts (tenants) and the operator's admin operations, behind ADMIN_TOKEN. `viewer` answers
 * which account the caller acts for.
 */

import { z } from 'zod'
import { generateAccessCode, sha256 } from '../crypto.js'
import { db } from '../db/client.js'
import { badRequest, notFound } from '../errors.js'
import { createAccount } from '../services/accounts.js'
import { builder } from './builder.js'
import { inputType } from './inputs.js'
import { accountOf } from './tenancy.js'

export const Account = builder.prismaObject('Account', {
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    smsCredits: t.exposeInt('smsCredits'),
    autoDispatch: t.exposeBoolean('autoDispatch'),
    timeZone: t.exposeString('timeZone'),
    sendingWindowStart: t.exposeString('sendingWindowStart', { nullable: true }),
    sendingWindowEnd: t.exposeString('sendingWindowEnd', { nullable: true }),
    testMode: t.exposeBoolean('testMode'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
})

const AccessCodeResult = builder.objectRef<{ accessCode: string }>('AccessCodeResult').implement({
  fields: (t) => ({ accessCode: t.exposeString('accessCode', { description: 'Shown only here; only its hash is stored' }) }),
})

const CreateAccountResult = builder.objectRef<{ accessCode: string; accountId: string }>('CreateAccountResult').implement({
  fields: (t) => ({
    accessCode: t.exposeString('accessCode', { description: 'Shown only here; only its hash is stored' }),
    account: t.prismaField({
      type: 'Account',
      resolve: (query, result) => db.account.findUniqueOrThrow({ ...query, where: { id: result.accountId } }),
    }),
  }),
})

const GrantResult = builder.objectRef<{ accountId: string }>('GrantSmsCreditsResult').implement({
  fields: (t) => ({
    account: t.prismaField({
      type: 'Account',
      resolve: (query, result) => db.account.findUniqueOrThrow({ ...query, where: { id: result.accountId } }),
    }),
  }),
})

const MAX_NAME = 200

const CreateAccountInput = inputType(
  'CreateAccountInput',
  z.object({
    name: z
      .string()
      .trim()
      .min(1, `must be 1 to ${MAX_NAME} characters`)
      .max(MAX_NAME, `must be 1 to ${MAX_NAME} characters`)
      .describe('The business name'),
  }),
)
const MAX_GRANT = 1_000_000

builder.queryFields((t) => ({
  viewer: t.prismaField({
    type: 'Account',
    description: 'The account the caller acts for (API key or portal session)',
    authScopes: { account: true },
    resolve: (query, _root, _args, ctx) => db.account.findUniqueOrThrow({ ...query, where: { id: accountOf(ctx) } }),
  }),
  accounts: t.prismaField({
    type: ['Account'],
    authScopes: { admin: true },
    resolve: (query) => db.account.findMany({ ...query, orderBy: { createdAt: 'asc' } }),
  }),
}))

builder.mutationFields((t) => ({
  createAccount: t.field({
    type: CreateAccountResult,
    authScopes: { admin: true },
    args: { input: t.arg({ type: CreateAccountInput, required: true }) },
    resolve: async (_root, { input }) => {
      const { account, accessCode } = await createAccount(input.name)
      return { accessCode, accountId: account.id }
    },
  }),
  rotateAccessCode: t.field({
    type: AccessCodeResult,
    authScopes: { admin: true },
    args: { accountId: t.arg.id({ required: true }) },
    resolve: async (_root, { accountId }) => {
      const accessCode = generateAccessCode()
      const { count } = await db.account.updateMany({ where: { id: String(accountId) }, data: { accessCodeHash: sha256(accessCode) } })
      if (count === 0) throw notFound('Account not found')
      // A new code ends every portal session opened with the old one.
      await db.portalSession.updateMany({ where: { accountId: String(accountId), endedAt: null }, data: { endedAt: new Date() } })
      return { accessCode }
    },
  }),
  grantSmsCredits: t.field({
    type: GrantResult,
    authScopes: { admin: true },
    args: { accountId: t.arg.id({ required: true }), amount: t.arg.int({ required: true }) },
    resolve: async (_root, { accountId, amount }) => {
      if (amount < 1 || amount > MAX_GRANT) throw badRequest(`amount must be between 1 and ${MAX_GRANT}`)
      const { count } = await db.account.updateMany({ where: { id: String(accountId) }, data: { smsCredits: { increment: amount } } })
      if (count === 0) throw notFound('Account not found')
      return { accountId: String(accountId) }
    },
  }),
}))
