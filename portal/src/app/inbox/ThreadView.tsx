'use client'
/** One conversation: who, which channel, its messages as they arrive, a call's summary, recording and transcript, and the reply box. */
import Link from 'next/link'
import { allows, useAccount, useSessionGuard } from '../../components/AccountShell'
import { Empty, Loading, Notice } from '../../components/ui'
import { LiveStatus } from './ConversationList'
import { CHANNEL_LABELS } from './channels'
import styles from './inbox.module.css'
import { ReplyBox } from './ReplyBox'
import { type Thread, type ThreadConversation, type ThreadMessage, useThread } from './useThread'

const SENDER_LABELS: Record<ThreadMessage['sender'], string> = {
  customer: 'Customer',
  agent: 'Your team',
  ai: 'AI assistant',
  system: 'Automatic',
}

export function ThreadView({ id }: { id: string }) {
  const { me } = useAccount()
  const thread = useThread(id, allows(me, 'read:transcripts'), allows(me, 'read:hub'))
  useSessionGuard(thread.error)
  const { conversation } = thread

  return (
    <section className={`card ${styles.thread}`} aria-labelledby="thread-heading" aria-busy={conversation === undefined && !thread.error}>
      <Link href="/inbox" className={styles.back}>
        ← All conversations
      </Link>
      <Notice>
        {thread.error && (
          <>
            {thread.error.code === 'NOT_FOUND'
              ? 'This conversation does not exist.'
              : `Could not load this conversation: ${thread.error.message}`}{' '}
            <button type="button" className="link-button" onClick={thread.retry}>
              Try again
            </button>
          </>
        )}
      </Notice>
      {conversation === undefined ? (
        thread.error ? null : (
          <Loading label="Loading the conversation…" />
        )
      ) : conversation === null ? (
        <Empty>This conversation does not exist, or was removed.</Empty>
      ) : (
        <>
          <ThreadHead conversation={conversation} live={thread.live} />
          {conversation.channel === 'voice' && <CallDetails conversation={conversation} />}
          <Messages conversation={conversation} thread={thread} />
          {conversation.channel === 'sms' && <ReplyBox conversation={conversation} onSent={thread.showMessage} />}
        </>
      )}
    </section>
  )
}

function ThreadHead({ conversation, live }: { conversation: ThreadConversation; live: boolean }) {
  const { time } = useAccount()
  return (
    <header className={styles.threadHead}>
      <div className={styles.listHead}>
        <h2 id="thread-heading">{conversation.participant}</h2>
        <LiveStatus live={live} />
      </div>
      <p className={styles.meta}>
        <span className="badge badge-live">{CHANNEL_LABELS[conversation.channel]}</span>
        {conversation.optedOut && <span className="badge warning">opted out of SMS</span>}
        <span>{conversation.status === 'open' ? 'Open' : 'Closed'}</span>
        <span>Started {time(conversation.startedAt)}</span>
        {conversation.endedAt && <span>Ended {time(conversation.endedAt)}</span>}
      </p>
      {conversation.subject && <p className={styles.subjectLine}>{conversation.subject}</p>}
    </header>
  )
}

function CallDetails({ conversation }: { conversation: ThreadConversation }) {
  const { time } = useAccount()
  const entries = conversation.transcript?.entries
  return (
    <div className={styles.call} data-testid="call-details">
      <h3>Summary</h3>
      <p>{conversation.summary ?? 'No summary for this call.'}</p>
      {conversation.recordingUrl ? (
        <p>
          <a href={conversation.recordingUrl} target="_blank" rel="noreferrer noopener">
            Listen to the recording<span className="visually-hidden"> (opens in a new tab)</span>
          </a>
        </p>
      ) : (
        <p className="hint">This call was not recorded.</p>
      )}
      <h3>Transcript</h3>
      {entries === undefined ? (
        <p className="hint">Your role cannot read transcripts.</p>
      ) : entries.length === 0 ? (
        <p className="hint">No transcript for this call.</p>
      ) : (
        <ol className={styles.transcript} data-testid="transcript">
          {entries.map((entry, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: transcript lines have no id and never reorder
            <li key={i}>
              <span className={styles.speaker}>{entry.speaker}</span> <span className={styles.when}>{time(entry.at)}</span>
              <p>{entry.text}</p>
            </li>
          ))}
        </ol>
      )}
    </div>
  )
}

function Messages({ conversation, thread }: { conversation: ThreadConversation; thread: Thread }) {
  const { time } = useAccount()
  const { messages, earlier } = thread
  if (messages.length === 0) {
    return conversation.channel === 'voice' ? null : <Empty>No messages in this conversation yet.</Empty>
  }
  return (
    <>
      {earlier.more && (
        <button type="button" className="link-button" onClick={() => void thread.loadEarlier()} disabled={earlier.loading}>
          {earlier.loading ? 'Loading…' : 'Show earlier messages'}
        </button>
      )}
      <ol className={styles.messages} aria-label="Messages" aria-live="polite" data-testid="messages">
        {messages.map((m) => (
          <li key={m.id} className={m.direction === 'inbound' ? styles.inbound : styles.outbound} data-testid="message">
            <p className={styles.bubble}>{m.content}</p>
            <span className={styles.stamp}>
              {SENDER_LABELS[m.sender]} · {time(m.createdAt)}
              {m.direction === 'outbound' && ` · ${m.provider === 'test' ? 'test mode, not sent' : m.status}`}
            </span>
          </li>
        ))}
      </ol>
    </>
  )
}
