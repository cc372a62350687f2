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

type Variables<V> = V extends Record<string, never> ? [variables?: V] : [variables: V]

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

export interface QueryState<R> {
  data: R | undefined
  error: GraphQLRequestError | undefined
  loading: boolean
  reload: () => Promise<void>
}

/** Runs a query on mount (and when `key` changes); `reload` runs it again keeping the old data. */
export function useQuery<R, V>(document: TypedDocumentString<R, V>, variables?: V, key = ''): QueryState<R> {
  const [data, setData] = useState<R>()
  const [error, setError] = useState<GraphQLRequestError>()
  const [loading, setLoading] = useState(true)
  const latest = useRef({ document, variables })
  latest.current = { document, variables }

  const reload = useCallback(async () => {
    setLoading(true)
    try {
      const { document: doc, variables: vars } = latest.current
      setData(await request(doc, ...([vars] as Variables<V>)))
      setError(undefined)
    } catch (e) {
      setError(e instanceof GraphQLRequestError ? e : new GraphQLRequestError(messageOf(e), undefined))
    } finally {
      setLoading(false)
    }
  }, [])

  useEffect(() => {
    void reload()
  }, [reload, key])

  return { data, error, loading, reload }
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
