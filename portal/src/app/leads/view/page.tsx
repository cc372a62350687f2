'use client'
/** One lead (`/leads/view?id=…`): details and stage to edit, delete and restore, and the timeline. */
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
import type { LeadStage } from '../../../gql/graphql'
import { useQuery } from '../../../lib/graphql'
import { RestoreLeadDocument } from '../../../lib/restores'
import { LEAD_STAGES } from '../stages'

const LeadDocument = graphql(`
  query PortalLead($id: ID!) {
    lead(id: $id) {
      id
      name
      firstName
      lastName
      email
      phone
      source
      pipelineStage
      aiStatus
      aiScore
      aiSummary
      externalId
      createdAt
      updatedAt
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

const UpdateLeadDocument = graphql(`
  mutation PortalUpdateLead($id: ID!, $input: LeadPatch!) {
    updateLead(id: $id, input: $input) {
      id
    }
  }
`)

const DeleteLeadDocument = graphql(`
  mutation PortalDeleteLead($id: ID!) {
    deleteLead(id: $id) {
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
  { name: 'source', label: 'Source' },
  { name: 'pipelineStage', label: 'Stage', options: LEAD_STAGES },
]

export default function LeadViewPage() {
  return (
    <AccountShell title="Lead">
      <Suspense fallback={<Loading />}>
        <LeadView />
      </Suspense>
    </AccountShell>
  )
}

function LeadView() {
  const id = useRecordId()
  const { me, time } = useAccount()
  const lead = useQuery(LeadDocument, { id })
  useSessionGuard(lead.error)
  const save = useAccountMutation(UpdateLeadDocument, { onSuccess: () => lead.reload() })
  const { deletedUntil, remove, restore } = useDeletion(
    DeleteLeadDocument,
    RestoreLeadDocument,
    (answer) => answer.deleteLead.restorableUntil,
    lead.reload,
  )
  const canWrite = allows(me, 'leads:write')
  const record = lead.data?.lead

  const unavailable = recordUnavailable(lead, Boolean(record), 'lead', { href: '/leads', label: 'All leads' })
  if (unavailable || !record) return unavailable
  const initial = Object.fromEntries(FIELDS.map((f) => [f.name, String(record[f.name as keyof typeof record] ?? '')]))
  return (
    <>
      <BackLink href="/leads">All leads</BackLink>
      <h2 data-testid="record-name">{record.name || 'Unnamed lead'}</h2>
      {deletedUntil && (
        <DeletedBanner
          noun="lead"
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
              <dt>Stage</dt>
              <dd>{record.pipelineStage.replaceAll('_', ' ')}</dd>
              <dt>AI rating</dt>
              <dd>
                {record.aiStatus}
                {record.aiScore != null && ` (${record.aiScore})`}
              </dd>
              {record.aiSummary && (
                <>
                  <dt>AI summary</dt>
                  <dd>{record.aiSummary}</dd>
                </>
              )}
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
                initial={initial}
                running={save.running}
                error={save.error}
                onSave={async ({ pipelineStage, ...values }) =>
                  // A stage cannot be cleared: the select always holds one.
                  Boolean(
                    await save.run({ id, input: { ...values, pipelineStage: (pipelineStage ?? undefined) as LeadStage | undefined } }),
                  )
                }
              />
            </section>
          )}
          {canWrite && !deletedUntil && (
            <section className="card">
              <DeleteButton
                noun="lead"
                name={record.name ?? 'this lead'}
                busy={remove.running}
                error={remove.error?.message}
                onCancel={remove.reset}
                onDelete={async () => Boolean(await remove.run({ id }))}
              />
            </section>
          )}
        </div>
        <section className="card" aria-labelledby="lead-timeline" aria-busy={lead.loading}>
          <h2 id="lead-timeline">Timeline</h2>
          <Timeline items={record.timeline} />
        </section>
      </div>
    </>
  )
}
