'use client'
/**
 * The inbox: every conversation (SMS, iMessage, email, calls), filtered by channel and searched,
 * newest activity first, with the open thread beside it (`/inbox?id=<conversation id>`, since the
 * portal is a static export). Both follow the server's subscriptions, so new messages appear
 * without a reload (docs/portal.md#inbox).
 */
import { useSearchParams } from 'next/navigation'
import { Suspense } from 'react'
import { AccountShell } from '../../components/AccountShell'
import { Loading } from '../../components/ui'
import { ConversationList } from './ConversationList'
import styles from './inbox.module.css'
import { ThreadView } from './ThreadView'

export default function InboxPage() {
  return (
    <AccountShell title="Inbox">
      <Suspense fallback={<Loading />}>
        <Inbox />
      </Suspense>
    </AccountShell>
  )
}

function Inbox() {
  const openId = useSearchParams().get('id')
  return (
    <div className={styles.inbox} data-open={openId ? 'thread' : 'list'}>
      <ConversationList openId={openId} />
      {openId ? (
        <ThreadView key={openId} id={openId} />
      ) : (
        <section className={`card ${styles.thread} ${styles.placeholder}`} aria-label="Conversation">
          <p className="hint">Choose a conversation to read it.</p>
        </section>
      )}
    </div>
  )
}
