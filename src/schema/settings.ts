/**
 * Account settings (shared spec operator.md): automatic delivery, time zone, sending window
 * (quiet hours) and test mode. The background worker (services/worker/) reads them on every
 * pass, so a change applies to the next message that falls due.
 */
import { z } from 'zod'
import { db } from '../db/client.js'
import { badRequest, notFound } from '../errors.js'
import { builder } from './builder.js'
import { inputType } from './inputs.js'

const HH_MM = /^([01]\d|2[0-3]):[0-5]\d$/
const windowBound = z.string().trim().regex(HH_MM, 'must be a 24-hour time "HH:MM", e.g. 08:00')

/** The canonical IANA name (`america/chicago` → `America/Chicago`), or a 400. */
export function canonicalTimeZone(value: string): string {
  const name = value.trim()
  if (!name || name.length > 64) throw badRequest('timeZone must be an IANA time zone such as America/Chicago')
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone
  } catch {
    throw badRequest(`timeZone "${name}" is not an IANA time zone such as America/Chicago`)
  }
}

const settingsRules = z
  .object({
    autoDispatch: z.boolean().nullish().describe('The background worker sends messages when they fall due'),
    timeZone: z.string().transform(canonicalTimeZone).nullish().describe('IANA time zone of the sending window, e.g. America/Chicago'),
    sendingWindowStart: windowBound.nullish().describe('"HH:MM" (24 h) in the time zone; messages wait for the window to open'),
    sendingWindowEnd: windowBound.nullish().describe('"HH:MM" (24 h); before start means the window crosses midnight'),
    testMode: z.boolean().nullish().describe('Messages are marked sent without reaching a provider'),
  })
  .describe('Absent fields keep their value; a null window bound clears it (both bounds or neither)')

const AccountSettingsInput = inputType('AccountSettingsInput', settingsRules)

type Input = typeof AccountSettingsInput.$inferInput

async function updateSettings(accountId: string, input: Input) {
  const start = input.sendingWindowStart
  const end = input.sendingWindowEnd
  const timeZone = input.timeZone ?? undefined
  // Row-locked so two partial updates of the window cannot combine into a half-set one.
  await db.$transaction(async (tx) => {
    const rows = await tx.$queryRaw<{ start: string | null; end: string | null }[]>`
      SELECT sending_window_start AS start, sending_window_end AS "end" FROM accounts WHERE id = ${accountId} FOR UPDATE`
    if (rows.length === 0) throw notFound('Account not found')
    const finalStart = start === undefined ? rows[0].start : start
    const finalEnd = end === undefined ? rows[0].end : end
    if ((finalStart === null) !== (finalEnd === null))
      throw badRequest('sendingWindowStart and sendingWindowEnd must be set together (or both null)')
    if (finalStart !== null && finalStart === finalEnd) throw badRequest('sendingWindowStart and sendingWindowEnd must differ')
    await tx.account.update({
      where: { id: accountId },
      data: {
        ...(input.autoDispatch != null ? { autoDispatch: input.autoDispatch } : {}),
        ...(input.testMode != null ? { testMode: input.testMode } : {}),
        ...(timeZone ? { timeZone } : {}),
        ...(start !== undefined ? { sendingWindowStart: start } : {}),
        ...(end !== undefined ? { sendingWindowEnd: end } : {}),
      },
    })
  })
}

builder.mutationFields((t) => ({
  updateAccountSettings: t.prismaField({
    type: 'Account',
    description: "Changes the caller's account settings (a portal session), or any account's with the admin token and accountId",
    authScopes: { power: 'manage:settings', admin: true },
    args: {
      input: t.arg({ type: AccountSettingsInput, required: true, description: 'The settings to change' }),
      accountId: t.arg.id({ description: 'Admin token only: the account to change; a portal session always changes its own' }),
    },
    resolve: async (query, _root, args, ctx) => {
      const accountId = ctx.principal.kind === 'admin' ? (args.accountId ? String(args.accountId) : null) : ctx.accountId
      if (!accountId) throw badRequest('accountId is required with the admin token')
      await updateSettings(accountId, args.input)
      return db.account.findUniqueOrThrow({ ...query, where: { id: accountId } })
    },
  }),
}))
