'use client'
/** The page behind an invitation or password-reset link: choose a password, then go to the portal. */
import { useRouter } from 'next/navigation'
import { type FormEvent, useEffect, useState } from 'react'
import { graphql } from '../gql'
import { useMutation } from '../lib/graphql'
import { Notice } from './ui'

const AcceptDocument = graphql(`
  mutation AcceptInvitation($token: String!, $password: String!) {
    acceptInvitation(token: $token, password: $password) {
      account {
        id
      }
    }
  }
`)

const ResetDocument = graphql(`
  mutation ResetPassword($token: String!, $password: String!) {
    resetPassword(token: $token, password: $password) {
      account {
        id
      }
    }
  }
`)

export function ChoosePassword({ kind }: { kind: 'invitation' | 'reset' }) {
  const router = useRouter()
  const [token, setToken] = useState('')
  const [password, setPassword] = useState('')
  // Both answer the same shape: the account signed in to.
  const mutationDocument = (kind === 'invitation' ? AcceptDocument : ResetDocument) as typeof AcceptDocument
  const mutation = useMutation(mutationDocument, { onSuccess: () => router.replace('/overview') })
  // Saved: the link is used up, so the button stays busy while the portal loads.
  const saving = mutation.running || Boolean(mutation.data)
  const title = kind === 'invitation' ? 'Accept your invitation' : 'Choose a new password'

  useEffect(() => {
    document.title = `${title} · CRM portal`
    // The token travels in the fragment, which browsers never send to a server or in a Referer.
    setToken(new URLSearchParams(window.location.hash.slice(1)).get('token') ?? '')
  }, [title])

  const submit = (event: FormEvent) => {
    event.preventDefault()
    void mutation.run({ token, password })
  }

  return (
    <main id="main" className="auth">
      <form className="card auth-card" onSubmit={submit}>
        <h1>{title}</h1>
        <p className="hint">At least 10 characters; a common password or one containing your name or email is refused.</p>
        {!token && <Notice>This link has no token: open the link exactly as you received it.</Notice>}
        <div className="field">
          <label htmlFor="new-password">Password</label>
          <input
            id="new-password"
            type="password"
            autoComplete="new-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
          />
        </div>
        <Notice>{mutation.error?.message}</Notice>
        <button type="submit" className="button primary block" disabled={saving || !token}>
          {saving ? 'Saving…' : 'Save and sign in'}
        </button>
      </form>
    </main>
  )
}
