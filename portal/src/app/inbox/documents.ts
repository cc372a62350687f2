/**
 * The inbox's documents, shaped like docs/examples/live-inbox.ts: a connection for the list, a
 * `node(id:)` refetch for each conversation a change touches, the feed's head to follow from, and
 * the two subscriptions (`changes` for the list, `messageAdded` for the open thread).
 */
import { graphql } from '../../gql'

export const InboxListDocument = graphql(`
  query PortalInbox($first: Int!, $after: String, $channel: ConversationChannel, $search: String) {
    conversations(first: $first, after: $after, channel: $channel, search: $search, sort: updated_at, order: desc) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          ...PortalInboxRow
        }
      }
    }
  }
  fragment PortalInboxRow on Conversation {
    id
    channel
    participant
    subject
    status
    messageCount
    lastMessageAt
    updatedAt
    optedOut
  }
`)

export const InboxRowDocument = graphql(`
  query PortalInboxConversation($id: ID!) {
    node(id: $id) {
      __typename
      ... on Conversation {
        ...PortalInboxRow
      }
    }
  }
`)

/** Where the change feed stands: live updates follow from here, so nothing committed during a load is missed. */
export const FeedHeadDocument = graphql(`
  query PortalFeedHead {
    changes(first: 1, after: "now") {
      pageInfo {
        endCursor
      }
    }
  }
`)

export const InboxChangesDocument = graphql(`
  subscription PortalInboxChanges($after: String) {
    changes(types: ["conversation", "message"], after: $after) {
      cursor
      objectType
      objectId
      action
      data
    }
  }
`)

export const ThreadDocument = graphql(`
  query PortalThread($id: ID!, $withTranscript: Boolean!) {
    conversation(id: $id) {
      ...PortalInboxRow
      leadId
      customerId
      summary
      recordingUrl
      startedAt
      endedAt
      messages(last: 100) {
        ...PortalThreadPage
      }
      transcript @include(if: $withTranscript) {
        entries {
          speaker
          text
          at
        }
      }
    }
  }
  fragment PortalThreadPage on MessageConnection {
    pageInfo {
      hasPreviousPage
      startCursor
    }
    edges {
      node {
        ...PortalThreadMessage
      }
    }
  }
  fragment PortalThreadMessage on Message {
    id
    direction
    sender
    content
    status
    provider
    createdAt
  }
`)

/** The 100 messages before the oldest one the thread shows. */
export const EarlierMessagesDocument = graphql(`
  query PortalEarlierMessages($id: ID!, $before: String!) {
    conversation(id: $id) {
      id
      messages(last: 100, before: $before) {
        ...PortalThreadPage
      }
    }
  }
`)

export const MessageAddedDocument = graphql(`
  subscription PortalMessageAdded($conversationId: ID!, $after: String) {
    messageAdded(conversationId: $conversationId, after: $after) {
      ...PortalThreadMessage
    }
  }
`)

export const MessageDocument = graphql(`
  query PortalMessage($id: ID!) {
    node(id: $id) {
      __typename
      ... on Message {
        ...PortalThreadMessage
      }
    }
  }
`)

export const SendReplyDocument = graphql(`
  mutation PortalSendReply($leadId: ID!, $message: String!) {
    sendSms(leadId: $leadId, message: $message) {
      messageId
    }
  }
`)
