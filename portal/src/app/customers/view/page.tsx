'use client'
/** One customer (`/customers/view?id=…`): details to edit, projects, delete and restore, and the timeline. */
import Link from 'next/link'
import { Suspense } from 'react'
import { AccountShell, allows, useAccount, useAccountMutation, useSessionGuard } from '../../../components/AccountShell'
import {
  BackLink,
  DeleteButton,
  DeletedBanner,
  EditForm,
  type FieldSpec,
  recordUnavailable,
  Timeline,
  useDeletion,
  useRecordId,
} from '../../../components/RecordDetail'
import { Empty, Loading } from '../../../components/ui'
import { graphql } from '../../../gql'
import { useQuery } from '../../../lib/graphql'
import { RestoreCustomerDocument } from '../../../lib/restores'

const CustomerDocument = graphql(`
  query PortalCustomer($id: ID!) {
    customer(id: $id) {
      id
      name
      firstName
      lastName
      email
      phone
      address
      externalId
      createdAt
      updatedAt
      projects(first: 50) {
        edges {
          node {
            id
            name
            projectStatus
          }
        }
      }
      timeline(first: 100) {
        id
        kind
        at
        title
        detail
        status
        channel
        scheduledFor
      }
    }
  }
`)

const SaveCustomerDocument = graphql(`
  mutation PortalSaveCustomer($input: CustomerInput!) {
    upsertCustomer(input: $input) {
      customer {
        id
      }
    }
  }
`)

const DeleteCustomerDocument = graphql(`
  mutation PortalDeleteCustomer($id: ID!) {
    deleteCustomer(id: $id) {
      restorableUntil
    }
  }
`)

const FIELDS: FieldSpec[] = [
  { name: 'name', label: 'Name' },
  { name: 'firstName', label: 'First name' },
  { name: 'lastName', label: 'Last name' },
  { name: 'email', label: 'Email', type: 'email' },
  { name: 'phone', label: 'Phone', type: 'tel', hint: 'E.164, e.g. +15555550100' },
  { name: 'address', label: 'Address' },
]

export default function CustomerViewPage() {
  return (
    <AccountShell title="Customer">
      <Suspense fallback={<Loading />}>
        <CustomerView />
      </Suspense>
    </AccountShell>
  )
}

function CustomerView() {
  const id = useRecordId()
  const { me, time } = useAccount()
  const customer = useQuery(CustomerDocument, { id })
  useSessionGuard(customer.error)
  const save = useAccountMutation(SaveCustomerDocument, { onSuccess: () => customer.reload() })
  const { deletedUntil, remove, restore } = useDeletion(
    DeleteCustomerDocument,
    RestoreCustomerDocument,
    (answer) => answer.deleteCustomer.restorableUntil,
    customer.reload,
  )
  const canWrite = allows(me, 'write:hub')
  const record = customer.data?.customer

  const unavailable = recordUnavailable(customer, Boolean(record), 'customer', { href: '/customers', label: 'All customers' })
  if (unavailable || !record) return unavailable
  return (
    <>
      <BackLink href="/customers">All customers</BackLink>
      <h2 data-testid="record-name">{record.name || 'Unnamed customer'}</h2>
      {deletedUntil && (
        <DeletedBanner
          noun="customer"
          until={deletedUntil}
          busy={restore.running}
          error={restore.error?.message}
          onRestore={() => void restore.run({ id })}
        />
      )}
      <div className="record-grid">
        <div className="record-side">
          <section className="card">
            <dl className="record-facts">
              <dt>External id</dt>
              <dd>{record.externalId ?? '—'}</dd>
              <dt>Created</dt>
              <dd>{time(record.createdAt)}</dd>
              <dt>Updated</dt>
              <dd>{time(record.updatedAt)}</dd>
            </dl>
          </section>
          {canWrite && !deletedUntil && (
            <section className="card">
              <EditForm
                fields={FIELDS}
                initial={Object.fromEntries(FIELDS.map((f) => [f.name, String(record[f.name as keyof typeof record] ?? '')]))}
                running={save.running}
                error={save.error}
                onSave={async (values) => Boolean(await save.run({ input: { id, ...values } }))}
              />
            </section>
          )}
          <section className="card" aria-labelledby="customer-projects">
            <h2 id="customer-projects">Projects</h2>
            {record.projects.edges.length === 0 ? (
              <Empty>No projects.</Empty>
            ) : (
              <ul>
                {record.projects.edges.map(({ node }) => (
                  <li key={node.id}>
                    <Link href={`/projects/view?id=${node.id}`}>{node.name || 'Unnamed project'}</Link>
                    {node.projectStatus && <span className="hint"> · {node.projectStatus}</span>}
                  </li>
                ))}
              </ul>
            )}
          </section>
          {canWrite && !deletedUntil && (
            <section className="card">
              <DeleteButton
                noun="customer"
                name={record.name ?? 'this customer'}
                busy={remove.running}
                error={remove.error?.message}
                onCancel={remove.reset}
                onDelete={async () => Boolean(await remove.run({ id }))}
              />
            </section>
          )}
        </div>
        <section className="card" aria-labelledby="customer-timeline" aria-busy={customer.loading}>
          <h2 id="customer-timeline">Timeline</h2>
          <Timeline items={record.timeline} />
        </section>
      </div>
    </>
  )
}
