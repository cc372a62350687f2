'use client'
/** One customer (`/customers/view?id=…`): details to edit, projects, delete and restore, and the timeline. */
import Link from 'next/link'
import { CONTACT_FIELDS, type FieldSpec, RecordPage } from '../../../components/RecordDetail'
import { Empty } from '../../../components/ui'
import { graphql } from '../../../gql'
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
        ...PortalTimelineItem
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

const FIELDS = [...CONTACT_FIELDS, { name: 'address', label: 'Address' }] as const satisfies readonly FieldSpec[]

export default function CustomerViewPage() {
  return (
    <RecordPage
      noun={{ one: 'customer', many: 'customers' }}
      document={CustomerDocument}
      record="customer"
      scope="write:hub"
      fields={FIELDS}
      save={SaveCustomerDocument}
      saveVariables={(id, values) => ({ input: { id, ...values } })}
      remove={DeleteCustomerDocument}
      restorableUntil={(answer) => answer.deleteCustomer.restorableUntil}
      restore={RestoreCustomerDocument}
      related={(customer) => (
        <section className="card" aria-labelledby="customer-projects">
          <h2 id="customer-projects">Projects</h2>
          {customer.projects.edges.length === 0 ? (
            <Empty>No projects.</Empty>
          ) : (
            <ul>
              {customer.projects.edges.map(({ node }) => (
                <li key={node.id}>
                  <Link href={`/projects/view?id=${node.id}`}>{node.name || 'Unnamed project'}</Link>
                  {node.projectStatus && <span className="hint"> · {node.projectStatus}</span>}
                </li>
              ))}
            </ul>
          )}
        </section>
      )}
    />
  )
}
