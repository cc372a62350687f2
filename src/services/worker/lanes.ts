/** The two shapes of concurrency a batch uses: lanes working through a list, and steps they share. */

/**
 * Shares one call of `flush` between callers that arrive close together (group commit):
 * `call(item)` resolves with its own result once the group it joined is flushed. A flush starts
 * `gatherMs` after the first item (0: once the current burst of callbacks has run, so lanes
 * freed by one flush join the next together); items arriving while a flush runs go together in
 * the next. `flush` answers one result per item, in order; if it throws, every item of that
 * group rejects with the error.
 */
export function gathered<T, R>(flush: (items: T[]) => Promise<R[]>, gatherMs: number): (item: T) => Promise<R> {
  let pending: { item: T; resolve: (result: R) => void; reject: (error: unknown) => void }[] = []
  let busy = false
  const drain = async () => {
    while (pending.length) {
      const group = pending
      pending = []
      try {
        const results = await flush(group.map((g) => g.item))
        for (const [i, g] of group.entries()) g.resolve(results[i])
      } catch (error) {
        for (const g of group) g.reject(error)
      }
    }
    busy = false
  }
  return (item) =>
    new Promise<R>((resolve, reject) => {
      pending.push({ item, resolve, reject })
      if (busy) return
      busy = true
      if (gatherMs > 0) setTimeout(drain, gatherMs)
      else setImmediate(drain)
    })
}

/** Runs `fn` over `items` with at most `limit` calls at once, each lane taking the next item when it is done. */
export async function inParallel<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await fn(items[next++])
  })
  await Promise.all(lanes)
}
