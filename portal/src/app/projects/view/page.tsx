'use client'
/** One project (`/projects/view?id=…`): details to edit, the status change, delete and restore, and the timeline. */
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
import { Loading } from '../../../components/ui'
import { graphql } from '../../../gql'
import { useQuery } from '../../../lib/graphql'
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

const FIELDS: FieldSpec[] = [
  { name: 'name', label: 'Name' },
  { name: 'address', label: 'Address' },
  { name: 'pipelineStage', label: 'Pipeline stage' },
  { name: 'buildDate', label: 'Build date', hint: 'YYYY-MM-DD' },
  { name: 'value', label: 'Value', type: 'number' },
]

export default function ProjectViewPage() {
  return (
    <AccountShell title="Project">
      <Suspense fallback={<Loading />}>
        <ProjectView />
      </Suspense>
    </AccountShell>
  )
}

function ProjectView() {
  const id = useRecordId()
  const { me, time } = useAccount()
  const project = useQuery(ProjectDocument, { id })
  useSessionGuard(project.error)
  const save = useAccountMutation(SaveProjectDocument, { onSuccess: () => project.reload() })
  const { deletedUntil, remove, restore } = useDeletion(
    DeleteProjectDocument,
    RestoreProjectDocument,
    (answer) => answer.deleteProject.restorableUntil,
    project.reload,
  )
  const canWrite = allows(me, 'write:hub')
  const record = project.data?.project

  const unavailable = recordUnavailable(project, Boolean(record), 'project', { href: '/projects', label: 'All projects' })
  if (unavailable || !record) return unavailable
  const eventTypes = [...new Set((project.data?.templates.edges ?? []).map(({ node }) => node.eventType))].sort()
  const initial = Object.fromEntries(FIELDS.map((f) => [f.name, String(record[f.name as keyof typeof record] ?? '')]))
  return (
    <>
      <BackLink href="/projects">All projects</BackLink>
      <h2 data-testid="record-name">{record.name || 'Unnamed project'}</h2>
      {deletedUntil && (
        <DeletedBanner
          noun="project"
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
              <dt>Customer</dt>
              <dd>
                <Link href={`/customers/view?id=${record.customer.id}`}>{record.customer.name || 'Unnamed customer'}</Link>
                {[record.customer.phone, record.customer.email].filter(Boolean).map((contact) => (
                  <span key={contact} className="hint">
                    {' '}
                    · {contact}
                  </span>
                ))}
              </dd>
              <dt>External id</dt>
              <dd>{record.externalId ?? '—'}</dd>
              <dt>Created</dt>
              <dd>{time(record.createdAt)}</dd>
              <dt>Updated</dt>
              <dd>{time(record.updatedAt)}</dd>
            </dl>
          </section>
          {canWrite && !deletedUntil && (
            <StatusChange
              projectId={id}
              current={record.projectStatus ?? null}
              eventTypes={eventTypes}
              timeline={record.timeline}
              onChanged={project.reload}
            />
          )}
          {canWrite && !deletedUntil && (
            <section className="card">
              <EditForm
                fields={FIELDS}
                initial={initial}
                running={save.running}
                error={save.error}
                onSave={async ({ value, ...values }) =>
                  Boolean(await save.run({ input: { id, ...values, value: value === null ? null : Number(value) } }))
                }
              />
            </section>
          )}
          {canWrite && !deletedUntil && (
            <section className="card">
              <DeleteButton
                noun="project"
                name={record.name ?? 'this project'}
                busy={remove.running}
                error={remove.error?.message}
                onCancel={remove.reset}
                onDelete={async () => Boolean(await remove.run({ id }))}
              />
            </section>
          )}
        </div>
        <section className="card" aria-labelledby="project-timeline" aria-busy={project.loading}>
          <h2 id="project-timeline">Timeline</h2>
          <Timeline items={record.timeline} />
        </section>
      </div>
    </>
  )
}
