'use client'
import { type FormEvent, useState } from 'react'
import { Notice } from '../../components/ui'
import { graphql } from '../../gql'
import type { AdminAccountsQuery } from '../../gql/graphql'
import { useMutation } from '../../lib/graphql'

const GrantSmsCreditsDocument = graphql(`
  mutation AdminGrantSmsCredits($accountId: ID!, $amount: Int!) {
    grantSmsCredits(accountId: $accountId, amount: $amount) {
      account {
        id
        smsCredits
      }
    }
  }
`)

type Account = AdminAccountsQuery['accounts'][number]

/** Grants SMS credits to one account, from its row of the accounts table. */
export function GrantForm({ account, onGranted }: { account: Account; onGranted: () => Promise<void> }) {
  const [amount, setAmount] = useState('')
  const [problem, setProblem] = useState<string>()
  const grant = useMutation(GrantSmsCreditsDocument, {
    onSuccess: () => {
      setAmount('')
      return onGranted()
    },
  })

  const submit = (event: FormEvent) => {
    event.preventDefault()
    const n = Number(amount)
    const valid = Number.isInteger(n) && n >= 1
    setProblem(valid ? undefined : 'Enter a whole number of credits, 1 or more.')
    if (valid) void grant.run({ accountId: account.id, amount: n })
  }

  const error = problem ?? grant.error?.message
  const granted = grant.data && grant.variables && `Granted ${grant.variables.amount.toLocaleString('en-US')}.`
  const id = `grant-${account.id}`
  return (
    <form onSubmit={submit} noValidate className="grant-form">
      <label htmlFor={id} className="visually-hidden">
        Credits to grant to {account.name}
      </label>
      <input
        id={id}
        type="number"
        inputMode="numeric"
        min={1}
        step={1}
        value={amount}
        onChange={(e) => setAmount(e.target.value)}
        placeholder="100"
        className="narrow"
      />
      <button type="submit" className="button small" disabled={grant.running}>
        {grant.running ? 'Granting…' : 'Grant'}
      </button>
      {error ? <Notice>{error}</Notice> : <Notice kind="success">{granted}</Notice>}
    </form>
  )
}
