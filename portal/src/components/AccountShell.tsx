'use client'
/**
 * The frame of every account page: loads the signed-in account (or sends the visitor to the
 * sign-in page), shows the navigation, the SMS credit balance and sign out, and shares the
 * account's time zone with the page.
 */
import Link from 'next/link'
import { usePathname, useRouter } from 'next/navigation'
import { createContext, type ReactNode, useCallback, useContext, useEffect, useRef } from 'react'
import { graphql } from '../gql'
import type { TypedDocumentString, ViewerQuery } from '../gql/graphql'
import { formatDateTime } from '../lib/format'
import { isUnauthenticated, type MutationOptions, type MutationState, useMutation } from '../lib/graphql'
import { useSignedInQuery } from '../lib/session'
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
    me {
      role
      powers
      scopes
      user {
        id
        name
      }
    }
  }
`)

const LogoutDocument = graphql(`
  mutation PortalLogout {
    portalLogout
  }
`)

export type Viewer = ViewerQuery['viewer']
export type Me = ViewerQuery['me']

interface AccountContext {
  account: Viewer
  /** Who is signed in: their role, its scopes and powers (pages hide what the role cannot do). */
  me: Me
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

/** Each page and what it needs: a power, or a scope (docs/users.md). */
const NAV: { href: string; label: string; needs?: string }[] = [
  { href: '/overview', label: 'Overview' },
  { href: '/inbox', label: 'Inbox', needs: 'read:conversations' },
  { href: '/customers', label: 'Customers', needs: 'read:hub' },
  { href: '/projects', label: 'Projects', needs: 'read:hub' },
  { href: '/leads', label: 'Leads', needs: 'leads:read' },
  { href: '/keys', label: 'API keys', needs: 'manage:keys' },
  { href: '/webhooks', label: 'Webhooks', needs: 'webhooks:read' },
  { href: '/integrations', label: 'Integrations', needs: 'read:hub' },
  { href: '/templates', label: 'Templates', needs: 'read:hub' },
  { href: '/campaigns', label: 'Campaigns', needs: 'read:hub' },
  { href: '/imports', label: 'Import & export', needs: 'leads:read' },
  { href: '/settings', label: 'Settings', needs: 'manage:settings' },
  { href: '/users', label: 'Users', needs: 'manage:users' },
  { href: '/sessions', label: 'Sessions' },
  { href: '/audit', label: 'Audit log', needs: 'audit:read' },
]

export const allows = (me: Me | undefined, needs?: string) =>
  !needs || Boolean(me && (me.powers.includes(needs) || me.scopes.includes(needs)))

export function AccountShell({ title, children }: { title: string; children: ReactNode }) {
  const router = useRouter()
  const pathname = usePathname()
  // Without a session this redirects to sign in having sent no query that the server refuses.
  const viewer = useSignedInQuery(ViewerDocument)
  const signOut = useMutation(LogoutDocument, { onSuccess: () => router.replace('/?signedOut=1') })
  // Signed out: the button stays busy while the sign-in page loads.
  const signingOut = signOut.running || Boolean(signOut.data)
  // While signing out, a page's request that the server refuses for want of a session is expected:
  // it must not send the visitor to sign in again with `next` instead of to the signed-out page.
  const leaving = useRef(false)
  const leave = async () => {
    leaving.current = true
    if (!(await signOut.run())) leaving.current = false
  }

  const sessionEnded = useCallback(() => {
    if (!leaving.current) router.replace(`/?next=${encodeURIComponent(pathname)}`)
  }, [router, pathname])
  useEffect(() => {
    if (isUnauthenticated(viewer.error)) sessionEnded()
  }, [viewer.error, sessionEnded])
  useEffect(() => {
    document.title = `${title} · CRM portal`
  }, [title])

  const account = viewer.data?.viewer
  const me = viewer.data?.me
  const context: AccountContext | null =
    account && me
      ? { account, me, time: (iso, empty) => formatDateTime(iso, account.timeZone, empty), refreshAccount: viewer.reload, sessionEnded }
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
          <button type="button" className="button small" onClick={() => void leave()} disabled={signingOut}>
            {signingOut ? 'Signing out…' : 'Sign out'}
          </button>
        </div>
        <nav className="nav" aria-label="Portal">
          {NAV.filter((item) => allows(me, item.needs)).map((item) => (
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
