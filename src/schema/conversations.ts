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
import { Node, nodeType } from './nodes.js'
import { CRM_WINDOW, pageType } from './paging.js'
import { searchFilter } from './search.js'
import { listSort, sortArgs } from './sorting.js'
import { accountOf } from './tenancy.js'

builder.enumType(ConversationChannel, {
  name: 'ConversationChannel',
  description: 'The channel a conversation happens on',
  values: {
    sms: { description: 'Text messages (SMS)' },
    imessage: { description: 'iMessages' },
    email: { description: 'Emails' },
    voice: { description: 'A phone call, with its transcript' },
  },
})
builder.enumType(ConversationStatus, {
  name: 'ConversationStatus',
  description: 'Whether a conversation is still going on',
  values: {
    open: { description: 'Still going on: new messages join it' },
    closed: { description: 'Finished' },
  },
})
builder.enumType(MessageDirection, {
  name: 'MessageDirection',
  description: 'Which way a message went',
  values: {
    inbound: { description: 'From the customer to you' },
    outbound: { description: 'From you (a person, the AI or the system) to the customer' },
  },
})
builder.enumType(MessageSender, {
  name: 'MessageSender',
  description: 'Who wrote a message',
  values: {
    customer: { description: 'The customer' },
    agent: { description: 'A person on your team' },
    ai: { description: 'The AI assistant' },
    system: { description: 'An automatic message, sent from a template' },
  },
})

const oldestFirst = [{ createdAt: 'asc' as const }, { id: 'asc' as const }]

nodeType('Message', 'messages', 'read:conversations')

export const Message = builder.prismaObject('Message', {
  description: 'One message of a conversation, inbound or outbound',
  interfaces: [Node],
  fields: (t) => ({
    id: t.exposeID('id', { description: "The message's id" }),
    conversationId: t.exposeID('conversationId', { description: 'The conversation it belongs to' }),
    direction: t.expose('direction', { type: MessageDirection, description: 'Which way it went' }),
    channel: t.expose('channel', { type: ConversationChannel, description: 'The channel it went on' }),
    sender: t.expose('sender', { type: MessageSender, description: 'Who wrote it' }),
    content: t.exposeString('content', { description: 'The message text' }),
    status: t.exposeString('status', { description: 'queued, sent, delivered, failed or received (inbound)' }),
    provider: t.exposeString('provider', { nullable: true, description: 'The provider that carried it, e.g. twilio; null when none did' }),
    providerMessageId: t.exposeString('providerMessageId', { nullable: true, description: "The provider's id for it; null when none" }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was sent or received' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'When it last changed, e.g. its status' }),
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
  description: 'One line of a transcript: who said what, when',
  fields: (t) => ({
    speaker: t.exposeString('speaker', { description: 'Who spoke or wrote it: "Customer", "AI", "Agent", "System", …' }),
    text: t.exposeString('text', { description: 'What was said or written' }),
    at: t.expose('at', { type: 'DateTime', description: 'When it was said or written' }),
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
  description: "A conversation's transcript: a call's spoken lines, or its messages (at most 10,000 entries)",
  fields: (t) => ({
    conversationId: t.exposeID('conversationId', { description: 'The conversation it transcribes' }),
    channel: t.expose('channel', { type: ConversationChannel, description: "The conversation's channel (voice: a call)" }),
    entries: t.field({ type: [TranscriptEntry], description: 'The lines, oldest first', resolve: (tr) => tr.entries }),
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

nodeType('Conversation', 'conversations', 'read:conversations')

export const Conversation = builder.prismaObject('Conversation', {
  description: 'An exchange with one person on one channel: a thread of texts or emails, or a call',
  interfaces: [Node],
  fields: (t) => ({
    id: t.exposeID('id', { description: "The conversation's id" }),
    channel: t.expose('channel', { type: ConversationChannel, description: 'The channel it happens on' }),
    status: t.expose('status', { type: ConversationStatus, description: 'Whether it is still going on' }),
    customerId: t.exposeID('customerId', { nullable: true, description: 'The customer it is with; null when not matched to one' }),
    leadId: t.exposeID('leadId', { nullable: true, description: 'The lead it is with; null when not matched to one' }),
    participant: t.exposeString('participant', { description: 'Phone or email of the other party' }),
    subject: t.exposeString('subject', { nullable: true, description: 'The email subject line; null for other channels or when none' }),
    summary: t.exposeString('summary', { nullable: true, description: 'A short summary of it; null when none' }),
    recordingUrl: t.exposeString('recordingUrl', {
      nullable: true,
      description: "Where the call's recording is; null when not a call or not recorded",
    }),
    startedAt: t.expose('startedAt', { type: 'DateTime', description: 'When it started' }),
    endedAt: t.expose('endedAt', { type: 'DateTime', nullable: true, description: 'When it ended; null while it goes on' }),
    lastMessageAt: t.expose('lastMessageAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When its latest message came; null before any',
    }),
    messageCount: t.exposeInt('messageCount', { description: 'How many messages it holds' }),
    metadata: t.expose('metadata', { type: 'JSON', description: 'Free-form JSON object, e.g. from the provider' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was recorded' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'When it last changed' }),
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
      args: {
        ...sortArgs(t, messageSort),
        limit: t.arg.int({
          description: `How many messages to return; ${CRM_WINDOW.defaultLimit} by default, at most ${CRM_WINDOW.maxLimit}`,
        }),
        offset: t.arg.int({ description: 'How many messages to skip; 0 by default' }),
      },
      // The total is counted in the statement that reads the conversation (a lateral count), so a
      // page of messages costs one statement more than its conversation, not two.
      select: { _count: { select: { messages: true } } },
      extensions: { ownReads: true },
      resolve: (conversation, args) =>
        childPage(messageSort, { conversationId: conversation.id }, args, conversation._count.messages) as never,
    }),
    transcript: t.field({
      type: Transcript,
      description: 'The whole transcript (needs read:transcripts)',
      authScopes: { scope: 'read:transcripts' },
      extensions: { ownReads: true },
      resolve: (conversation) => loadTranscript(conversation),
    }),
  }),
})

const ConversationPage = pageType('Conversation', () => db.conversation)

function conversationFilter(
  accountId: string,
  args: {
    channel?: ConversationChannel | null
    status?: ConversationStatus | null
    startDate?: string | null
    endDate?: string | null
    search?: string | null
  },
): Prisma.ConversationWhereInput {
  return {
    accountId,
    ...searchFilter(args.search),
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
    search: t.arg.string({ description: 'Case-insensitive substring of the phone or email of the other party, or of the email subject' }),
  }),
  where: conversationFilter,
})

builder.queryFields((t) => ({
  conversationTranscript: t.field({
    type: Transcript,
    nullable: true,
    description: "A conversation's transcript (null when no such conversation exists in this account)",
    authScopes: { scope: 'read:transcripts' },
    args: { conversationId: t.arg.id({ required: true, description: 'The conversation to transcribe' }) },
    resolve: async (_root, args, ctx) => {
      const conversation = await db.conversation.findFirst({
        where: { id: String(args.conversationId), accountId: accountOf(ctx) },
        select: { id: true, channel: true },
      })
      return conversation && loadTranscript(conversation)
    },
  }),
}))
