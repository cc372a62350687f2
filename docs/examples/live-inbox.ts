/**
 * A live inbox to copy: the account's conversations, newest first, kept current without polling.
 *
 *  1. Load the first page of the `conversations` connection (and more pages on demand).
 *  2. Follow the `changes` subscription for conversations and messages over server-sent events,
 *     starting at the cursor the load began from, so nothing written in between is missed.
 *  3. For each change, refetch the one conversation it touched through `node(id:)` (any record's
 *     id can be refetched this way) and move it to the top.
 *
 * An open thread follows `messageAdded(conversationId:)` the same way (`followThread` below).
 *
 * The documents are typed by GraphQL Code Generator's client preset, run against the served schema:
 *
 *   // codegen.ts
 *   generates: { 'src/gql/': { preset: 'client', documents: ['src/**\/*.ts'],
 *     config: { documentMode: 'string', enumsAsTypes: true, scalars: { DateTime: 'string', JSON: 'unknown' } } } }
 *
 * The transport is plain `fetch` (browsers and Node 18+): each subscription is one POST answered
 * as `text/event-stream`. test/live-inbox.test.ts generates the types, type-checks this file under
 * --strict and runs it against the app while messages arrive, so what is written here works.
 */

import type { InboxRowFragment, TypedDocumentString } from './gql/graphql.js'
import { graphql } from './gql/index.js'

export const InboxDocument = graphql(`
  query Inbox($first: Int!, $after: String) {
    conversations(first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { ...InboxRow } }
    }
  }
  fragment InboxRow on Conversation { id channel participant status messageCount lastMessageAt updatedAt }
`)

/** The refetch of one row by its id: null when it is gone (deleted, or never the caller's). */
export const InboxConversationDocument = graphql(`
  query InboxConversation($id: ID!) { node(id: $id) { __typename ... on Conversation { ...InboxRow } } }
`)

/** Where the feed stands now: the inbox follows changes from here. */
export const FeedHeadDocument = graphql(`
  query FeedHead { changes(first: 1, after: "now") { pageInfo { endCursor } } }
`)

export const InboxChangesDocument = graphql(`
  subscription InboxChanges($after: String) {
    changes(types: ["conversation", "message"], after: $after) { cursor objectType objectId action data }
  }
`)

export const ThreadDocument = graphql(`
  subscription Thread($conversationId: ID!, $after: String) {
    messageAdded(conversationId: $conversationId, after: $after) { id sender content createdAt }
  }
`)

export type InboxRow = InboxRowFragment

export interface Api {
  url: string
  /** An API key with read:conversations and read:hub; a browser on the portal's origin sends its session cookie instead. */
  apiKey: string
  fetch?: typeof globalThis.fetch
}

interface Result<T> {
  data?: T | null
  errors?: { message: string; extensions?: { code?: string } }[]
  extensions?: { cursor?: string }
}

function post<R, V>(api: Api, document: TypedDocumentString<R, V>, variables: V, accept: string, signal?: AbortSignal) {
  return (api.fetch ?? fetch)(`${api.url}/graphql`, {
    method: 'POST',
    headers: { authorization: `Bearer ${api.apiKey}`, 'content-type': 'application/json', accept },
    body: JSON.stringify({ query: document.toString(), variables }),
    signal,
  })
}

/** One query or mutation: its data, or an error with the API's message. */
export async function request<R, V>(api: Api, document: TypedDocumentString<R, V>, variables: V): Promise<R> {
  const answer = (await (await post(api, document, variables, 'application/graphql-response+json')).json()) as Result<R>
  if (answer.errors?.length || !answer.data) throw new Error(answer.errors?.[0]?.message ?? 'no data')
  return answer.data
}

/**
 * Runs a subscription, handing each result to `onResult`, until `signal` aborts. When the stream
 * ends (a deploy restarts the server, a proxy cuts it) it subscribes again from the last cursor
 * received, so nothing is missed; an error that retrying cannot fix (no scope, not found) is thrown.
 */
export async function subscribe<R, V extends { after?: string | null }>(
  api: Api,
  document: TypedDocumentString<R, V>,
  variables: V,
  onResult: (data: R, cursor: string | undefined) => void | Promise<void>,
  signal: AbortSignal,
): Promise<void> {
  let after = variables.after
  while (!signal.aborted) {
    try {
      const response = await post(api, document, { ...variables, after }, 'text/event-stream', signal)
      if (!response.body) throw new Error(`subscription answered ${response.status}`)
      for await (const result of events<R>(response.body, signal)) {
        const code = result.errors?.[0]?.extensions?.code
        if (code && code !== 'SERVICE_UNAVAILABLE') throw new Error(result.errors![0].message)
        if (!result.data) continue
        await onResult(result.data, result.extensions?.cursor)
        after = result.extensions?.cursor ?? after
      }
    } catch (error) {
      if (signal.aborted) return
      if (!(error instanceof TypeError)) throw error // a network failure is retried; anything else is ours to see
    }
    await new Promise((resolve) => setTimeout(resolve, 1_000))
  }
}

/** The `next` events of a GraphQL-over-SSE stream, parsed (heartbeat comments skipped), until it ends or `signal` aborts. */
async function* events<R>(body: ReadableStream<Uint8Array>, signal: AbortSignal): AsyncGenerator<Result<R>> {
  const reader = body.getReader()
  const decoder = new TextDecoder()
  // Cancelling the body closes the stream, which ends the subscription on the server too.
  const stop = () => void reader.cancel().catch(() => {})
  signal.addEventListener('abort', stop, { once: true })
  let buffer = ''
  for (;;) {
    const { value, done } = await reader.read()
    if (done) return signal.removeEventListener('abort', stop)
    buffer += decoder.decode(value, { stream: true })
    for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
      const lines = buffer.slice(0, end).split('\n')
      buffer = buffer.slice(end + 2)
      if (!lines.includes('event: next')) continue
      const data = lines
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(5).trimStart())
        .join('\n')
      yield JSON.parse(data) as Result<R>
    }
  }
}

/** The inbox: rows by id, ordered newest activity first. */
export class Inbox {
  readonly rows = new Map<string, InboxRow>()
  total = 0
  private endCursor: string | null = null
  hasMore = false

  constructor(private api: Api) {}

  /** Newest first, as a list view shows them. */
  get list(): InboxRow[] {
    return [...this.rows.values()].sort((a, b) => (b.lastMessageAt ?? b.updatedAt).localeCompare(a.lastMessageAt ?? a.updatedAt))
  }

  /** Loads the next page of the connection (the first, on the first call). */
  async loadMore(first = 50): Promise<void> {
    const { conversations } = await request(this.api, InboxDocument, { first, after: this.endCursor })
    for (const { node } of conversations.edges) this.rows.set(node.id, node)
    this.total = conversations.totalCount
    this.endCursor = conversations.pageInfo.endCursor ?? null
    this.hasMore = conversations.pageInfo.hasNextPage
  }

  /** Loads the first page, then keeps every row current until `signal` aborts. */
  async run(signal: AbortSignal, onChange: () => void = () => {}): Promise<void> {
    // The feed position first, then the page: a change committed in between arrives live, never lost.
    const head = await request(this.api, FeedHeadDocument, {})
    await this.loadMore()
    onChange()
    await subscribe(
      this.api,
      InboxChangesDocument,
      { after: head.changes.pageInfo.endCursor },
      async ({ changes }) => {
        const id =
          changes.objectType === 'conversation' ? changes.objectId : (changes.data as { conversation_id?: string } | null)?.conversation_id
        if (!id) return
        await this.refetch(id)
        onChange()
      },
      signal,
    )
  }

  /** Refetches one conversation by id: changed, added, or gone (deleted). */
  async refetch(id: string): Promise<void> {
    const { node } = await request(this.api, InboxConversationDocument, { id })
    if (node?.__typename === 'Conversation') this.rows.set(id, node)
    else this.rows.delete(id)
  }
}

/** An open thread: each message as it is added, after the ones already shown. */
export function followThread(
  api: Api,
  conversationId: string,
  onMessage: (message: { id: string; sender: string; content: string; createdAt: string }) => void,
  signal: AbortSignal,
): Promise<void> {
  return subscribe(api, ThreadDocument, { conversationId, after: 'now' }, ({ messageAdded }) => onMessage(messageAdded), signal)
}
