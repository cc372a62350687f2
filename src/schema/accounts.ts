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
import { endAccessCodeSessions } from './portal.js'
import { accountOf } from './tenancy.js'

export const Account = builder.prismaObject('Account', {
  description: 'A business using the CRM (a tenant): every record belongs to exactly one account',
  fields: (t) => ({
    id: t.exposeID('id', { description: "The account's id" }),
    name: t.exposeString('name', { description: 'The business name' }),
    smsCredits: t.exposeInt('smsCredits', { description: 'SMS messages the account may still send; each sent SMS uses one' }),
    autoDispatch: t.exposeBoolean('autoDispatch', { description: 'Whether the background worker sends messages when they fall due' }),
    timeZone: t.exposeString('timeZone', { description: 'IANA time zone of the sending window, e.g. America/Chicago' }),
    sendingWindowStart: t.exposeString('sendingWindowStart', {
      nullable: true,
      description: '"HH:MM" (24 h) in the time zone when sending opens; null (with the end) means no quiet hours',
    }),
    sendingWindowEnd: t.exposeString('sendingWindowEnd', {
      nullable: true,
      description: '"HH:MM" (24 h) when sending closes; before the start means the window crosses midnight',
    }),
    testMode: t.exposeBoolean('testMode', { description: 'Whether messages are marked sent without reaching a provider' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the account was created' }),
  }),
})

const AccessCodeResult = builder.objectRef<{ accessCode: string }>('AccessCodeResult').implement({
  description: "An account's new portal access code",
  fields: (t) => ({ accessCode: t.exposeString('accessCode', { description: 'Shown only here; only its hash is stored' }) }),
})

const CreateAccountResult = builder.objectRef<{ accessCode: string; accountId: string }>('CreateAccountResult').implement({
  description: 'A new account and its portal access code',
  fields: (t) => ({
    accessCode: t.exposeString('accessCode', { description: 'Shown only here; only its hash is stored' }),
    account: t.prismaField({
      type: 'Account',
      description: 'The account created',
      resolve: (query, result) => db.account.findUniqueOrThrow({ ...query, where: { id: result.accountId } }),
    }),
  }),
})

const GrantResult = builder.objectRef<{ accountId: string }>('GrantSmsCreditsResult').implement({
  description: 'The account after a grant of SMS credits',
  fields: (t) => ({
    account: t.prismaField({
      type: 'Account',
      description: 'The account, with its new smsCredits',
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
  { description: 'A new account' },
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
    description: 'Every account, oldest first (ADMIN_TOKEN only)',
    authScopes: { admin: true },
    resolve: (query) => db.account.findMany({ ...query, orderBy: { createdAt: 'asc' } }),
  }),
}))

builder.mutationFields((t) => ({
  createAccount: t.field({
    type: CreateAccountResult,
    description: 'Creates an account and its portal access code (ADMIN_TOKEN only)',
    authScopes: { admin: true },
    args: { input: t.arg({ type: CreateAccountInput, required: true, description: 'The new account' }) },
    resolve: async (_root, { input }) => {
      const { account, accessCode } = await createAccount(input.name)
      return { accessCode, accountId: account.id }
    },
  }),
  rotateAccessCode: t.field({
    type: AccessCodeResult,
    description: "Replaces an account's portal access code, ending the sessions opened with the old one (ADMIN_TOKEN only)",
    authScopes: { admin: true },
    args: { accountId: t.arg.id({ required: true, description: 'The account whose code to replace' }) },
    resolve: async (_root, { accountId }) => {
      const accessCode = generateAccessCode()
      const { count } = await db.account.updateMany({ where: { id: String(accountId) }, data: { accessCodeHash: sha256(accessCode) } })
      if (count === 0) throw notFound('Account not found')
      await endAccessCodeSessions(String(accountId))
      return { accessCode }
    },
  }),
  grantSmsCredits: t.field({
    type: GrantResult,
    description: "Adds SMS credits to an account's balance (ADMIN_TOKEN only)",
    authScopes: { admin: true },
    args: {
      accountId: t.arg.id({ required: true, description: 'The account to credit' }),
      amount: t.arg.int({ required: true, description: `How many credits to add, 1 to ${MAX_GRANT}` }),
    },
    resolve: async (_root, { accountId, amount }) => {
      if (amount < 1 || amount > MAX_GRANT) throw badRequest(`amount must be between 1 and ${MAX_GRANT}`)
      const { count } = await db.account.updateMany({ where: { id: String(accountId) }, data: { smsCredits: { increment: amount } } })
      if (count === 0) throw notFound('Account not found')
      return { accountId: String(accountId) }
    },
  }),
}))
