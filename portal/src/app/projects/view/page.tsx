'use client'
/** One project (`/projects/view?id=…`): details to edit, the status change, delete and restore, and the timeline. */
import Link from 'next/link'
import { type FieldSpec, RecordPage } from '../../../components/RecordDetail'
import { graphql } from '../../../gql'
import { RestoreProjectDocument } from '../../../lib/restores'
import { StatusChange } from './StatusChange'

const ProjectDocument = graphql(`
  query PortalProject($id: ID!) {
    project(id: $id) {
      id
      name
      address
      buildDate
      pipelineStage
      projectStatus
      value
      externalId
      createdAt
      updatedAt
      customer {
        id
        name
        phone
        email
      }
      timeline(first: 100) {
        ...PortalTimelineItem
      }
    }
    templates(first: 100) {
      edges {
        node {
          eventType
        }
      }
    }
  }
`)

const SaveProjectDocument = graphql(`
  mutation PortalSaveProject($input: ProjectInput!) {
    saveProject(input: $input) {
      project {
        id
      }
    }
  }
`)

const DeleteProjectDocument = graphql(`
  mutation PortalDeleteProject($id: ID!) {
    deleteProject(id: $id) {
      restorableUntil
    }
  }
`)

const FIELDS = [
  { name: 'name', label: 'Name' },
  { name: 'address', label: 'Address' },
  { name: 'pipelineStage', label: 'Pipeline stage' },
  { name: 'buildDate', label: 'Build date', hint: 'YYYY-MM-DD' },
  { name: 'value', label: 'Value', type: 'number' },
] as const satisfies readonly FieldSpec[]

export default function ProjectViewPage() {
  return (
    <RecordPage
      noun={{ one: 'project', many: 'projects' }}
      document={ProjectDocument}
      record="project"
      scope="write:hub"
      facts={({ customer }) => (
        <>
          <dt>Customer</dt>
          <dd>
            <Link href={`/customers/view?id=${customer.id}`}>{customer.name || 'Unnamed customer'}</Link>
            {[customer.phone, customer.email].filter(Boolean).map((contact) => (
              <span key={contact} className="hint">
                {' '}
                · {contact}
              </span>
            ))}
          </dd>
        </>
      )}
      fields={FIELDS}
      save={SaveProjectDocument}
      saveVariables={(id, { value, ...values }) => ({ input: { id, ...values, value: value === null ? null : Number(value) } })}
      remove={DeleteProjectDocument}
      restorableUntil={(answer) => answer.deleteProject.restorableUntil}
      restore={RestoreProjectDocument}
      tools={(project, { id, data, reload }) => (
        <StatusChange
          projectId={id}
          current={project.projectStatus ?? null}
          eventTypes={[...new Set(data.templates.edges.map(({ node }) => node.eventType))].sort()}
          timeline={project.timeline}
          onChanged={reload}
        />
      )}
    />
  )
}
