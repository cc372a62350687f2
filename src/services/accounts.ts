import { generateAccessCode, sha256 } from '../crypto.js'
import { db } from '../db/client.js'
import type { Prisma } from '../generated/prisma/client.js'
import { defaultTemplateRows } from './automations/templates.js'

const BOOTSTRAP_LOCK = 72_707_370 // arbitrary, fixed advisory-lock key

/**
 * Creates an account with the default template library (one statement, so never one without the
 * other); the access code is returned here and never again (only its hash is kept).
 */
export async function createAccount(name: string, accessCode = generateAccessCode(), tx: Prisma.TransactionClient = db) {
  const account = await tx.account.create({
    data: { name, accessCodeHash: sha256(accessCode), templates: { createMany: { data: defaultTemplateRows() } } },
  })
  return { account, accessCode }
}

/**
 * First start against an empty database: one account named "Default", whose access code is
 * BOOTSTRAP_ACCESS_CODE when set. Returns it with its code to print, or null when accounts
 * exist. The advisory lock keeps two processes starting together from creating two.
 */
export function bootstrapDefaultAccount(bootstrapCode?: string) {
  return db.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${BOOTSTRAP_LOCK})`
    if ((await tx.account.count()) > 0) return null
    return createAccount('Default', bootstrapCode, tx)
  })
}
