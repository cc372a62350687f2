/**
 * The read-only CRM API under /v1 (shared spec crm-api.md): conversations, their messages and
 * transcripts. Field aliases in each operation produce the documented snake_case shape, so
 * JSON values such as `metadata` pass through untouched.
 */
import { z } from 'zod'
import type { GetTranscriptQuery } from '../generated/gql/graphql.js'
import { graphql } from '../generated/gql/index.js'
import { ConversationChannel, ConversationStatus } from '../generated/prisma/enums.js'
import { conversationSort, messageSort } from '../schema/conversations.js'
import { crmConventions, crmWindow } from './crm.js'
import { enumParam, textParam } from './params.js'
import { custom, item, json, nonNull, objectOf, page, schemaAt } from './results.js'
import { defineRoute, type RestSurface } from './route.js'
import { syncQuery, syncVariables } from './sync.js'

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
    provider_message_id: providerMessageId created_at: createdAt updated_at: updatedAt
  }
`)

const enumValues = <T extends Record<string, string>>(values: T) => Object.values(values) as [T[keyof T], ...T[keyof T][]]

export const v1Surface: RestSurface = {
  name: 'crm-read',
  prefix: '/v1',
  readOnly: true,
  ...crmConventions,
  routes: [
    defineRoute({
      method: 'GET',
      path: '/conversations',
      summary: 'List conversations, newest first',
      scope: 'read:conversations',
      query: z.object({
        channel: enumParam(enumValues(ConversationChannel)).optional(),
        status: enumParam(enumValues(ConversationStatus)).optional(),
        start_date: textParam(40, 'On started_at: YYYY-MM-DD or ISO 8601, inclusive').optional(),
        end_date: textParam(40, 'On started_at: YYYY-MM-DD (the whole day) or ISO 8601, inclusive').optional(),
        ...crmWindow,
        ...syncQuery(conversationSort),
      }),
      document: graphql(`
        query ListConversations($channel: ConversationChannel, $status: ConversationStatus, $startDate: String, $endDate: String, $limit: Int, $offset: Int,
          $updatedSince: DateTime, $sort: ConversationSort, $order: SortOrder, $cursorMode: Boolean! = false, $after: String, $count: Boolean! = false) {
          conversationPage(channel: $channel, status: $status, startDate: $startDate, endDate: $endDate, updatedSince: $updatedSince, sort: $sort, order: $order,
            limit: $limit, offset: $offset) @skip(if: $cursorMode) {
            items { ...ConversationRest } total limit offset
          }
          conversations(channel: $channel, status: $status, startDate: $startDate, endDate: $endDate, updatedSince: $updatedSince, sort: $sort, order: $order,
            first: $limit, after: $after) @include(if: $cursorMode) {
            edges { node { ...ConversationRest } } pageInfo { hasNextPage endCursor } totalCount @include(if: $count)
          }
        }
      `),
      variables: ({ query, url }) => ({
        channel: query.channel,
        status: query.status,
        startDate: query.start_date,
        endDate: query.end_date,
        limit: query.limit,
        offset: query.offset,
        ...syncVariables(query, url, 'offset'),
      }),
      result: page('conversationPage', 'conversations'),
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
      result: item('conversation'),
      notFound: 'Conversation not found',
    }),
    defineRoute({
      method: 'GET',
      path: '/conversations/:conversationId/messages',
      summary: "List a conversation's messages, oldest first",
      scope: 'read:conversations',
      query: z.object({ ...crmWindow, ...syncQuery(messageSort) }),
      document: graphql(`
        query ListConversationMessages($id: ID!, $limit: Int, $offset: Int,
          $updatedSince: DateTime, $sort: MessageSort, $order: SortOrder, $cursorMode: Boolean! = false, $after: String, $count: Boolean! = false) {
          conversation(id: $id) {
            messagePage(updatedSince: $updatedSince, sort: $sort, order: $order, limit: $limit, offset: $offset) @skip(if: $cursorMode) {
              items { ...MessageRest } total limit offset
            }
            messages(updatedSince: $updatedSince, sort: $sort, order: $order, first: $limit, after: $after) @include(if: $cursorMode) {
              edges { node { ...MessageRest } } pageInfo { hasNextPage endCursor } totalCount @include(if: $count)
            }
          }
        }
      `),
      variables: ({ params, query, url }) => ({
        id: params.conversationId,
        limit: query.limit,
        offset: query.offset,
        ...syncVariables(query, url, 'offset'),
      }),
      result: page('conversation.messagePage', 'conversation.messages'),
      notFound: 'Conversation not found',
    }),
    defineRoute({
      method: 'GET',
      path: '/conversations/:conversationId/transcript',
      summary: "A conversation's transcript as JSON, or as plain text with ?format=text",
      scope: 'read:transcripts',
      query: z.object({ format: enumParam(['json', 'text'], 'json (the default) or text: one line per entry').optional() }),
      document: graphql(`
        query GetTranscript($id: ID!) {
          conversationTranscript(conversationId: $id) { conversation_id: conversationId channel entries { speaker text at } text }
        }
      `),
      variables: ({ params }) => ({ id: params.conversationId }),
      result: custom<GetTranscriptQuery>(
        (data, { query }) => {
          const transcript = data.conversationTranscript
          if (!transcript) return null
          if (query.format === 'text') return { text: transcript.text, contentType: 'text/plain; charset=utf-8' }
          return { body: { data: transcript } }
        },
        (schema) => ({
          status: 200,
          content: {
            ...json(objectOf({ data: nonNull(schemaAt(schema, 'conversationTranscript')) })),
            'text/plain; charset=utf-8': { type: 'string', description: 'One line per entry: `[<ISO time>] <Speaker>: <text>`' },
          },
        }),
      ),
      notFound: 'Conversation not found',
    }),
  ],
}
