'use client'
/** Projects: search by name, address or external id, sort by created or updated, page 20 at a time. */
import { RecordLink, RecordListPage } from '../../components/RecordList'
import { graphql } from '../../gql'
import { RestoreProjectDocument } from '../../lib/restores'

const ProjectsDocument = graphql(`
  query PortalProjects($search: String, $sort: ProjectSort, $order: SortOrder, $first: Int, $after: String, $deleted: Boolean) {
    projects(search: $search, sort: $sort, order: $order, first: $first, after: $after, deleted: $deleted) {
      totalCount
      edges {
        node {
          id
          name
          projectStatus
          pipelineStage
          value
          createdAt
          updatedAt
          deletedAt
          customer {
            id
            name
          }
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`)

export default function ProjectsPage() {
  return (
    <RecordListPage
      noun={{ one: 'project', many: 'projects' }}
      document={ProjectsDocument}
      connection={(data) => data.projects}
      search={{ label: 'Search', placeholder: 'Name, address or your id' }}
      nameHeader="Project"
      columns={[
        {
          header: 'Customer',
          cell: ({ customer }, list) => (
            <RecordLink list={list} href={`/customers/view?id=${customer.id}`}>
              {customer.name || 'Unnamed customer'}
            </RecordLink>
          ),
        },
        { header: 'Status', cell: (project) => project.projectStatus },
        { header: 'Stage', cell: (project) => project.pipelineStage },
        { header: 'Value', className: 'num', cell: (project) => project.value?.toLocaleString('en-US', { minimumFractionDigits: 2 }) },
      ]}
      restore={RestoreProjectDocument}
      scope="write:hub"
    />
  )
}
