'use client'
/**
 * One open conversation, kept current: its newest messages are loaded, then `messageAdded` is
 * followed from where the change feed stood before the load (docs/examples/live-inbox.ts,
 * `followThread`), so a message that arrives meanwhile is neither missed nor shown twice.
 */
import { useCallback, useEffect, useState } from 'react'
import type { PortalThreadMessageFragment, PortalThreadPageFragment, PortalThreadQuery } from '../../gql/graphql'
import { type GraphQLRequestError, request } from '../../lib/graphql'
import { subscribe } from '../../lib/subscribe'
import {
  EarlierMessagesDocument,
  FeedHeadDocument,
  InboxRowDocument,
  MessageAddedDocument,
  MessageDocument,
  ThreadDocument,
} from './documents'

export type ThreadMessage = PortalThreadMessageFragment
export type ThreadConversation = NonNullable<PortalThreadQuery['conversation']>

const oldestFirst = (messages: ThreadMessage[]) =>
  [...messages].sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id))

/** Where the loaded messages start, and whether older ones precede them. */
type Earlier = PortalThreadPageFragment['pageInfo'] & { loading: boolean }

export interface Thread {
  conversation: ThreadConversation | null | undefined
  messages: ThreadMessage[]
  /** Whether messages older than the ones shown exist, and whether they are being loaded. */
  earlier: { more: boolean; loading: boolean }
  loadEarlier: () => Promise<void>
  error: GraphQLRequestError | undefined
  live: boolean
  /** Shows a message the page itself sent, refetched by `node(id:)`; the subscription would bring it too. */
  showMessage: (id: string) => Promise<void>
  retry: () => void
}

/**
 * `readsFeed`: whether the role may read the change feed (`read:hub`) to learn where it stands;
 * without it the thread follows from the moment its subscription starts.
 */
export function useThread(id: string, withTranscript: boolean, readsFeed: boolean): Thread {
  const [conversation, setConversation] = useState<ThreadConversation | null>()
  const [messages, setMessages] = useState<ThreadMessage[]>([])
  const [earlier, setEarlier] = useState<Earlier>({ hasPreviousPage: false, startCursor: null, loading: false })
  const [error, setError] = useState<GraphQLRequestError>()
  const [live, setLive] = useState(false)
  const [attempt, setAttempt] = useState(0)

  const addAll = useCallback((added: ThreadMessage[]) => {
    setMessages((previous) => {
      const known = new Set(previous.map((m) => m.id))
      const fresh = added.filter((m) => !known.has(m.id))
      return fresh.length ? oldestFirst([...previous, ...fresh]) : previous
    })
  }, [])
  const add = useCallback((message: ThreadMessage) => addAll([message]), [addAll])

  // biome-ignore lint/correctness/useExhaustiveDependencies: `attempt` changes only to load again (Try again)
  useEffect(() => {
    const controller = new AbortController()
    setConversation(undefined)
    setMessages([])
    setEarlier({ hasPreviousPage: false, startCursor: null, loading: false })
    setError(undefined)
    setLive(false)
    const run = async () => {
      try {
        const head = readsFeed ? await request(FeedHeadDocument) : undefined
        const { conversation: loaded } = await request(ThreadDocument, { id, withTranscript })
        if (controller.signal.aborted) return
        setConversation(loaded)
        setMessages(loaded ? loaded.messages.edges.map((e) => e.node) : [])
        if (loaded) setEarlier({ ...loaded.messages.pageInfo, loading: false })
        if (!loaded) return
        await subscribe(
          MessageAddedDocument,
          { conversationId: id, after: head?.changes.pageInfo.endCursor ?? 'now' },
          {
            signal: controller.signal,
            onConnected: setLive,
            onError: (e) => {
              setLive(false)
              setError(e)
            },
            onData: async ({ messageAdded }) => {
              add(messageAdded)
              // A reply can change the conversation itself (a STOP opts the number out): refetch it.
              if (messageAdded.direction !== 'inbound') return
              const { node } = await request(InboxRowDocument, { id }).catch(() => ({ node: null }))
              if (node?.__typename === 'Conversation' && !controller.signal.aborted) setConversation((c) => c && { ...c, ...node })
            },
          },
        )
      } catch (e) {
        if (!controller.signal.aborted) setError(e as GraphQLRequestError)
      }
    }
    void run()
    return () => controller.abort()
  }, [id, withTranscript, readsFeed, add, attempt])

  const showMessage = useCallback(
    async (messageId: string) => {
      const { node } = await request(MessageDocument, { id: messageId })
      if (node?.__typename === 'Message') add(node)
    },
    [add],
  )

  const loadEarlier = useCallback(async () => {
    if (!earlier.hasPreviousPage || !earlier.startCursor || earlier.loading) return
    setEarlier((e) => ({ ...e, loading: true }))
    try {
      const { conversation: page } = await request(EarlierMessagesDocument, { id, before: earlier.startCursor })
      const older = page?.messages ?? { pageInfo: { hasPreviousPage: false, startCursor: null }, edges: [] }
      addAll(older.edges.map((e) => e.node))
      setEarlier({ hasPreviousPage: older.pageInfo.hasPreviousPage, startCursor: older.pageInfo.startCursor, loading: false })
    } catch (e) {
      setEarlier((previous) => ({ ...previous, loading: false }))
      setError(e as GraphQLRequestError)
    }
  }, [id, earlier, addAll])

  return {
    conversation,
    messages,
    error,
    live,
    earlier: { more: earlier.hasPreviousPage, loading: earlier.loading },
    loadEarlier,
    showMessage,
    retry: () => setAttempt((n) => n + 1),
  }
}
