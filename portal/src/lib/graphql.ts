'use client'
/**
 * The portal's only way to the server: POST /graphql on the same origin, with the session
 * cookie. Documents are typed by codegen (portal/src/gql, from src/schema/schema.graphql).
 */
import { useCallback, useEffect, useRef, useState } from 'react'
import type { TypedDocumentString } from '../gql/graphql'

export class GraphQLRequestError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message)
  }
}

/** A document's variables as arguments: optional when it takes none. */
export type Variables<V> = V extends Record<string, never> ? [variables?: V] : [variables: V]

export async function request<R, V>(document: TypedDocumentString<R, V>, ...[variables]: Variables<V>): Promise<R> {
  let response: Response
  try {
    response = await fetch('/graphql', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' },
      body: JSON.stringify({ query: document.toString(), variables: variables ?? {} }),
    })
  } catch {
    throw new GraphQLRequestError('Could not reach the server. Check your connection and try again.', 'NETWORK')
  }
  let body: { data?: R | null; errors?: { message: string; extensions?: { code?: string } }[] }
  try {
    body = await response.json()
  } catch {
    throw new GraphQLRequestError(`The server answered ${response.status} ${response.statusText}.`, 'HTTP')
  }
  const error = body.errors?.[0]
  if (error) throw new GraphQLRequestError(error.message, error.extensions?.code)
  if (!body.data) throw new GraphQLRequestError('The server sent no data.', 'HTTP')
  return body.data
}

export const isUnauthenticated = (error: unknown) => error instanceof GraphQLRequestError && error.code === 'UNAUTHENTICATED'

export const messageOf = (error: unknown) => (error instanceof Error ? error.message : 'Something went wrong.')

const asRequestError = (error: unknown) =>
  error instanceof GraphQLRequestError ? error : new GraphQLRequestError(messageOf(error), undefined)

export interface QueryState<R> {
  data: R | undefined
  error: GraphQLRequestError | undefined
  loading: boolean
  reload: () => Promise<void>
}

/**
 * Runs `load` on mount (and again when it changes); `reload` runs it again keeping the old data.
 * Only the latest run's answer, error and `loading` apply: an earlier run that answers later
 * neither replaces the newer data nor ends `loading` while the newer run is on its way. An
 * earlier run settles with the latest one, so whoever awaits a reload then sees the newest data.
 */
export function useLoad<R>(load: () => Promise<R>): QueryState<R> {
  const [data, setData] = useState<R>()
  const [error, setError] = useState<GraphQLRequestError>()
  const [loading, setLoading] = useState(true)
  const latest = useRef<{ run: number; settled?: Promise<void> }>({ run: 0 })

  const reload = useCallback((): Promise<void> => {
    const run = ++latest.current.run
    const settled = (async () => {
      setLoading(true)
      try {
        const answer = await load()
        if (run !== latest.current.run) return latest.current.settled
        setData(answer)
        setError(undefined)
      } catch (e) {
        if (run !== latest.current.run) return latest.current.settled
        setError(asRequestError(e))
      }
      setLoading(false)
    })()
    latest.current.settled = settled
    return settled
  }, [load])

  useEffect(() => {
    void reload()
  }, [reload])

  return { data, error, loading, reload }
}

/** Runs a query on mount (and again when its variables change); `reload` runs it again keeping the old data. */
export function useQuery<R, V>(document: TypedDocumentString<R, V>, ...[variables]: Variables<V>): QueryState<R> {
  // Compared by value, so a literal written in the component does not reload on every render.
  const serialized = JSON.stringify(variables ?? {})
  const load = useCallback(() => request(document, ...([JSON.parse(serialized)] as Variables<V>)), [document, serialized])
  return useLoad(load)
}

export interface MutationOptions<R, V> {
  /**
   * Runs once the server has answered (reload a list, close a dialog, show a secret). The
   * mutation stays `running` until it settles, and what it throws becomes the mutation's error.
   */
  onSuccess?: (data: R, variables: V) => unknown
}

interface MutationResult<R, V> {
  running: boolean
  /** The last run's failure, until the next run or `reset`. */
  error?: GraphQLRequestError
  /** The last run's answer, until the next run or `reset`. */
  data?: R
  /** What the last run sent. */
  variables?: V
}

export interface MutationState<R, V> extends MutationResult<R, V> {
  /** Sends the mutation. Resolves to the answer, or to undefined when it failed (see `error`); never rejects. */
  run: (...args: Variables<V>) => Promise<R | undefined>
  /** Forgets the last run's error and answer. */
  reset: () => void
}

/**
 * A mutation with its busy flag and outcome. `run` belongs to the render it came from, like any
 * event handler: `onSuccess` sees that render's props and state. Only the latest run writes the
 * outcome and calls `onSuccess`, so a double submit cannot leave an older answer (or a stuck
 * `running`) behind, nor act on it twice.
 */
export function useMutation<R, V>(document: TypedDocumentString<R, V>, options: MutationOptions<R, V> = {}): MutationState<R, V> {
  const [result, setResult] = useState<MutationResult<R, V>>({ running: false })
  const latestRun = useRef(0)
  const reset = useCallback(() => setResult(({ running }) => ({ running })), [])

  const run = async (...args: Variables<V>) => {
    const id = ++latestRun.current
    const write = (next: MutationResult<R, V>) => {
      if (id === latestRun.current) setResult(next)
    }
    const variables = args[0] as V
    write({ running: true, variables })
    let data: R | undefined
    try {
      data = await request(document, ...args)
      // A later run owns the outcome, and its onSuccess is the one that applies.
      if (id !== latestRun.current) return data
      write({ running: true, variables, data })
      await options.onSuccess?.(data, variables)
      write({ running: false, variables, data })
      return data
    } catch (error) {
      write({ running: false, variables, data, error: asRequestError(error) })
      return undefined
    }
  }

  return { ...result, run, reset }
}

/** A sign-in failure in words: a wrong secret, the throttle's own message, or what went wrong. */
export function signInMessage(error: unknown, wrong: string): string {
  if (error instanceof GraphQLRequestError && error.code === 'UNAUTHENTICATED') return wrong
  if (error instanceof GraphQLRequestError && error.code === 'RATE_LIMITED') {
    return error.message.replace(/in (\d+) seconds/, (text, s) =>
      Number(s) >= 90 ? `in about ${Math.round(Number(s) / 60)} minutes` : text,
    )
  }
  return messageOf(error)
}
