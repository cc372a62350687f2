'use client'
/** Customers: search by name, email or phone, sort by created or updated, page 20 at a time. */
import { RecordListPage } from '../../components/RecordList'
import { graphql } from '../../gql'
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
    <RecordListPage
      noun={{ one: 'customer', many: 'customers' }}
      document={CustomersDocument}
      connection={(data) => data.customers}
      search={{ label: 'Search customers', placeholder: 'Name, email or phone' }}
      columns={[
        { header: 'Email', cell: (customer) => customer.email },
        { header: 'Phone', cell: (customer) => customer.phone },
      ]}
      restore={RestoreCustomerDocument}
      scope="write:hub"
    />
  )
}
