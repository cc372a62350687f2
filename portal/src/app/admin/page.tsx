'use client'
/**
 * The operator's view, behind ADMIN_TOKEN: accounts, create an account (its access code shown
 * once), rotate an access code (shown once), grant SMS credits.
 */
import { useEffect, useState } from 'react'
import { Loading } from '../../components/ui'
import { graphql } from '../../gql'
import { GraphQLRequestError, useMutation } from '../../lib/graphql'
import { useSignedInQuery } from '../../lib/session'
import { AdminAccounts } from './AdminAccounts'
import { AdminSignIn } from './AdminSignIn'

const AdminAccountsDocument = graphql(`
  query AdminAccounts {
    accounts {
      id
      name
      smsCredits
      createdAt
    }
  }
`)

const LogoutDocument = graphql(`
  mutation AdminLogout {
    portalLogout
  }
`)

const notAdmin = (error: unknown) =>
  error instanceof GraphQLRequestError && (error.code === 'UNAUTHENTICATED' || error.code === 'FORBIDDEN')

export default function AdminPage() {
  const accounts = useSignedInQuery(AdminAccountsDocument, 'operator')
  const [signedOut, setSignedOut] = useState(false)
  useEffect(() => {
    document.title = 'Admin · CRM portal'
  }, [])

  // The reload shows whether the session really ended: after a failed sign-out the accounts stay.
  const logout = useMutation(LogoutDocument)
  const signOut = async () => {
    await logout.run()
    setSignedOut(true)
    await accounts.reload()
  }

  if (!accounts.data && accounts.loading) {
    return (
      <main id="main" className="auth">
        <div className="card auth-card">
          <Loading rows={2} />
        </div>
      </main>
    )
  }
  if (!accounts.data || notAdmin(accounts.error)) {
    return (
      <AdminSignIn
        signedOut={signedOut}
        problem={accounts.error && !notAdmin(accounts.error) ? accounts.error.message : undefined}
        onSignedIn={accounts.reload}
      />
    )
  }
  return (
    <div className="shell">
      <header className="topbar">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true">
            ◆
          </span>
          <span className="brand-name">Operator</span>
        </div>
        <div className="topbar-meta">
          <button type="button" className="button small" onClick={signOut} disabled={logout.running}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" className="main">
        <div className="page-head">
          <h1>Accounts</h1>
          <p className="hint">Times in UTC</p>
        </div>
        <AdminAccounts accounts={accounts.data.accounts} reload={accounts.reload} />
      </main>
    </div>
  )
}
