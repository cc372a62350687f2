'use client'
/**
 * The conversation list, kept current without reloading, as docs/examples/live-inbox.ts does:
 * note where the change feed stands, load the first page of the connection, then follow the
 * `changes` subscription from that point and refetch each conversation a change touches by
 * `node(id:)`, moving it to the top (or out, when it no longer matches the filter).
 */
import { useCallback, useEffect, useRef, useState } from 'react'
import type { ConversationChannel, PortalInboxRowFragment } from '../../gql/graphql'
import { type GraphQLRequestError, request } from '../../lib/graphql'
import { subscribe } from '../../lib/subscribe'
import { FeedHeadDocument, InboxChangesDocument, InboxListDocument, InboxRowDocument } from './documents'

export type InboxRow = PortalInboxRowFragment
interface InboxFilter {
  channel: ConversationChannel | null
  search: string
}

const PAGE = 25

/** The server's search, repeated here for rows a change brings in: a substring of the number, email or subject. */
const matches = (row: InboxRow, filter: InboxFilter) =>
  (!filter.channel || row.channel === filter.channel) &&
  (!filter.search.trim() || `${row.participant}\n${row.subject ?? ''}`.toLowerCase().includes(filter.search.trim().toLowerCase()))

const newestFirst = (rows: InboxRow[]) => [...rows].sort((a, b) => b.updatedAt.localeCompare(a.updatedAt) || b.id.localeCompare(a.id))

export interface Inbox {
  rows: InboxRow[] | undefined
  total: number
  hasMore: boolean
  loadingMore: boolean
  error: GraphQLRequestError | undefined
  /** Whether live updates are flowing (false while reconnecting or when the role cannot follow changes). */
  live: boolean
  loadMore: () => Promise<void>
  retry: () => void
}

interface List {
  rows: InboxRow[]
  total: number
  hasMore: boolean
}

/** The list after a refetched row: moved to the top when it matches the filter, out of the list when not. */
function withRow(list: List, id: string, row: InboxRow | undefined, filter: InboxFilter): List {
  const others = list.rows.filter((r) => r.id !== id)
  const wanted = Boolean(row && matches(row, filter))
  const had = others.length < list.rows.length
  const total = list.total + (wanted && !had ? 1 : !wanted && had ? -1 : 0)
  return { ...list, rows: wanted && row ? newestFirst([row, ...others]) : others, total: Math.max(0, total) }
}

export function useInbox(filter: InboxFilter, followChanges: boolean): Inbox {
  const [list, setList] = useState<List>()
  const [loadingMore, setLoadingMore] = useState(false)
  const [error, setError] = useState<GraphQLRequestError>()
  const [live, setLive] = useState(false)
  const [attempt, setAttempt] = useState(0)
  const endCursor = useRef<string | null>(null)
  const { channel, search } = filter

  // biome-ignore lint/correctness/useExhaustiveDependencies: `attempt` changes only to load again (Try again)
  useEffect(() => {
    const controller = new AbortController()
    const current = { channel, search }
    const stillCurrent = () => !controller.signal.aborted
    setList(undefined)
    setError(undefined)
    setLive(false)

    const refetch = async (id: string) => {
      const { node } = await request(InboxRowDocument, { id })
      const row = node?.__typename === 'Conversation' ? node : undefined
      if (stillCurrent()) setList((previous) => previous && withRow(previous, id, row, current))
    }

    const run = async () => {
      try {
        // The feed's position first, then the page: a change committed in between arrives live.
        const head = followChanges ? await request(FeedHeadDocument) : undefined
        const { conversations } = await request(InboxListDocument, { first: PAGE, after: null, channel, search: search || null })
        if (!stillCurrent()) return
        setList({
          rows: conversations.edges.map((e) => e.node),
          total: conversations.totalCount,
          hasMore: conversations.pageInfo.hasNextPage,
        })
        endCursor.current = conversations.pageInfo.endCursor ?? null
        if (!head) return
        await subscribe(
          InboxChangesDocument,
          { after: head.changes.pageInfo.endCursor ?? 'now' },
          {
            signal: controller.signal,
            onConnected: setLive,
            onError: (e) => {
              setLive(false)
              setError(e)
            },
            onData: async ({ changes }) => {
              const id =
                changes.objectType === 'conversation'
                  ? changes.objectId
                  : (changes.data as { conversation_id?: string } | null)?.conversation_id
              // A failed refetch leaves the row as it was; the next change to it refetches again.
              if (id) await refetch(id).catch(() => {})
            },
          },
        )
      } catch (e) {
        if (stillCurrent()) setError(e as GraphQLRequestError)
      }
    }
    void run()
    return () => controller.abort()
  }, [channel, search, followChanges, attempt])

  const loadMore = useCallback(async () => {
    setLoadingMore(true)
    try {
      const { conversations } = await request(InboxListDocument, { first: PAGE, after: endCursor.current, channel, search: search || null })
      endCursor.current = conversations.pageInfo.endCursor ?? endCursor.current
      setList((previous) => {
        const known = new Set(previous?.rows.map((r) => r.id))
        const added = conversations.edges.map((e) => e.node).filter((r) => !known.has(r.id))
        return { rows: [...(previous?.rows ?? []), ...added], total: conversations.totalCount, hasMore: conversations.pageInfo.hasNextPage }
      })
    } catch (e) {
      setError(e as GraphQLRequestError)
    } finally {
      setLoadingMore(false)
    }
  }, [channel, search])

  return {
    rows: list?.rows,
    total: list?.total ?? 0,
    hasMore: list?.hasMore ?? false,
    loadingMore,
    error,
    live,
    loadMore,
    retry: () => setAttempt((n) => n + 1),
  }
}
