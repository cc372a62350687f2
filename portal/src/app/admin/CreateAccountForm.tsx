'use client'
import { type FormEvent, useState } from 'react'
import { Notice } from '../../components/ui'
import { graphql } from '../../gql'
import { useMutation } from '../../lib/graphql'

const CreateAccountDocument = graphql(`
  mutation AdminCreateAccount($name: String!) {
    createAccount(input: { name: $name }) {
      accessCode
      account {
        id
        name
      }
    }
  }
`)

/** A new account; `onCreated` receives its access code, shown once. */
export function CreateAccountForm({ onCreated }: { onCreated: (name: string, code: string) => Promise<void> }) {
  const [name, setName] = useState('')
  const [empty, setEmpty] = useState(false)
  const create = useMutation(CreateAccountDocument, {
    onSuccess: (data) => {
      setName('')
      return onCreated(data.createAccount.account.name, data.createAccount.accessCode)
    },
  })

  const submit = (event: FormEvent) => {
    event.preventDefault()
    setEmpty(!name.trim())
    if (name.trim()) void create.run({ name: name.trim() })
  }

  return (
    <form onSubmit={submit} noValidate className="form inline-form">
      <div className="field grow">
        <label htmlFor="account-name">Account name</label>
        <input
          id="account-name"
          value={name}
          onChange={(e) => setName(e.target.value)}
          maxLength={200}
          placeholder="e.g. Acme Roofing"
          required
        />
      </div>
      <button type="submit" className="button primary" disabled={create.running}>
        {create.running ? 'Creating…' : 'Create account'}
      </button>
      <Notice>{empty ? 'Enter the account name.' : create.error?.message}</Notice>
    </form>
  )
}
