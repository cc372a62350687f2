'use client'
/** Every account with its credits, a form to create one, and the rotation of an access code. */
import { useState } from 'react'
import { ConfirmDialog, Empty, SecretOnce } from '../../components/ui'
import { graphql } from '../../gql'
import type { AdminAccountsQuery } from '../../gql/graphql'
import { formatDateTime } from '../../lib/format'
import { useMutation } from '../../lib/graphql'
import { CreateAccountForm } from './CreateAccountForm'
import { GrantForm } from './GrantForm'

const RotateAccessCodeDocument = graphql(`
  mutation AdminRotateAccessCode($accountId: ID!) {
    rotateAccessCode(accountId: $accountId) {
      accessCode
    }
  }
`)

type Account = AdminAccountsQuery['accounts'][number]

export function AdminAccounts({ accounts, reload }: { accounts: Account[]; reload: () => Promise<void> }) {
  const [shown, setShown] = useState<{ label: string; code: string }>()
  const [rotating, setRotating] = useState<Account>()
  const rotate = useMutation(RotateAccessCodeDocument, {
    onSuccess: (data, { accountId }) => {
      const name = accounts.find((a) => a.id === accountId)?.name ?? accountId
      setShown({ label: `New access code for “${name}”`, code: data.rotateAccessCode.accessCode })
      setRotating(undefined)
    },
  })

  return (
    <>
      <section className="card" aria-labelledby="create-account">
        <h2 id="create-account">Create an account</h2>
        {shown ? (
          <SecretOnce
            label={shown.label}
            value={shown.code}
            warning="This access code will not be shown again: only its hash is stored. Hand it to the account owner now."
            onDone={() => setShown(undefined)}
          />
        ) : (
          <CreateAccountForm
            onCreated={async (name, code) => {
              setShown({ label: `Access code for “${name}”`, code })
              await reload()
            }}
          />
        )}
      </section>
      <section className="card" aria-labelledby="account-list">
        <h2 id="account-list">All accounts</h2>
        {accounts.length === 0 ? (
          <Empty>No accounts yet.</Empty>
        ) : (
          <div className="table-wrap">
            <table className="table responsive" data-testid="account-table">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">ID</th>
                  <th scope="col">SMS credits</th>
                  <th scope="col">Created</th>
                  <th scope="col">Grant credits</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {accounts.map((account) => (
                  <tr key={account.id}>
                    <th scope="row" data-label="Name">
                      {account.name}
                    </th>
                    <td data-label="ID">
                      <code className="small-code">{account.id}</code>
                    </td>
                    <td data-label="SMS credits" className="num">
                      {account.smsCredits.toLocaleString('en-US')}
                    </td>
                    <td data-label="Created">{formatDateTime(account.createdAt, 'UTC')}</td>
                    <td data-label="Grant credits">
                      <GrantForm account={account} onGranted={reload} />
                    </td>
                    <td data-label="">
                      <button
                        type="button"
                        className="button small"
                        onClick={() => {
                          rotate.reset()
                          setRotating(account)
                        }}
                      >
                        Rotate access code
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <ConfirmDialog
        open={Boolean(rotating)}
        title="Rotate the access code?"
        confirmLabel="Rotate code"
        busy={rotate.running}
        error={rotate.error?.message}
        onConfirm={() => rotating && rotate.run({ accountId: rotating.id })}
        onCancel={() => setRotating(undefined)}
      >
        <p>
          The current code of “{rotating?.name}” stops working at once and every portal session opened with it ends. The new code is shown
          once.
        </p>
      </ConfirmDialog>
    </>
  )
}
