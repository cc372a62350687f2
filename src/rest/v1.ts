/**
 * The read-only CRM API under /v1 (shared spec crm-api.md): conversations, their messages and
 * transcripts. Field aliases in each operation produce the documented snake_case shape, so
 * JSON values such as `metadata` pass through untouched.
 */
import { reasonPhrase } from '../errors.js'
import { graphql } from '../generated/gql/index.js'
import { ConversationChannel, ConversationStatus } from '../generated/prisma/enums.js'
import { describe, enumParam, intParam, stringParam } from './params.js'
import { defineRoute, type RestInput, type RestSurface } from './route.js'

graphql(`
  fragment ConversationRest on Conversation {
    id channel status customer_id: customerId lead_id: leadId participant subject summary
    started_at: startedAt ended_at: endedAt last_message_at: lastMessageAt message_count: messageCount
    metadata created_at: createdAt updated_at: updatedAt
  }
`)

graphql(`
  fragment MessageRest on Message {
    id conversation_id: conversationId direction channel sender content status provider
    provider_message_id: providerMessageId created_at: createdAt
  }
`)

/** `limit`/`offset` of the CRM surfaces (the operation enforces the ranges). */
export const crmWindow = ({ query }: RestInput) => {
  const window = { limit: intParam(query, 'limit'), offset: intParam(query, 'offset') }
  describe(query, 'limit', { type: 'integer', minimum: 0, default: 50, description: 'Page size; values above 200 are clamped to 200' })
  describe(query, 'offset', { type: 'integer', minimum: 0, default: 0 })
  return window
}

/** `{"error": "<reason phrase>", "message": "<detail>"}` */
export const crmErrorBody = (status: number, message: string) => ({ error: reasonPhrase[status] ?? 'Error', message })

type Page = { items: unknown[]; total: number; limit: number; offset: number }
export const pageEnvelope = (page: Page) => ({
  body: { data: page.items, pagination: { limit: page.limit, offset: page.offset, total: page.total } },
})

export const v1Surface: RestSurface = {
  name: 'crm-read',
  prefix: '/v1',
  readOnly: true,
  errorBody: crmErrorBody,
  routes: [
    defineRoute({
      method: 'GET',
      path: '/conversations',
      summary: 'List conversations, newest first',
      scope: 'read:conversations',
      document: graphql(`
        query ListConversations($channel: ConversationChannel, $status: ConversationStatus, $startDate: String, $endDate: String, $limit: Int, $offset: Int) {
          conversationPage(channel: $channel, status: $status, startDate: $startDate, endDate: $endDate, limit: $limit, offset: $offset) {
            items { ...ConversationRest } total limit offset
          }
        }
      `),
      variables: (input) => ({
        channel: enumParam(input.query, 'channel', Object.values(ConversationChannel)),
        status: enumParam(input.query, 'status', Object.values(ConversationStatus)),
        startDate: stringParam(input.query, 'start_date', 40),
        endDate: stringParam(input.query, 'end_date', 40),
        ...crmWindow(input),
      }),
      respond: (data) => pageEnvelope(data.conversationPage),
    }),
    defineRoute({
      method: 'GET',
      path: '/conversations/:conversationId',
      summary: 'Fetch one conversation',
      scope: 'read:conversations',
      document: graphql(`
        query GetConversation($id: ID!) { conversation(id: $id) { ...ConversationRest } }
      `),
      variables: ({ params }) => ({ id: params.conversationId }),
      respond: (data) => (data.conversation ? { body: { data: data.conversation } } : null),
      notFound: 'Conversation not found',
    }),
    defineRoute({
      method: 'GET',
      path: '/conversations/:conversationId/messages',
      summary: "List a conversation's messages, oldest first",
      scope: 'read:conversations',
      document: graphql(`
        query ListConversationMessages($id: ID!, $limit: Int, $offset: Int) {
          conversation(id: $id) { messagePage(limit: $limit, offset: $offset) { items { ...MessageRest } total limit offset } }
        }
      `),
      variables: (input) => ({ id: input.params.conversationId, ...crmWindow(input) }),
      respond: (data) => (data.conversation ? pageEnvelope(data.conversation.messagePage) : null),
      notFound: 'Conversation not found',
    }),
    defineRoute({
      method: 'GET',
      path: '/conversations/:conversationId/transcript',
      summary: "A conversation's transcript as JSON, or as plain text with ?format=text",
      scope: 'read:transcripts',
      document: graphql(`
        query GetTranscript($id: ID!) {
          conversationTranscript(conversationId: $id) { conversation_id: conversationId channel entries { speaker text at } text }
        }
      `),
      variables: ({ params, query }) => {
        enumParam(query, 'format', ['json', 'text'])
        return { id: params.conversationId }
      },
      respond: (data, { query }) => {
        const transcript = data.conversationTranscript
        if (!transcript) return null
        if (query.get('format') === 'text') return { text: transcript.text, contentType: 'text/plain; charset=utf-8' }
        return { body: { data: transcript } }
      },
      notFound: 'Conversation not found',
    }),
  ],
}
