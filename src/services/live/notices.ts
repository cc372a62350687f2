/**
 * The notices behind live subscriptions (decision 0019). Triggers NOTIFY `crm_live` when a
 * transaction that wrote changes (or moved a webhook delivery) commits; every server process
 * LISTENs on one connection of its own (PostgreSQL) or on the embedded database, and hands each
 * notice to this process's feeds. A notice only says "look": what happened is read from the feed.
 *
 * While the listening connection is down, notices may be missed, so the feeds are told to look
 * every FALLBACK_POLL_MS until it is back, and once more when it is: a subscriber is late, never
 * short of a change.
 */
import { currentDatabase, type Database } from '../../db/client.js'

export const LIVE_CHANNEL = 'crm_live'
const FALLBACK_POLL_MS = 2_000

export interface DeliveryNotice {
  accountId: string
  endpointId: string
  deliveryId: string
}

export interface NoticeHandlers {
  /** The account has committed changes this process may not have read yet. */
  changes(accountId: string): void
  delivery(notice: DeliveryNotice): void
  /** Notices may have been missed: every followed account should be read again. */
  lookAgain(): void
}

let handlers: NoticeHandlers | undefined
let listeningOn: Database | undefined
let listening = false
let fallback: NodeJS.Timeout | undefined

/** Starts listening on the open database (once per database); notices go to `to`. */
export function listenForNotices(to: NoticeHandlers): void {
  handlers = to
  const database = currentDatabase()
  if (!database || listeningOn === database) return
  listeningOn = database
  setListening(false)
  database.listen(LIVE_CHANNEL, dispatch, (now) => {
    if (listeningOn === database) setListening(now)
  })
}

function setListening(now: boolean) {
  const was = listening
  listening = now
  if (now) {
    clearInterval(fallback)
    fallback = undefined
    if (!was) handlers?.lookAgain()
  } else fallback ??= setInterval(() => handlers?.lookAgain(), FALLBACK_POLL_MS).unref()
}

function dispatch(payload: string) {
  const [kind, accountId, endpointId, deliveryId] = payload.split(':')
  if (!accountId) return
  if (kind === 'c') handlers?.changes(accountId)
  else if (kind === 'd' && endpointId && deliveryId) handlers?.delivery({ accountId, endpointId, deliveryId })
}
