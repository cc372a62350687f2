/**
 * Live subscriptions as the schema uses them (decision 0019): each subscription is one Stream,
 * registered here while it is open so that a revoked key's streams close, shutdown ends them all,
 * and the crm_subscriptions gauge counts them. Change-based subscriptions follow the account's feed
 * (./feeds.ts); webhook deliveries have notices of their own (./deliveries.ts).
 */
import type { Logger } from 'pino'
import { onKeyRevoked } from '../../context/key-cache.js'
import type { Principal } from '../../context/principal.js'
import { AppError } from '../../errors.js'
import type { WebhookDelivery } from '../../generated/prisma/client.js'
import { subscriptionOpened } from '../../http/metrics.js'
import type { FeedChange } from '../changes/feed.js'
import { deliveryMoved, followDeliveries } from './deliveries.js'
import { changesCommitted, follow, type LiveChange, readAllAgain, reportReadFailuresTo } from './feeds.js'
import { listenForNotices } from './notices.js'
import { Ended, Stream } from './stream.js'

/** What a change-based subscription yields: a value and its place in the feed. */
export interface LiveEvent<T> {
  position: bigint | null
  value: T
}

const open = new Set<Stream<unknown>>()
const byKey = new Map<string, Set<Stream<unknown>>>()
let logger: Logger | undefined

/** Subscriptions open in this process now. */
export const openSubscriptionCount = (): number => open.size

/** Sets where read failures are logged; called once by the GraphQL endpoint. */
export function logLiveFailuresTo(to: Logger): void {
  logger = to
  reportReadFailuresTo((error, accountId) =>
    logger?.warn({ err: error, account_id: accountId }, 'live subscriptions could not read the change feed: their streams end'),
  )
}

onKeyRevoked((keyId) => {
  for (const stream of [...(byKey.get(keyId) ?? [])]) stream.fail(new AppError('UNAUTHENTICATED', 'API key has been revoked'))
})

/** Ends every open subscription (the server is stopping); clients resume from their cursors elsewhere. */
export function endAllSubscriptions(): void {
  for (const stream of [...open])
    stream.fail(new AppError('SERVICE_UNAVAILABLE', 'The server is restarting: subscribe again from the last cursor received'))
}

function listen() {
  listenForNotices({ changes: changesCommitted, delivery: deliveryMoved, lookAgain: readAllAgain })
}

function register<T>(principal: Principal): Stream<T> {
  listen()
  const stream = new Stream<T>()
  const any = stream as Stream<unknown>
  open.add(any)
  const counted = subscriptionOpened()
  stream.onRelease(() => {
    open.delete(any)
    counted()
  })
  if (principal.kind === 'apiKey') {
    const { keyId } = principal
    const streams = byKey.get(keyId) ?? new Set()
    byKey.set(keyId, streams)
    streams.add(any)
    stream.onRelease(() => {
      streams.delete(any)
      if (!streams.size && byKey.get(keyId) === streams) byKey.delete(keyId)
    })
  }
  return stream
}

export interface ChangeSubscription<T> {
  principal: Principal
  accountId: string
  /** A feed position, or `now`. */
  after: bigint | 'now'
  /** Read only these object types (also narrows the catch-up read). */
  objectTypes?: readonly string[]
  wants(change: FeedChange): boolean
  /** The value the subscriber gets for a wanted change; null skips it (the record is gone). */
  value(change: LiveChange): Promise<T | null> | T | null
}

/** Streams the account's changes that `subscription.wants`, from its cursor on. */
export async function subscribeToChanges<T>(subscription: ChangeSubscription<T>): Promise<Stream<LiveEvent<T>>> {
  const stream = register<LiveEvent<T>>(subscription.principal)
  // Values may need loading: each stream hands them out in feed order.
  let order = Promise.resolve()
  const stop = await follow(
    subscription.accountId,
    subscription.after,
    {
      wants: subscription.wants,
      take: (change) => {
        order = order.then(async () => {
          if (!stream.open) return
          try {
            const value = await subscription.value(change)
            if (value !== null) stream.push({ position: change.position, value })
          } catch (error) {
            stream.fail(error)
          }
        })
      },
      fail: (error) => stream.fail(error),
    },
    subscription.objectTypes,
  ).catch((error) => {
    void stream.return()
    throw error
  })
  stream.onRelease(stop)
  return stream
}

/** Streams the endpoint's deliveries as they are queued, attempted and settled. */
export function subscribeToDeliveries(principal: Principal, accountId: string, endpointId: string): Stream<LiveEvent<WebhookDelivery>> {
  const stream = register<LiveEvent<WebhookDelivery>>(principal)
  const stop = followDeliveries(accountId, endpointId, {
    take: (delivery) => stream.push({ position: null, value: delivery }),
    fail: (error) => stream.fail(error),
  })
  stream.onRelease(stop)
  return stream
}

/** The value of one streamed item, or its stream's error thrown; remembers the item's feed position. */
export function unwrap<T>(item: LiveEvent<T> | Ended, context: object): T {
  if (item instanceof Ended) throw item.error
  if (item.position !== null) lastPositions.set(context, item.position)
  return item.value
}

/** The feed position of the item a subscription's context resolved last: the SSE event's id. */
const lastPositions = new WeakMap<object, bigint>()
export const lastPositionOf = (context: object): bigint | undefined => lastPositions.get(context)
