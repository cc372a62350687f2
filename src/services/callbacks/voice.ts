/**
 * Vapi's `end-of-call-report`: the call becomes a closed `voice` conversation (found by Vapi's
 * call id, created when new) with its transcript entries, summary, recording URL and end time,
 * served by /v1/conversations/{id}/transcript. A repeated report replaces the transcript with
 * the same entries, so applying it twice leaves one copy.
 */
import { z } from 'zod'
import { db } from '../../db/client.js'
import type { Prisma } from '../../generated/prisma/client.js'

const MAX_ENTRIES = 10_000
const text = z.string().max(1_000_000)
const when = z.union([z.string(), z.number()]).nullish()

const VapiMessage = z.object({
  role: z.string(),
  message: z.string().nullish(),
  content: z.string().nullish(),
  time: z.number().nullish(),
  secondsFromStart: z.number().nullish(),
})

/** The fields we read; Vapi sends many more (and moved some under `artifact`/`analysis`). */
export const EndOfCallReport = z.object({
  type: z.literal('end-of-call-report'),
  call: z.object({
    id: z.string().min(1).max(200),
    customer: z.object({ number: z.string().max(50).nullish(), name: z.string().nullish() }).nullish(),
    metadata: z.record(z.string(), z.unknown()).nullish(),
    startedAt: when,
  }),
  endedReason: z.string().max(200).nullish(),
  transcript: text.nullish(),
  summary: text.nullish(),
  recordingUrl: z.string().max(2000).nullish(),
  startedAt: when,
  endedAt: when,
  messages: z.array(z.unknown()).nullish(),
  artifact: z
    .object({ transcript: text.nullish(), recordingUrl: z.string().max(2000).nullish(), messages: z.array(z.unknown()).nullish() })
    .nullish(),
  analysis: z.object({ summary: text.nullish() }).nullish(),
})
export type EndOfCallReport = z.infer<typeof EndOfCallReport>

const SPEAKERS: Record<string, string> = {
  user: 'Customer',
  customer: 'Customer',
  assistant: 'AI',
  bot: 'AI',
  agent: 'Agent',
  human: 'Agent',
}

function date(value: string | number | null | undefined): Date | null {
  if (value === null || value === undefined) return null
  const parsed = new Date(value)
  return Number.isNaN(parsed.getTime()) ? null : parsed
}

interface Entry {
  speaker: string
  text: string
  at: Date
}

/** Spoken turns from `messages` (system prompts and tool calls left out), else the text transcript. */
export function transcriptEntries(report: EndOfCallReport, startedAt: Date): Entry[] {
  const raw = report.messages ?? report.artifact?.messages ?? []
  const entries: Entry[] = []
  for (const item of raw) {
    const parsed = VapiMessage.safeParse(item)
    if (!parsed.success) continue
    const speaker = SPEAKERS[parsed.data.role]
    const said = (parsed.data.message ?? parsed.data.content ?? '').trim()
    if (!speaker || !said) continue
    const at = parsed.data.time ? new Date(parsed.data.time) : new Date(startedAt.getTime() + (parsed.data.secondsFromStart ?? 0) * 1000)
    entries.push({ speaker, text: said, at: Number.isNaN(at.getTime()) ? startedAt : at })
  }
  if (entries.length > 0) return entries.slice(0, MAX_ENTRIES)
  // "AI: Hello\nUser: Hi" → one entry per line, all at the call's start (no times in this form).
  const transcript = report.transcript ?? report.artifact?.transcript ?? ''
  return transcript
    .split(/\r?\n/)
    .map((line) => /^\s*([A-Za-z ]{1,30}):\s*(.+)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ speaker: SPEAKERS[m[1].trim().toLowerCase()] ?? m[1].trim(), text: m[2].trim(), at: startedAt }))
    .slice(0, MAX_ENTRIES)
}

export async function recordCallReport(
  accountId: string,
  report: EndOfCallReport,
  received = new Date(),
): Promise<{ conversationId: string; created: boolean }> {
  const callId = report.call.id
  const endedAt = date(report.endedAt) ?? received
  const startedAt = date(report.startedAt) ?? date(report.call.startedAt) ?? endedAt
  const entries = transcriptEntries(report, startedAt)
  const participant = report.call.customer?.number?.trim() || 'unknown'
  const communicationId = typeof report.call.metadata?.communication_id === 'string' ? report.call.metadata.communication_id : null

  return db.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`${accountId}:vapi:${callId}`}))`
    const [existing, communication, customer, lead] = await Promise.all([
      tx.conversation.findUnique({ where: { accountId_providerCallId: { accountId, providerCallId: callId } }, select: { id: true } }),
      communicationId
        ? tx.communication.findFirst({ where: { id: communicationId, accountId }, select: { id: true, customerId: true, leadId: true } })
        : null,
      tx.customer.findFirst({ where: { accountId, phone: participant }, orderBy: { createdAt: 'desc' }, select: { id: true } }),
      tx.lead.findFirst({ where: { accountId, phone: participant }, orderBy: { createdAt: 'desc' }, select: { id: true } }),
    ])
    const fields = {
      status: 'closed' as const,
      summary: report.summary ?? report.analysis?.summary ?? null,
      recordingUrl: report.recordingUrl ?? report.artifact?.recordingUrl ?? null,
      startedAt,
      endedAt,
      messageCount: entries.length,
      lastMessageAt: entries.at(-1)?.at ?? endedAt,
      metadata: { ended_reason: report.endedReason ?? null } satisfies Prisma.InputJsonObject,
    }
    const conversation = existing
      ? await tx.conversation.update({ where: { id: existing.id }, data: fields, select: { id: true } })
      : await tx.conversation.create({
          data: {
            accountId,
            channel: 'voice',
            participant,
            providerCallId: callId,
            customerId: communication?.customerId ?? customer?.id,
            leadId: communication?.leadId ?? lead?.id,
            ...fields,
          },
          select: { id: true },
        })
    // A repeated report leaves an identical transcript alone: the change feed shows no change.
    const stored = existing
      ? await tx.transcriptEntry.findMany({ where: { conversationId: conversation.id }, orderBy: { position: 'asc' } })
      : []
    if (!sameTranscript(stored, entries)) {
      await tx.transcriptEntry.deleteMany({ where: { conversationId: conversation.id } })
      if (entries.length) {
        await tx.transcriptEntry.createMany({
          data: entries.map((e, position) => ({ accountId, conversationId: conversation.id, position, ...e })),
        })
      }
    }
    if (communication) await tx.communication.update({ where: { id: communication.id }, data: { conversationId: conversation.id } })
    return { conversationId: conversation.id, created: !existing }
  })
}

const sameTranscript = (stored: { speaker: string; text: string; at: Date }[], entries: { speaker: string; text: string; at: Date }[]) =>
  stored.length === entries.length &&
  stored.every((e, i) => e.speaker === entries[i].speaker && e.text === entries[i].text && e.at.getTime() === entries[i].at.getTime())
