/**
 * One subscriber's stream: an async iterator over a bounded queue. Producers `push`; the
 * subscription's executor pulls. A stream that fails yields an `Ended` item last (its resolver
 * throws the error, so the client gets it as a GraphQL error event before the stream completes).
 * When the subscriber stops (the client disconnected: Yoga calls `return`) or the stream fails,
 * the `onRelease` functions run exactly once: that is where each subscription unregisters what it
 * registered, so nothing outlives its client.
 */
import { AppError } from '../../errors.js'

/** Events one subscriber may have waiting; past it the stream ends and the client resumes from its cursor. */
export const MAX_QUEUED = 1_000

/** The last item of a failed stream. */
export class Ended {
  constructor(readonly error: unknown) {}
}

export class Stream<T> implements AsyncIterableIterator<T | Ended> {
  private queue: (T | Ended)[] = []
  private pending: ((result: IteratorResult<T | Ended>) => void) | undefined
  private finished = false
  private releasers: (() => void)[] | undefined = []

  /** Runs `fn` once, when the stream stops taking events (at once if it already has). */
  onRelease(fn: () => void): void {
    if (this.releasers) this.releasers.push(fn)
    else fn()
  }

  /** Whether the stream still takes events. */
  get open(): boolean {
    return this.releasers !== undefined
  }

  push(value: T): void {
    if (!this.open) return
    if (this.queue.length >= MAX_QUEUED) {
      this.fail(
        new AppError('SERVICE_UNAVAILABLE', 'This subscriber fell too far behind: subscribe again from the last cursor it received'),
      )
    } else this.enqueue(value)
  }

  /** Stops taking events: the reader gets what is queued, then `error`, then the end. */
  fail(error: unknown): void {
    if (!this.open) return
    this.enqueue(new Ended(error))
    this.release()
  }

  next(): Promise<IteratorResult<T | Ended>> {
    const value = this.queue.shift()
    if (value !== undefined) return Promise.resolve({ value, done: false })
    if (this.finished || !this.open) return this.return()
    return new Promise((resolve) => {
      this.pending = resolve
    })
  }

  return(): Promise<IteratorResult<T | Ended>> {
    this.finished = true
    this.queue = []
    this.release()
    const pending = this.pending
    this.pending = undefined
    pending?.({ value: undefined, done: true })
    return Promise.resolve({ value: undefined, done: true })
  }

  throw(error?: unknown): Promise<IteratorResult<T | Ended>> {
    void this.return()
    return Promise.reject(error)
  }

  [Symbol.asyncIterator](): this {
    return this
  }

  private enqueue(item: T | Ended) {
    if (this.pending) {
      const resolve = this.pending
      this.pending = undefined
      resolve({ value: item, done: false })
    } else this.queue.push(item)
  }

  private release(): void {
    const releasers = this.releasers
    this.releasers = undefined
    for (const fn of releasers ?? []) fn()
  }
}
