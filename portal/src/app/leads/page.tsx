'use client'
/** Leads: search by name, phone or email, filter by stage, sort by created or updated, page 20 at a time. */
import { useState } from 'react'
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
import type { LeadStage } from '../../gql/graphql'
import { useQuery } from '../../lib/graphql'
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
  return (
    <AccountShell title="Leads">
      <Leads />
    </AccountShell>
  )
}

function Leads() {
  const list = useListState()
  const [stage, setStage] = useState<LeadStage | ''>('')
  const leads = useQuery(LeadsDocument, { ...list.variables, stage: stage || null })
  useSessionGuard(leads.error)
  const connection = leads.data?.leads
  return (
    <section className="card" aria-busy={leads.loading}>
      <div className="record-toolbar">
        <SearchBox list={list} label="Search leads" placeholder="Name, phone or email" />
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
        <DeletedSwitch list={list} noun="leads" />
      </div>
      <RecordRows
        list={list}
        query={leads}
        noun="leads"
        connection={connection}
        empty={emptyText(list, { one: 'lead', many: 'leads' }, Boolean(list.variables.search || stage))}
      >
        {(edges) => (
          <div className="table-wrap">
            <table className="table record-table" data-testid="records-table">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Phone</th>
                  <th scope="col">Email</th>
                  <th scope="col">Stage</th>
                  <th scope="col">AI rating</th>
                  <th scope="col">Source</th>
                  <TimeHeaders list={list} />
                </tr>
              </thead>
              <tbody>
                {edges.map(({ node }) => (
                  <tr key={node.id} data-testid="record-row">
                    <th scope="row">
                      <RecordLink list={list} href={`/leads/view?id=${node.id}`}>
                        {node.name || 'Unnamed lead'}
                      </RecordLink>
                    </th>
                    <td>{node.phone ?? '—'}</td>
                    <td>{node.email ?? '—'}</td>
                    <td>{node.pipelineStage.replaceAll('_', ' ')}</td>
                    <td>{node.aiStatus}</td>
                    <td>{node.source ?? '—'}</td>
                    <TimeCells
                      list={list}
                      record={{ ...node, name: node.name || 'Unnamed lead' }}
                      restore={RestoreLeadDocument}
                      scope="leads:write"
                      onRestored={leads.reload}
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
