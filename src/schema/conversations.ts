/**
 * Conversations (SMS, iMessage, voice, email threads), their messages and transcripts. Read by
 * the `/v1` REST surface and by frontends through Relay connections.
 */
import { db } from '../db/client.js'
import type { Prisma } from '../generated/prisma/client.js'
import { ConversationChannel, ConversationStatus, MessageDirection, MessageSender } from '../generated/prisma/enums.js'
import { builder } from './builder.js'
import { dateRange } from './dates.js'
import { childConnection, childPage, connectionType, resourceQueries } from './lists.js'
import { pageType } from './paging.js'
import { listSort, sortArgs } from './sorting.js'
import { accountOf } from './tenancy.js'

builder.enumType(ConversationChannel, { name: 'ConversationChannel' })
builder.enumType(ConversationStatus, { name: 'ConversationStatus' })
builder.enumType(MessageDirection, { name: 'MessageDirection' })
builder.enumType(MessageSender, { name: 'MessageSender' })

const oldestFirst = [{ createdAt: 'asc' as const }, { id: 'asc' as const }]

export const Message = builder.prismaObject('Message', {
  fields: (t) => ({
    id: t.exposeID('id'),
    conversationId: t.exposeString('conversationId'),
    direction: t.expose('direction', { type: MessageDirection }),
    channel: t.expose('channel', { type: ConversationChannel }),
    sender: t.expose('sender', { type: MessageSender }),
    content: t.exposeString('content'),
    status: t.exposeString('status'),
    provider: t.exposeString('provider', { nullable: true }),
    providerMessageId: t.exposeString('providerMessageId', { nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
  }),
})

const MessagePage = pageType('Message', () => db.message)
/** A conversation's messages: oldest first unless asked otherwise. */
export const messageSort = listSort('Message', ['createdAt', 'updatedAt'], 'asc')
const messagesOf = { table: 'messages', parentColumn: 'conversation_id', sort: messageSort }
const MessageConnection = connectionType('Message', Message)

interface TranscriptLine {
  speaker: string
  text: string
  at: Date
}

const TranscriptEntry = builder.objectRef<TranscriptLine>('TranscriptEntry').implement({
  fields: (t) => ({
    speaker: t.exposeString('speaker'),
    text: t.exposeString('text'),
    at: t.expose('at', { type: 'DateTime' }),
  }),
})

interface TranscriptShape {
  conversationId: string
  channel: ConversationChannel
  entries: TranscriptLine[]
}

/** One line per entry: `[<ISO time>] <Speaker>: <text>` (line breaks inside text become spaces). */
export const transcriptText = (entries: TranscriptLine[]) =>
  entries.map((e) => `[${e.at.toISOString()}] ${e.speaker}: ${e.text.replace(/\s*[\r\n]+\s*/g, ' ')}`).join('\n')

const Transcript = builder.objectRef<TranscriptShape>('Transcript').implement({
  fields: (t) => ({
    conversationId: t.exposeString('conversationId'),
    channel: t.expose('channel', { type: ConversationChannel }),
    entries: t.field({ type: [TranscriptEntry], resolve: (tr) => tr.entries }),
    text: t.string({ description: 'The transcript as plain text, one line per entry', resolve: (tr) => transcriptText(tr.entries) }),
  }),
})

/** Transcripts are read whole; this bounds the memory one request can ask for. */
const TRANSCRIPT_MAX_ENTRIES = 10_000
const speakerOf: Record<MessageSender, string> = { customer: 'Customer', agent: 'Agent', ai: 'AI', system: 'System' }

async function loadTranscript(conversation: { id: string; channel: ConversationChannel }): Promise<TranscriptShape> {
  if (conversation.channel === 'voice') {
    const rows = await db.transcriptEntry.findMany({
      where: { conversationId: conversation.id },
      orderBy: { position: 'asc' },
      take: TRANSCRIPT_MAX_ENTRIES,
      select: { speaker: true, text: true, at: true },
    })
    return { conversationId: conversation.id, channel: conversation.channel, entries: rows }
  }
  const messages = await db.message.findMany({
    where: { conversationId: conversation.id },
    orderBy: oldestFirst,
    take: TRANSCRIPT_MAX_ENTRIES,
    select: { sender: true, content: true, createdAt: true },
  })
  const entries = messages.map((m) => ({ speaker: speakerOf[m.sender], text: m.content, at: m.createdAt }))
  return { conversationId: conversation.id, channel: conversation.channel, entries }
}

export const Conversation = builder.prismaObject('Conversation', {
  fields: (t) => ({
    id: t.exposeID('id'),
    channel: t.expose('channel', { type: ConversationChannel }),
    status: t.expose('status', { type: ConversationStatus }),
    customerId: t.exposeString('customerId', { nullable: true }),
    leadId: t.exposeString('leadId', { nullable: true }),
    participant: t.exposeString('participant', { description: 'Phone or email of the other party' }),
    subject: t.exposeString('subject', { nullable: true }),
    summary: t.exposeString('summary', { nullable: true }),
    recordingUrl: t.exposeString('recordingUrl', { nullable: true }),
    startedAt: t.expose('startedAt', { type: 'DateTime' }),
    endedAt: t.expose('endedAt', { type: 'DateTime', nullable: true }),
    lastMessageAt: t.expose('lastMessageAt', { type: 'DateTime', nullable: true }),
    messageCount: t.exposeInt('messageCount'),
    metadata: t.expose('metadata', { type: 'JSON' }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
    messages: t.connection(
      {
        type: Message,
        description: 'Messages oldest first',
        args: sortArgs(t, messageSort),
        resolve: (conversation, args, ctx, info) => childConnection(messagesOf, db.message, conversation.id, args, ctx, info) as never,
      },
      MessageConnection,
    ),
    messagePage: t.field({
      type: MessagePage,
      description: 'Messages oldest first, by offset (the REST layer pages this way)',
      args: { ...sortArgs(t, messageSort), limit: t.arg.int(), offset: t.arg.int() },
      // The total is counted in the statement that reads the conversation (a lateral count), so a
      // page of messages costs one statement more than its conversation, not two.
      select: { _count: { select: { messages: true } } },
      resolve: (conversation, args) =>
        childPage(messageSort, { conversationId: conversation.id }, args, conversation._count.messages) as never,
    }),
    transcript: t.field({
      type: Transcript,
      authScopes: { scope: 'read:transcripts' },
      resolve: (conversation) => loadTranscript(conversation),
    }),
  }),
})

const ConversationPage = pageType('Conversation', () => db.conversation)

function conversationFilter(
  accountId: string,
  args: { channel?: ConversationChannel | null; status?: ConversationStatus | null; startDate?: string | null; endDate?: string | null },
): Prisma.ConversationWhereInput {
  return {
    accountId,
    ...(args.channel ? { channel: args.channel } : {}),
    ...(args.status ? { status: args.status } : {}),
    ...(args.startDate || args.endDate ? { startedAt: dateRange(args.startDate, args.endDate) } : {}),
  }
}

export const conversationSort = listSort('Conversation', ['createdAt', 'updatedAt', 'startedAt'])

resourceQueries({
  model: 'Conversation',
  sort: conversationSort,
  delegate: () => db.conversation,
  names: { one: 'conversation', many: 'conversations', page: 'conversationPage' },
  description: 'Conversations, newest first',
  scope: 'read:conversations',
  connection: connectionType('Conversation', Conversation),
  page: ConversationPage,
  args: (t) => ({
    channel: t.arg({ type: ConversationChannel, description: 'Only conversations on this channel' }),
    status: t.arg({ type: ConversationStatus, description: 'Only open or only closed conversations' }),
    startDate: t.arg.string({ description: 'On started_at: YYYY-MM-DD or ISO 8601, inclusive' }),
    endDate: t.arg.string({ description: 'On started_at: YYYY-MM-DD (whole day) or ISO 8601, inclusive' }),
  }),
  where: conversationFilter,
})

builder.queryFields((t) => ({
  conversationTranscript: t.field({
    type: Transcript,
    nullable: true,
    description: "A conversation's transcript (null when no such conversation exists in this account)",
    authScopes: { scope: 'read:transcripts' },
    args: { conversationId: t.arg.id({ required: true }) },
    resolve: async (_root, args, ctx) => {
      const conversation = await db.conversation.findFirst({
        where: { id: String(args.conversationId), accountId: accountOf(ctx) },
        select: { id: true, channel: true },
      })
      return conversation && loadTranscript(conversation)
    },
  }),
}))
