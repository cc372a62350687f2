/**
 * Audit entries the application writes itself, for what is not a row change a trigger sees (an
 * erasure as one act). They carry the same actor, address and request id as the triggers' entries
 * and the change feed: the request's scope (src/db/tenancy.ts), read once here.
 */

import { tenantScope } from '../db/tenancy.js'
import type { Prisma } from '../generated/prisma/client.js'

type Writer = { auditEntry: { create(args: { data: Prisma.AuditEntryUncheckedCreateInput; select: { id: true } }): Promise<unknown> } }

export async function recordAudit(
  tx: Writer,
  entry: { accountId: string; action: string; objectType: string; objectId?: string; changes?: Prisma.InputJsonValue },
): Promise<void> {
  const scope = tenantScope.getStore()
  await tx.auditEntry.create({
    data: { ...entry, actor: scope?.actor ?? 'system', address: scope?.clientIp ?? null, requestId: scope?.requestId ?? null },
    select: { id: true },
  })
}
