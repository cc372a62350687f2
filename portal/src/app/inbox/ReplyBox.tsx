'use client'
/**
 * Replying to an SMS thread: the `sendSms` mutation, the same path as the API (one credit per
 * text; none in test mode). The box says why it cannot send instead of failing on submit: the
 * number opted out, the conversation has no lead to text, the role cannot send, no credits left.
 */
import { type FormEvent, useId, useState } from 'react'
import { allows, useAccount, useAccountMutation } from '../../components/AccountShell'
import { Notice } from '../../components/ui'
import type { GraphQLRequestError } from '../../lib/graphql'
import { SendReplyDocument } from './documents'
import styles from './inbox.module.css'
import type { ThreadConversation } from './useThread'

/** Twilio's limit, as the server enforces it. */
const MAX_CHARS = 1600

/** Why a reply cannot be sent from here, or null when it can. */
function blockedReason(conversation: ThreadConversation, canSend: boolean, credits: number, testMode: boolean): string | null {
  if (conversation.optedOut) return 'This number opted out of SMS (it replied STOP), so no text can be sent to it until it replies START.'
  if (!canSend) return 'Your role cannot send texts.'
  if (!conversation.leadId) return 'This conversation is not linked to a lead, so a reply cannot be sent from here.'
  if (!testMode && credits < 1) return 'No SMS credits left: ask the operator to grant more before replying.'
  return null
}

/** The server's refusal in words that say what to do. */
function refusalOf(error: GraphQLRequestError): string {
  if (error.code === 'PAYMENT_REQUIRED') return 'Not sent: no SMS credits left. Ask the operator to grant more.'
  if (error.code === 'NOT_FOUND') return "Not sent: this conversation's lead no longer exists."
  return `Not sent: ${error.message}`
}

export function ReplyBox({ conversation, onSent }: { conversation: ThreadConversation; onSent: (messageId: string) => Promise<void> }) {
  const { account, me, refreshAccount } = useAccount()
  const id = useId()
  const [text, setText] = useState('')
  const send = useAccountMutation(SendReplyDocument, {
    onSuccess: async ({ sendSms }) => {
      setText('')
      // The text is sent (and paid for) whatever happens next: a failed refetch of it must not
      // read as a failed send, and the thread's subscription brings the message anyway.
      await Promise.all([onSent(sendSms.messageId).catch(() => {}), refreshAccount()])
    },
  })
  const blocked = blockedReason(conversation, allows(me, 'sms:send'), account.smsCredits, account.testMode)

  const submit = (event: FormEvent) => {
    event.preventDefault()
    if (!blocked && text.trim() && conversation.leadId) void send.run({ leadId: conversation.leadId, message: text })
  }

  return (
    <form className={styles.reply} onSubmit={submit} aria-labelledby={`${id}-label`} data-testid="reply-box">
      <label id={`${id}-label`} htmlFor={id} className={styles.replyLabel}>
        Reply by SMS
      </label>
      {account.testMode && !conversation.optedOut && (
        <p className="hint" data-testid="test-mode">
          <span className="badge badge-test">test mode</span> Replies are stored as sent but reach no phone and cost no credit.
        </p>
      )}
      <textarea
        id={id}
        rows={3}
        value={text}
        maxLength={MAX_CHARS}
        onChange={(e) => {
          setText(e.target.value)
          if (send.error) send.reset()
        }}
        disabled={Boolean(blocked)}
        aria-describedby={`${id}-status`}
      />
      <p id={`${id}-status`} className={blocked ? 'warning-text' : 'hint'} data-testid="reply-status">
        {blocked ??
          `${text.length} of ${MAX_CHARS} characters. ${account.testMode ? 'No credit is spent in test mode.' : `One SMS credit per text; ${account.smsCredits.toLocaleString('en-US')} left.`}`}
      </p>
      <Notice>{send.error && refusalOf(send.error)}</Notice>
      <div>
        <button type="submit" className="button primary" disabled={Boolean(blocked) || send.running || !text.trim()}>
          {send.running ? 'Sending…' : 'Send reply'}
        </button>
      </div>
    </form>
  )
}
