'use client'
/**
 * Who is signed in, asked without a refusal: a query for account data answers 401 to a visitor
 * without a session, and the browser logs every 401 in its console. So a page first asks
 * `portalSignedIn` and `portalOperator` (never refused) and only then loads the account.
 */
import { useCallback } from 'react'
import { graphql } from '../gql'
import type { TypedDocumentString } from '../gql/graphql'
import { GraphQLRequestError, isUnauthenticated, type QueryState, request, useLoad } from './graphql'

const WhoDocument = graphql(`
  query PortalWho {
    portalSignedIn
    portalOperator
  }
`)

/**
 * Whether this tab has seen the account's session since it loaded: moving between pages then
 * skips the check. The sign-in page forgets it, so the next account page asks again.
 */
let sessionSeen = false

export const forgetSession = () => {
  sessionSeen = false
}

/**
 * Like useQuery, for a query that needs a session: the account's (an account page) or the
 * operator's (the admin page). Without it the query is not sent and the state fails with
 * UNAUTHENTICATED, or FORBIDDEN when the operator opens an account page.
 */
export function useSignedInQuery<R>(
  document: TypedDocumentString<R, Record<string, never>>,
  as: 'account' | 'operator' = 'account',
): QueryState<R> {
  const load = useCallback(async () => {
    try {
      if (as === 'operator') {
        if (!(await request(WhoDocument)).portalOperator) throw new GraphQLRequestError('Sign in as the operator.', 'UNAUTHENTICATED')
      } else if (!sessionSeen) {
        const who = await request(WhoDocument)
        if (who.portalOperator) throw new GraphQLRequestError('The operator has no account pages.', 'FORBIDDEN')
        if (!who.portalSignedIn) throw new GraphQLRequestError('Sign in to continue.', 'UNAUTHENTICATED')
      }
      const data = await request(document)
      if (as === 'account') sessionSeen = true
      return data
    } catch (e) {
      if (isUnauthenticated(e)) sessionSeen = false
      throw e
    }
  }, [document, as])
  return useLoad(load)
}
