'use client'
/**
 * The frame of every account page: loads the signed-in account (or sends the visitor to the
 * sign-in page), shows the navigation, the SMS credit balance and sign out, and shares the
 * account's time zone with the page.
 */
import Link from 'next/link'
import { usePathname, useRouter } from 'next/navigation'
import { createContext, type ReactNode, useCallback, useContext, useEffect } from 'react'
import { graphql } from '../gql'
import type { TypedDocumentString, ViewerQuery } from '../gql/graphql'
import { formatDateTime } from '../lib/format'
import { isUnauthenticated, type MutationOptions, type MutationState, useMutation, useQuery } from '../lib/graphql'
import { Loading, Notice } from './ui'

const ViewerDocument = graphql(`
  query Viewer {
    viewer {
      id
      name
      timeZone
      smsCredits
      autoDispatch
      testMode
      sendingWindowStart
      sendingWindowEnd
    }
  }
`)

const LogoutDocument = graphql(`
  mutation PortalLogout {
    portalLogout
  }
`)

export type Viewer = ViewerQuery['viewer']

interface AccountContext {
  account: Viewer
  /** Formats an ISO timestamp in the account's time zone. */
  time: (iso: string | null | undefined, empty?: string) => string
  refreshAccount: () => Promise<void>
  /** Call when a request answers UNAUTHENTICATED: the session has ended. */
  sessionEnded: () => void
}

const Context = createContext<AccountContext | null>(null)

export function useAccount(): AccountContext {
  const value = useContext(Context)
  if (!value) throw new Error('useAccount outside AccountShell')
  return value
}

const NAV = [
  { href: '/overview', label: 'Overview' },
  { href: '/keys', label: 'API keys' },
  { href: '/webhooks', label: 'Webhooks' },
  { href: '/integrations', label: 'Integrations' },
  { href: '/settings', label: 'Settings' },
]

export function AccountShell({ title, children }: { title: string; children: ReactNode }) {
  const router = useRouter()
  const pathname = usePathname()
  const viewer = useQuery(ViewerDocument)
  const signOut = useMutation(LogoutDocument, { onSuccess: () => router.replace('/?signedOut=1') })
  // Signed out: the button stays busy while the sign-in page loads.
  const signingOut = signOut.running || Boolean(signOut.data)

  const sessionEnded = useCallback(() => router.replace(`/?next=${encodeURIComponent(pathname)}`), [router, pathname])
  useEffect(() => {
    if (isUnauthenticated(viewer.error)) sessionEnded()
  }, [viewer.error, sessionEnded])
  useEffect(() => {
    document.title = `${title} · CRM portal`
  }, [title])

  const account = viewer.data?.viewer
  const context: AccountContext | null = account
    ? { account, time: (iso, empty) => formatDateTime(iso, account.timeZone, empty), refreshAccount: viewer.reload, sessionEnded }
    : null

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true">
            ◆
          </span>
          <span className="brand-name">{account?.name ?? ' '}</span>
        </div>
        <div className="topbar-meta">
          <span className="credits" title="SMS credits left">
            <span className="visually-hidden">SMS credits: </span>
            <span aria-hidden="true">SMS credits </span>
            <strong data-testid="sms-credits">{account ? account.smsCredits.toLocaleString('en-US') : '–'}</strong>
          </span>
          <button type="button" className="button small" onClick={() => signOut.run()} disabled={signingOut}>
            {signingOut ? 'Signing out…' : 'Sign out'}
          </button>
        </div>
        <nav className="nav" aria-label="Portal">
          {NAV.map((item) => (
            <Link key={item.href} href={item.href} className="nav-link" aria-current={pathname === item.href ? 'page' : undefined}>
              {item.label}
            </Link>
          ))}
        </nav>
      </header>
      <main id="main" className="main" tabIndex={-1}>
        <div className="page-head">
          <h1>{title}</h1>
          {account && <p className="hint">Times in {account.timeZone}</p>}
        </div>
        <Notice>{signOut.error?.message}</Notice>
        {context ? (
          <Context.Provider value={context}>{children}</Context.Provider>
        ) : viewer.error?.code === 'FORBIDDEN' ? (
          <Notice kind="info">
            You are signed in as the operator, who has no account pages. Open the <Link href="/admin">admin view</Link>, or sign out and
            sign in with an account&apos;s access code.
          </Notice>
        ) : viewer.error && !isUnauthenticated(viewer.error) ? (
          <Notice>
            Could not load your account: {viewer.error.message}{' '}
            <button type="button" className="link-button" onClick={() => void viewer.reload()}>
              Try again
            </button>
          </Notice>
        ) : (
          <Loading />
        )}
      </main>
    </div>
  )
}

/** Sends the visitor to sign in when a page's own query finds the session gone. */
export function useSessionGuard(error: unknown) {
  const { sessionEnded } = useAccount()
  useEffect(() => {
    if (isUnauthenticated(error)) sessionEnded()
  }, [error, sessionEnded])
}

/** useMutation on an account page: when the session has ended, it goes to sign-in instead of showing the error. */
export function useAccountMutation<R, V>(document: TypedDocumentString<R, V>, options?: MutationOptions<R, V>): MutationState<R, V> {
  const mutation = useMutation(document, options)
  useSessionGuard(mutation.error)
  return isUnauthenticated(mutation.error) ? { ...mutation, error: undefined } : mutation
}
