'use client'
/** Campaigns: the messages one event queued, with their progress; pause, resume or cancel them together. */
import { useState } from 'react'
import { AccountShell, allows, useAccount, useAccountMutation, useSessionGuard } from '../../components/AccountShell'
import { ConfirmDialog, Empty, Loading, Notice } from '../../components/ui'
import { graphql } from '../../gql'
import type { CampaignStatus } from '../../gql/graphql'
import { useQuery } from '../../lib/graphql'

const CampaignsDocument = graphql(`
  query PortalCampaigns($status: CampaignStatus) {
    campaigns(first: 100, status: $status) {
      edges {
        node {
          id
          name
          eventType
          status
          pendingCount
          messageCount
          createdAt
        }
      }
    }
  }
`)

const AdjustDocument = graphql(`
  mutation PortalAdjustCampaign($campaignId: ID!, $action: CampaignAction!) {
    adjustCampaign(campaignId: $campaignId, action: $action) {
      id
      status
    }
  }
`)

const STATUSES = ['active', 'paused', 'completed', 'cancelled'] as const

export default function CampaignsPage() {
  return (
    <AccountShell title="Campaigns">
      <Campaigns />
    </AccountShell>
  )
}

function Campaigns() {
  const { me, time } = useAccount()
  const canEdit = allows(me, 'write:hub')
  const [status, setStatus] = useState<CampaignStatus | ''>('')
  const list = useQuery(CampaignsDocument, { status: status || null })
  useSessionGuard(list.error)
  const [cancelling, setCancelling] = useState<{ id: string; name: string }>()
  const adjust = useAccountMutation(AdjustDocument, {
    onSuccess: async () => {
      await list.reload()
      setCancelling(undefined)
    },
  })
  const campaigns = list.data?.campaigns.edges.map((e) => e.node)
  return (
    <section className="card" aria-busy={list.loading}>
      <label>
        Status{' '}
        <select value={status} onChange={(e) => setStatus(e.target.value as CampaignStatus | '')}>
          <option value="">any</option>
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </label>
      <Notice>{(!cancelling && adjust.error?.message) || list.error?.message}</Notice>
      {!campaigns ? (
        list.error ? null : (
          <Loading label="Loading campaigns…" />
        )
      ) : campaigns.length === 0 ? (
        <Empty>No campaigns{status ? ` ${status}` : ''} yet. An automation event (such as a contract being generated) starts one.</Empty>
      ) : (
        <table className="table responsive">
          <thead>
            <tr>
              <th scope="col">Campaign</th>
              <th scope="col">Event</th>
              <th scope="col">Status</th>
              <th scope="col">Pending</th>
              <th scope="col">Started</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {campaigns.map((c) => (
              <tr key={c.id} data-testid="campaign-row">
                <td data-label="Campaign">{c.name}</td>
                <td data-label="Event">{c.eventType.replaceAll('_', ' ')}</td>
                <td data-label="Status" data-testid="campaign-status">
                  {c.status}
                </td>
                <td data-label="Pending">
                  {c.pendingCount} of {c.messageCount}
                </td>
                <td data-label="Started">{time(c.createdAt)}</td>
                <td data-label="" className="actions">
                  {canEdit && c.status === 'active' && (
                    <button
                      type="button"
                      className="button small"
                      disabled={adjust.running}
                      onClick={() => adjust.run({ campaignId: c.id, action: 'pause' })}
                    >
                      Pause<span className="visually-hidden"> {c.name}</span>
                    </button>
                  )}
                  {canEdit && c.status === 'paused' && (
                    <button
                      type="button"
                      className="button small"
                      disabled={adjust.running}
                      onClick={() => adjust.run({ campaignId: c.id, action: 'resume' })}
                    >
                      Resume<span className="visually-hidden"> {c.name}</span>
                    </button>
                  )}
                  {canEdit && (c.status === 'active' || c.status === 'paused') && (
                    <button type="button" className="button small danger" onClick={() => setCancelling({ id: c.id, name: c.name })}>
                      Cancel<span className="visually-hidden"> {c.name}</span>
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <ConfirmDialog
        open={Boolean(cancelling)}
        title="Cancel this campaign?"
        confirmLabel="Cancel campaign"
        busy={adjust.running}
        error={cancelling ? adjust.error?.message : undefined}
        onCancel={() => {
          adjust.reset()
          setCancelling(undefined)
        }}
        onConfirm={() => cancelling && adjust.run({ campaignId: cancelling.id, action: 'cancel' })}
      >
        <p>“{cancelling?.name}” stops for good: its messages not yet sent are cancelled.</p>
      </ConfirmDialog>
    </section>
  )
}
