/**
 * Live webhook deliveries: a trigger NOTIFYs when a delivery is queued or its outcome moves
 * (./notices.ts); followers of its endpoint in this process get the delivery as it now stands,
 * loaded once for all of them. Deliveries are not in the change feed, so there is no cursor to
 * resume from: a client that reconnects reads the endpoint's deliveries list to catch up.
 */
import { db } from '../../db/client.js'
import { withAccount } from '../../db/tenancy.js'
import type { WebhookDelivery } from '../../generated/prisma/client.js'
import { liveFailure } from './feeds.js'
import type { DeliveryNotice } from './notices.js'

export interface DeliveryFollower {
  take(delivery: WebhookDelivery): void
  fail(error: unknown): void
}

/** account → endpoint → followers */
const followers = new Map<string, Map<string, Set<DeliveryFollower>>>()
/** Loads of one account run one after another, so a follower never sees an older state after a newer one. */
const chains = new Map<string, Promise<void>>()

export function followDeliveries(accountId: string, endpointId: string, follower: DeliveryFollower): () => void {
  const byEndpoint = followers.get(accountId) ?? new Map<string, Set<DeliveryFollower>>()
  followers.set(accountId, byEndpoint)
  const current = byEndpoint.get(endpointId) ?? new Set()
  byEndpoint.set(endpointId, current)
  current.add(follower)
  return () => {
    current.delete(follower)
    if (current.size) return
    byEndpoint.delete(endpointId)
    if (!byEndpoint.size && followers.get(accountId) === byEndpoint) followers.delete(accountId)
  }
}

export function deliveryMoved(notice: DeliveryNotice): void {
  if (!followers.get(notice.accountId)?.get(notice.endpointId)?.size) return
  const previous = chains.get(notice.accountId) ?? Promise.resolve()
  const next = previous.then(() => hand(notice))
  chains.set(notice.accountId, next)
  void next.finally(() => chains.get(notice.accountId) === next && chains.delete(notice.accountId))
}

async function hand(notice: DeliveryNotice) {
  const set = followers.get(notice.accountId)?.get(notice.endpointId)
  if (!set?.size) return
  try {
    const delivery = await withAccount(notice.accountId, () => db.webhookDelivery.findUnique({ where: { id: notice.deliveryId } }))
    if (delivery) for (const follower of set) follower.take(delivery)
  } catch (error) {
    for (const follower of [...set]) follower.fail(liveFailure(error))
  }
}
