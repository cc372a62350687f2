'use client'
/** Projects: search by name, address or external id, sort by created or updated, page 20 at a time. */
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
    <AccountShell title="Projects">
      <Projects />
    </AccountShell>
  )
}

function Projects() {
  const list = useListState()
  const projects = useQuery(ProjectsDocument, list.variables)
  useSessionGuard(projects.error)
  const connection = projects.data?.projects
  return (
    <section className="card" aria-busy={projects.loading}>
      <div className="record-toolbar">
        <SearchBox list={list} label="Search" placeholder="Name, address or your id" />
        <DeletedSwitch list={list} noun="projects" />
      </div>
      <RecordRows
        list={list}
        query={projects}
        noun="projects"
        connection={connection}
        empty={emptyText(list, { one: 'project', many: 'projects' })}
      >
        {(edges) => (
          <div className="table-wrap">
            <table className="table record-table" data-testid="records-table">
              <thead>
                <tr>
                  <th scope="col">Project</th>
                  <th scope="col">Customer</th>
                  <th scope="col">Status</th>
                  <th scope="col">Stage</th>
                  <th scope="col" className="num">
                    Value
                  </th>
                  <TimeHeaders list={list} />
                </tr>
              </thead>
              <tbody>
                {edges.map(({ node }) => (
                  <tr key={node.id} data-testid="record-row">
                    <th scope="row">
                      <RecordLink list={list} href={`/projects/view?id=${node.id}`}>
                        {node.name || 'Unnamed project'}
                      </RecordLink>
                    </th>
                    <td>
                      <RecordLink list={list} href={`/customers/view?id=${node.customer.id}`}>
                        {node.customer.name || 'Unnamed customer'}
                      </RecordLink>
                    </td>
                    <td>{node.projectStatus ?? '—'}</td>
                    <td>{node.pipelineStage ?? '—'}</td>
                    <td className="num">{node.value == null ? '—' : node.value.toLocaleString('en-US', { minimumFractionDigits: 2 })}</td>
                    <TimeCells
                      list={list}
                      record={{ ...node, name: node.name || 'Unnamed project' }}
                      restore={RestoreProjectDocument}
                      scope="write:hub"
                      onRestored={projects.reload}
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
