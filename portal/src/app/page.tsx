'use client'
/** Sign in with your email and password, or (the owner) with the account's access code. */
import Link from 'next/link'
import { useRouter } from 'next/navigation'
import { type FormEvent, useEffect, useState } from 'react'
import { Notice } from '../components/ui'
import { graphql } from '../gql'
import { request, signInMessage, useMutation } from '../lib/graphql'
import { forgetSession } from '../lib/session'

const LoginDocument = graphql(`
  mutation PortalLogin($accessCode: String!) {
    portalLogin(accessCode: $accessCode) {
      account {
        id
        name
      }
    }
  }
`)

const UserLoginDocument = graphql(`
  mutation UserLogin($email: String!, $password: String!) {
    userLogin(email: $email, password: $password) {
      account {
        id
      }
    }
  }
`)

const SignedInDocument = graphql(`
  query SignedIn {
    portalSignedIn
  }
`)

/** Only paths inside the portal are followed after sign-in. */
function nextPath(): string {
  const next = new URLSearchParams(window.location.search).get('next') ?? ''
  return /^\/[a-z-]+$/.test(next) ? next : '/overview'
}

export default function SignInPage() {
  const router = useRouter()
  const [code, setCode] = useState('')
  const [problem, setProblem] = useState<string>()
  const [info, setInfo] = useState<string>()
  const login = useMutation(LoginDocument, { onSuccess: () => router.replace(nextPath()) })
  const [email, setEmail] = useState('')
  const [password, setPassword] = useState('')
  const userLogin = useMutation(UserLoginDocument, { onSuccess: () => router.replace(nextPath()) })
  const userError = userLogin.error && signInMessage(userLogin.error, 'That email and password do not match. Check them and try again.')
  // Signed in: the button stays busy while the next page loads.
  const busy = login.running || Boolean(login.data)
  const error = problem ?? (login.error && signInMessage(login.error, 'That access code is not right. Check it and try again.'))

  useEffect(() => {
    document.title = 'Sign in · CRM portal'
    // Whoever signs in next, the account pages check the session again.
    forgetSession()
    if (new URLSearchParams(window.location.search).has('signedOut')) setInfo('You have signed out.')
    // Already signed in: go straight to the portal. Asked with a query that never answers 401,
    // so a visitor without a session sees no error in the console.
    request(SignedInDocument).then(
      (answer) => answer.portalSignedIn && router.replace(nextPath()),
      () => {},
    )
  }, [router])

  const submit = (event: FormEvent) => {
    event.preventDefault()
    setInfo(undefined)
    const accessCode = code.trim()
    setProblem(accessCode ? undefined : 'Enter your access code.')
    if (accessCode) void login.run({ accessCode })
  }

  const submitUser = (event: FormEvent) => {
    event.preventDefault()
    setInfo(undefined)
    if (email.trim() && password) void userLogin.run({ email: email.trim(), password })
  }

  return (
    <main id="main" className="auth">
      <form className="card auth-card" onSubmit={submitUser} aria-labelledby="user-signin">
        <h2 id="user-signin">Sign in with your email</h2>
        <div className="field">
          <label htmlFor="user-email">Email</label>
          <input id="user-email" type="email" autoComplete="username" value={email} onChange={(e) => setEmail(e.target.value)} required />
        </div>
        <div className="field">
          <label htmlFor="user-password">Password</label>
          <input
            id="user-password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
          />
        </div>
        <Notice>{userError}</Notice>
        <button type="submit" className="button primary block" disabled={userLogin.running || Boolean(userLogin.data)}>
          {userLogin.running || userLogin.data ? 'Checking…' : 'Continue with email'}
        </button>
      </form>
      <form className="card auth-card" onSubmit={submit} noValidate aria-describedby="signin-help">
        <h1>Sign in</h1>
        <p id="signin-help" className="hint">
          Account owner: use the access code your operator gave you for your account.
        </p>
        <Notice kind="info">{info}</Notice>
        <div className="field">
          <label htmlFor="access-code">Access code</label>
          <input
            id="access-code"
            name="accessCode"
            type="password"
            autoComplete="current-password"
            autoCapitalize="off"
            spellCheck={false}
            value={code}
            onChange={(e) => setCode(e.target.value)}
            aria-invalid={error ? true : undefined}
            aria-errormessage={error ? 'signin-error' : undefined}
            required
          />
        </div>
        <div id="signin-error">
          <Notice>{error}</Notice>
        </div>
        <button type="submit" className="button primary block" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        <p className="hint center">
          Operator? <Link href="/admin">Admin sign-in</Link>
        </p>
      </form>
    </main>
  )
}
