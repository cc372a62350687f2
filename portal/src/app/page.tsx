'use client'
/** Sign in with the account's access code. */
import Link from 'next/link'
import { useRouter } from 'next/navigation'
import { type FormEvent, useEffect, useState } from 'react'
import { Notice } from '../components/ui'
import { graphql } from '../gql'
import { request, signInMessage, useMutation } from '../lib/graphql'

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

const SignedInDocument = graphql(`
  query SignedIn {
    viewer {
      id
    }
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
  // Signed in: the button stays busy while the next page loads.
  const busy = login.running || Boolean(login.data)
  const error = problem ?? (login.error && signInMessage(login.error, 'That access code is not right. Check it and try again.'))

  useEffect(() => {
    document.title = 'Sign in · CRM portal'
    if (new URLSearchParams(window.location.search).has('signedOut')) setInfo('You have signed out.')
    // Already signed in: go straight to the portal.
    request(SignedInDocument).then(
      () => router.replace(nextPath()),
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

  return (
    <main id="main" className="auth">
      <form className="card auth-card" onSubmit={submit} noValidate aria-describedby="signin-help">
        <h1>Sign in</h1>
        <p id="signin-help" className="hint">
          Use the access code your operator gave you for your account.
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
