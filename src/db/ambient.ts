/**
 * One database transaction for a whole request, made ambient: while `inTransaction` runs, every
 * query through `db` (./client.ts routes it here) goes to that transaction, whatever module
 * sends it, and a `db.$transaction` inside joins it instead of opening another. Idempotent
 * requests run this way, so their stored answer commits together with their effect or not at all.
 *
 * Effects outside the database (provider calls) must not run inside: they cannot be rolled back,
 * and on the embedded database (one connection) a held transaction makes every other request
 * wait. Code with such an effect hands it to `afterCommit`, which runs it at once outside a
 * request transaction, or right after the commit inside one.
 */
import { AsyncLocalStorage } from 'node:async_hooks'
import type { PrismaClient } from '../generated/prisma/client.js'

type Task = () => Promise<void>

interface Ambient {
  tx: PrismaClient
  afterCommit: Task[]
}

const ambient = new AsyncLocalStorage<Ambient>()

/**
 * Long enough for any database work of one request; provider calls never run inside. Starting
 * waits for a connection (PostgreSQL) or for the one connection to be free (embedded).
 */
const TRANSACTION_TIMEOUT_MS = 60_000
const TRANSACTION_MAX_WAIT_MS = 60_000

/** The transaction client of the running request transaction, if any. */
export const ambientClient = (): PrismaClient | undefined => ambient.getStore()?.tx

/**
 * Runs `fn` inside one transaction on `base`, committed when `fn` resolves and rolled back when
 * it throws; then runs the tasks `fn` handed to `afterCommit`, in order. A task that throws
 * rejects the whole call with `AfterCommitFailed` (the transaction stays committed).
 */
export async function inTransaction<T>(base: PrismaClient, fn: () => Promise<T>): Promise<T> {
  if (ambient.getStore()) return fn()
  const tasks: Task[] = []
  const result = await base.$transaction((tx) => ambient.run({ tx: tx as PrismaClient, afterCommit: tasks }, fn), {
    timeout: TRANSACTION_TIMEOUT_MS,
    maxWait: TRANSACTION_MAX_WAIT_MS,
  })
  for (const task of tasks) {
    try {
      await task()
    } catch (error) {
      throw new AfterCommitFailed(error)
    }
  }
  return result
}

/** A task run after the commit failed; `cause` is its error. */
export class AfterCommitFailed extends Error {
  constructor(override readonly cause: unknown) {
    super('a task run after the commit failed')
  }
}

/** Runs `task` now, or after the request transaction commits (never if it rolls back). */
export async function afterCommit(task: Task): Promise<void> {
  const store = ambient.getStore()
  if (store) store.afterCommit.push(() => ambient.exit(task))
  else await task()
}

/**
 * `base` as every module sees it: inside a request transaction, the transaction's client, and
 * `$transaction` runs its function (or its list of queries) inside that same transaction.
 */
export function routed(base: PrismaClient): PrismaClient {
  return new Proxy(base, {
    get(target, prop) {
      const tx = ambient.getStore()?.tx
      if (!tx) return Reflect.get(target, prop, target)
      if (prop === '$transaction') return joinTransaction(tx)
      const value = Reflect.get(tx, prop, tx)
      return typeof value === 'function' ? value.bind(tx) : value
    },
  })
}

const joinTransaction = (tx: PrismaClient) => async (arg: unknown) => {
  if (typeof arg === 'function') return arg(tx)
  const results: unknown[] = []
  for (const query of arg as Promise<unknown>[]) results.push(await query)
  return results
}
