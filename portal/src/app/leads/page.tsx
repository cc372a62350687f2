'use client'
/** Leads: search by name, phone or email, filter by stage, sort by created or updated, page 20 at a time. */
import { useState } from 'react'
import { RecordListPage } from '../../components/RecordList'
import { graphql } from '../../gql'
import type { LeadStage } from '../../gql/graphql'
import { RestoreLeadDocument } from '../../lib/restores'
import { LEAD_STAGES } from './stages'

const LeadsDocument = graphql(`
  query PortalLeads($search: String, $stage: LeadStage, $sort: LeadSort, $order: SortOrder, $first: Int, $after: String, $deleted: Boolean) {
    leads(search: $search, stage: $stage, sort: $sort, order: $order, first: $first, after: $after, deleted: $deleted) {
      totalCount
      edges {
        node {
          id
          name
          email
          phone
          pipelineStage
          aiStatus
          source
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

export default function LeadsPage() {
  const [stage, setStage] = useState<LeadStage | ''>('')
  return (
    <RecordListPage
      noun={{ one: 'lead', many: 'leads' }}
      document={LeadsDocument}
      connection={(data) => data.leads}
      search={{ label: 'Search leads', placeholder: 'Name, phone or email' }}
      filters={{
        variables: { stage: stage || null },
        active: Boolean(stage),
        controls: (list) => (
          <div className="field">
            <label htmlFor="lead-stage">Stage</label>
            <select
              id="lead-stage"
              value={stage}
              onChange={(e) => {
                list.restart()
                setStage(e.target.value as LeadStage | '')
              }}
            >
              <option value="">any</option>
              {LEAD_STAGES.map((s) => (
                <option key={s} value={s}>
                  {s.replaceAll('_', ' ')}
                </option>
              ))}
            </select>
          </div>
        ),
      }}
      columns={[
        { header: 'Phone', cell: (lead) => lead.phone },
        { header: 'Email', cell: (lead) => lead.email },
        { header: 'Stage', cell: (lead) => lead.pipelineStage.replaceAll('_', ' ') },
        { header: 'AI rating', cell: (lead) => lead.aiStatus },
        { header: 'Source', cell: (lead) => lead.source },
      ]}
      restore={RestoreLeadDocument}
      scope="leads:write"
    />
  )
}
