'use client'
/** One lead (`/leads/view?id=…`): details and stage to edit, delete and restore, and the timeline. */
import { CONTACT_FIELDS, type FieldSpec, RecordPage } from '../../../components/RecordDetail'
import { graphql } from '../../../gql'
import type { LeadStage } from '../../../gql/graphql'
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
        ...PortalTimelineItem
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

const FIELDS = [
  ...CONTACT_FIELDS,
  { name: 'source', label: 'Source' },
  { name: 'pipelineStage', label: 'Stage', options: LEAD_STAGES },
] as const satisfies readonly FieldSpec[]

export default function LeadViewPage() {
  return (
    <RecordPage
      noun={{ one: 'lead', many: 'leads' }}
      document={LeadDocument}
      record="lead"
      scope="leads:write"
      facts={(lead) => (
        <>
          <dt>Stage</dt>
          <dd>{lead.pipelineStage.replaceAll('_', ' ')}</dd>
          <dt>AI rating</dt>
          <dd>
            {lead.aiStatus}
            {lead.aiScore != null && ` (${lead.aiScore})`}
          </dd>
          {lead.aiSummary && (
            <>
              <dt>AI summary</dt>
              <dd>{lead.aiSummary}</dd>
            </>
          )}
        </>
      )}
      fields={FIELDS}
      save={UpdateLeadDocument}
      // A stage cannot be cleared: the select always holds one.
      saveVariables={(id, { pipelineStage, ...values }) => ({
        id,
        input: { ...values, pipelineStage: (pipelineStage ?? undefined) as LeadStage | undefined },
      })}
      remove={DeleteLeadDocument}
      restorableUntil={(answer) => answer.deleteLead.restorableUntil}
      restore={RestoreLeadDocument}
    />
  )
}
