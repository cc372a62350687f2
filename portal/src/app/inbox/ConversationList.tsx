'use client'
/** The list side of the inbox: channel filter, search, the conversations as links, and Load more. */
import Link from 'next/link'
import { type FormEvent, useState } from 'react'
import { allows, useAccount, useSessionGuard } from '../../components/AccountShell'
import { Empty, Loading, Notice } from '../../components/ui'
import type { ConversationChannel } from '../../gql/graphql'
import { CHANNEL_LABELS, CHANNELS } from './channels'
import styles from './inbox.module.css'
import { type InboxRow, useInbox } from './useInbox'

export function ConversationList({ openId }: { openId: string | null }) {
  const { me, time } = useAccount()
  const [channel, setChannel] = useState<ConversationChannel | ''>('')
  const [draft, setDraft] = useState('')
  const [search, setSearch] = useState('')
  const following = allows(me, 'read:hub')
  const inbox = useInbox({ channel: channel || null, search }, following)
  useSessionGuard(inbox.error)

  const submit = (event: FormEvent) => {
    event.preventDefault()
    setSearch(draft.trim())
  }
  const filtered = Boolean(channel || search)

  return (
    <section className={`card ${styles.list}`} aria-labelledby="conversations-heading" aria-busy={!inbox.rows && !inbox.error}>
      <div className={styles.listHead}>
        <h2 id="conversations-heading">Conversations</h2>
        {following && <LiveStatus live={inbox.live} />}
      </div>
      <form className={styles.filters} aria-label="Find conversations" onSubmit={submit}>
        <label className={styles.filter}>
          Channel
          <select value={channel} onChange={(e) => setChannel(e.target.value as ConversationChannel | '')} data-testid="channel-filter">
            <option value="">All channels</option>
            {CHANNELS.map((c) => (
              <option key={c} value={c}>
                {CHANNEL_LABELS[c]}
              </option>
            ))}
          </select>
        </label>
        <label className={`${styles.filter} ${styles.searchField}`}>
          Search
          <input
            type="search"
            value={draft}
            onChange={(e) => setDraft(e.target.value)}
            placeholder="Phone, email or subject"
            maxLength={200}
          />
        </label>
        <button type="submit" className="button small">
          Search
        </button>
      </form>
      <Notice>
        {inbox.error && (
          <>
            Could not load the conversations: {inbox.error.message}{' '}
            <button type="button" className="link-button" onClick={inbox.retry}>
              Try again
            </button>
          </>
        )}
      </Notice>
      {!inbox.rows ? (
        inbox.error ? null : (
          <Loading label="Loading conversations…" />
        )
      ) : inbox.rows.length === 0 ? (
        <Empty>
          {filtered
            ? 'No conversation matches this channel and search.'
            : 'No conversations yet. Texts, emails and calls appear here as they arrive.'}
        </Empty>
      ) : (
        <>
          <p className="hint" aria-live="polite">
            {inbox.rows.length} of {inbox.total} shown
          </p>
          <ul className={styles.rows} data-testid="conversation-list">
            {inbox.rows.map((row) => (
              <li key={row.id}>
                <Link
                  href={`/inbox?id=${row.id}`}
                  className={styles.row}
                  aria-current={row.id === openId ? 'page' : undefined}
                  data-testid="conversation-row"
                >
                  <span className={styles.rowTop}>
                    <span className={styles.participant}>{row.participant}</span>
                    <span className={styles.when}>{time(row.lastMessageAt ?? row.updatedAt)}</span>
                  </span>
                  <span className={styles.rowBottom}>
                    <span className="badge badge-live">{CHANNEL_LABELS[row.channel]}</span>
                    {row.optedOut && <span className="badge warning">opted out</span>}
                    <span className={styles.subject}>{rowDetail(row)}</span>
                  </span>
                </Link>
              </li>
            ))}
          </ul>
          {inbox.hasMore && (
            <button type="button" className="button" onClick={() => void inbox.loadMore()} disabled={inbox.loadingMore}>
              {inbox.loadingMore ? 'Loading…' : 'Load more'}
            </button>
          )}
        </>
      )}
    </section>
  )
}

/** What a row says under the number: the email's subject, that it was a call, or how many messages it holds. */
function rowDetail(row: InboxRow): string {
  if (row.subject) return row.subject
  if (row.channel === 'voice') return 'Phone call'
  return `${row.messageCount} ${row.messageCount === 1 ? 'message' : 'messages'}`
}

/** Whether new messages arrive by themselves right now. */
export function LiveStatus({ live }: { live: boolean }) {
  return (
    <span className={live ? styles.liveOn : styles.liveOff} data-testid="live-status">
      {live ? 'Live' : 'Connecting…'}
    </span>
  )
}
