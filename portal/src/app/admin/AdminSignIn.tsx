'use client'
import Link from 'next/link'
import { type FormEvent, useState } from 'react'
import { Notice } from '../../components/ui'
import { graphql } from '../../gql'
import { signInMessage, useMutation } from '../../lib/graphql'

const AdminLoginDocument = graphql(`
  mutation AdminLogin($token: String!) {
    adminLogin(token: $token)
  }
`)

/** The operator's sign-in with ADMIN_TOKEN; `problem` is why the accounts could not be loaded, if not for signing in. */
export function AdminSignIn({ signedOut, problem, onSignedIn }: { signedOut: boolean; problem?: string; onSignedIn: () => Promise<void> }) {
  const [token, setToken] = useState('')
  const [empty, setEmpty] = useState(false)
  const login = useMutation(AdminLoginDocument, { onSuccess: onSignedIn })

  const submit = (event: FormEvent) => {
    event.preventDefault()
    setEmpty(!token)
    if (token) void login.run({ token })
  }

  const error = empty
    ? 'Enter the admin token.'
    : login.error && signInMessage(login.error, 'That admin token is not right (or the server has no ADMIN_TOKEN set).')
  return (
    <main id="main" className="auth">
      <form className="card auth-card" onSubmit={submit} noValidate>
        <h1>Admin sign-in</h1>
        <p className="hint">For the operator of this server: sign in with its ADMIN_TOKEN.</p>
        {signedOut && <Notice kind="info">You have signed out.</Notice>}
        <Notice>{problem}</Notice>
        <div className="field">
          <label htmlFor="admin-token">Admin token</label>
          <input
            id="admin-token"
            type="password"
            autoComplete="off"
            spellCheck={false}
            value={token}
            onChange={(e) => setToken(e.target.value)}
            aria-invalid={error ? true : undefined}
            required
          />
        </div>
        <Notice>{error}</Notice>
        <button type="submit" className="button primary block" disabled={login.running}>
          {login.running ? 'Signing in…' : 'Sign in as operator'}
        </button>
        <p className="hint center">
          Account owner? <Link href="/">Sign in with an access code</Link>
        </p>
      </form>
    </main>
  )
}
