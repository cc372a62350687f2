/** The restore mutations, shared by a record's page and its list's deleted view. */
import { graphql } from '../gql'

export const RestoreCustomerDocument = graphql(`
  mutation PortalRestoreCustomer($id: ID!) {
    restoreCustomer(id: $id) {
      customer {
        id
      }
    }
  }
`)

export const RestoreProjectDocument = graphql(`
  mutation PortalRestoreProject($id: ID!) {
    restoreProject(id: $id) {
      project {
        id
      }
    }
  }
`)

export const RestoreLeadDocument = graphql(`
  mutation PortalRestoreLead($id: ID!) {
    restoreLead(id: $id) {
      lead {
        id
      }
    }
  }
`)
