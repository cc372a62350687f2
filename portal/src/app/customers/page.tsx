'use client'
/** Customers: search by name, email or phone, sort by created or updated, page 20 at a time. */
import { AccountShell, useSessionGuard } from '../../components/AccountShell'
import {
  DeletedSwitch,
  emptyText,
  RecordLink,
  RecordRows,
  SearchBox,
  TimeCells,
  TimeHeaders,
  useListState,
} from '../../components/RecordList'
import { graphql } from '../../gql'
import { useQuery } from '../../lib/graphql'
import { RestoreCustomerDocument } from '../../lib/restores'

const CustomersDocument = graphql(`
  query PortalCustomers($search: String, $sort: CustomerSort, $order: SortOrder, $first: Int, $after: String, $deleted: Boolean) {
    customers(search: $search, sort: $sort, order: $order, first: $first, after: $after, deleted: $deleted) {
      totalCount
      edges {
        node {
          id
          name
          email
          phone
          createdAt
          updatedAt
          deletedAt
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`)

export default function CustomersPage() {
  return (
    <AccountShell title="Customers">
      <Customers />
    </AccountShell>
  )
}

function Customers() {
  const list = useListState()
  const customers = useQuery(CustomersDocument, list.variables)
  useSessionGuard(customers.error)
  const connection = customers.data?.customers
  return (
    <section className="card" aria-busy={customers.loading}>
      <div className="record-toolbar">
        <SearchBox list={list} label="Search customers" placeholder="Name, email or phone" />
        <DeletedSwitch list={list} noun="customers" />
      </div>
      <RecordRows
        list={list}
        query={customers}
        noun="customers"
        connection={connection}
        empty={emptyText(list, { one: 'customer', many: 'customers' })}
      >
        {(edges) => (
          <div className="table-wrap">
            <table className="table record-table" data-testid="records-table">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Email</th>
                  <th scope="col">Phone</th>
                  <TimeHeaders list={list} />
                </tr>
              </thead>
              <tbody>
                {edges.map(({ node }) => (
                  <tr key={node.id} data-testid="record-row">
                    <th scope="row">
                      <RecordLink list={list} href={`/customers/view?id=${node.id}`}>
                        {node.name || 'Unnamed customer'}
                      </RecordLink>
                    </th>
                    <td>{node.email ?? '—'}</td>
                    <td>{node.phone ?? '—'}</td>
                    <TimeCells
                      list={list}
                      record={{ ...node, name: node.name || 'Unnamed customer' }}
                      restore={RestoreCustomerDocument}
                      scope="write:hub"
                      onRestored={customers.reload}
                    />
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </RecordRows>
    </section>
  )
}
