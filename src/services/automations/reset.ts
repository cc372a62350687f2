/**
 * Resetting templates to the default library. Templates are never deleted (sent messages point
 * at them), so a reset rewrites the account's templates in place: each library entry takes back
 * the template that still carries its name, otherwise the oldest unclaimed template of its event
 * type and channel; a library entry with no template left is created again, and templates the
 * account added beyond the library are deactivated.
 */
import { db } from '../../db/client.js'
import type { Channel } from '../../generated/prisma/enums.js'
import { defaultTemplateRows } from './templates.js'

export interface ResetScope {
  eventType?: string
  channel?: Channel
  /** Only this template (it must belong to the account): reset to its library entry. */
  templateId?: string
}

type Row = ReturnType<typeof defaultTemplateRows>[number]
const groupKey = (t: { eventType: string; channel: Channel }) => `${t.eventType}/${t.channel}`

/** Pairs library rows with the account's templates of one event type and channel (see above). */
function pair(library: Row[], templates: { id: string; name: string }[]) {
  const unclaimed = [...templates]
  const pairs: { row: Row; id: string | null }[] = library.map((row) => {
    const index = unclaimed.findIndex((t) => t.name === row.name)
    return { row, id: index >= 0 ? unclaimed.splice(index, 1)[0].id : null }
  })
  for (const p of pairs) if (p.id === null && unclaimed.length > 0) p.id = unclaimed.shift()?.id ?? null
  return { pairs, extras: unclaimed.map((t) => t.id) }
}

/**
 * Resets the scope's templates; returns the ids of the templates it touched (reset, created or
 * deactivated), or null when `templateId` names no template of the account. A template the
 * account added beyond the library, reset on its own, is deactivated.
 */
export function resetTemplates(accountId: string, scope: ResetScope): Promise<string[] | null> {
  return db.$transaction(async (tx) => {
    let { eventType, channel } = scope
    if (scope.templateId) {
      const one = await tx.template.findFirst({ where: { id: scope.templateId, accountId }, select: { eventType: true, channel: true } })
      if (!one) return null
      ;({ eventType, channel } = one)
    }
    const where = { accountId, ...(eventType ? { eventType } : {}), ...(channel ? { channel } : {}) }
    const current = await tx.template.findMany({
      where,
      select: { id: true, name: true, eventType: true, channel: true },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    })
    const library = defaultTemplateRows().filter(
      (row) => (!eventType || row.eventType === eventType) && (!channel || row.channel === channel),
    )
    const groups = new Set([...library.map(groupKey), ...current.map(groupKey)])
    const touched: string[] = []
    for (const key of groups) {
      const { pairs, extras } = pair(
        library.filter((row) => groupKey(row) === key),
        current.filter((t) => groupKey(t) === key),
      )
      for (const { row, id } of pairs) {
        if (scope.templateId && id !== scope.templateId) continue
        const fields = { name: row.name, subject: row.subject, body: row.body, delayMinutes: row.delayMinutes, active: true }
        const data = { ...fields, unknownPlaceholders: row.unknownPlaceholders }
        if (id) await tx.template.update({ where: { id }, data })
        else touched.push((await tx.template.create({ data: { ...row, accountId }, select: { id: true } })).id)
        if (id) touched.push(id)
      }
      const deactivate = scope.templateId ? extras.filter((id) => id === scope.templateId) : extras
      if (deactivate.length > 0) await tx.template.updateMany({ where: { id: { in: deactivate } }, data: { active: false } })
      touched.push(...deactivate)
    }
    return touched
  })
}
