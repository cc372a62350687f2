'use client'
/**
 * The overview: messages by channel and status, webhook deliveries by day and outcome, pending scheduled
 * messages, and the account's usage (./usage.tsx).
 */
import { AccountShell, useAccount, useSessionGuard } from '../../components/AccountShell'
import { BarChartCard } from '../../components/Charts'
import { Empty, Loading, Notice } from '../../components/ui'
import { graphql } from '../../gql'
import { dayIn } from '../../lib/format'
import { useQuery } from '../../lib/graphql'
import { UsageSection } from './usage'

const OverviewDocument = graphql(`
  query Overview {
    messageCounts(days: 30) {
      channel
      status
      count
    }
    webhookDeliveryCounts(days: 30) {
      day
      status
      count
    }
    scheduledMessages(first: 10) {
      total
      upcoming {
        id
        channel
        to
        subject
        content
        scheduledFor
      }
    }
  }
`)

const MESSAGE_STATUSES = ['received', 'queued', 'sent', 'delivered', 'failed']
const DELIVERY_STATUSES = ['succeeded', 'pending', 'failed']
const CHANNEL_LABEL: Record<string, string> = { sms: 'SMS', imessage: 'iMessage', voice: 'Voice', email: 'Email' }

export default function OverviewPage() {
  return (
    <AccountShell title="Overview">
      <Overview />
    </AccountShell>
  )
}

/** Pivots grouped counts into chart rows: one row per `x`, one column per series. */
function pivot(rows: { x: string; series: string; count: number }[], xs: string[], series: string[]) {
  return xs.map((x) => {
    const row: Record<string, string | number> = { x }
    for (const s of series) row[s] = rows.filter((r) => r.x === x && r.series === s).reduce((n, r) => n + r.count, 0)
    return row
  })
}

function Overview() {
  const { account, time } = useAccount()
  const overview = useQuery(OverviewDocument)
  useSessionGuard(overview.error)
  const data = overview.data

  const messageRows = data?.messageCounts.map((m) => ({ x: CHANNEL_LABEL[m.channel] ?? m.channel, series: m.status, count: m.count })) ?? []
  const messageStatuses = [
    ...new Set([...MESSAGE_STATUSES.filter((s) => messageRows.some((r) => r.series === s)), ...messageRows.map((r) => r.series)]),
  ]
  const channels = [...new Set(messageRows.map((r) => r.x))]
  const days = Array.from({ length: 30 }, (_, i) => dayIn(account.timeZone, i - 29))
  const deliveryRows = data?.webhookDeliveryCounts.map((d) => ({ x: d.day, series: d.status, count: d.count })) ?? []
  const totalMessages = messageRows.reduce((n, r) => n + r.count, 0)
  const totalDeliveries = deliveryRows.reduce((n, r) => n + r.count, 0)
  const failedDeliveries = deliveryRows.filter((r) => r.series === 'failed').reduce((n, r) => n + r.count, 0)

  return (
    <>
      {overview.error && overview.error.code !== 'UNAUTHENTICATED' && (
        <Notice>Could not load the overview: {overview.error.message}</Notice>
      )}
      <div className="stats">
        <Stat label="SMS credits" value={account.smsCredits} />
        <Stat label="Messages, 30 days" value={data ? totalMessages : undefined} />
        <Stat
          label="Webhook deliveries, 30 days"
          value={data ? totalDeliveries : undefined}
          detail={data && failedDeliveries ? `${failedDeliveries} failed` : undefined}
        />
        <Stat label="Scheduled messages" value={data?.scheduledMessages.total} />
      </div>
      <div className="grid-2">
        <BarChartCard
          title="Messages by channel and status"
          description="Last 30 days"
          loading={!data && !overview.error}
          empty={totalMessages === 0 ? 'No messages in the last 30 days.' : undefined}
          rows={pivot(messageRows, channels, messageStatuses)}
          series={messageStatuses}
        />
        <BarChartCard
          title="Webhook deliveries by outcome"
          description={`Per day, last 30 days (${account.timeZone})`}
          loading={!data && !overview.error}
          empty={totalDeliveries === 0 ? 'No webhook deliveries in the last 30 days.' : undefined}
          rows={pivot(deliveryRows, days, DELIVERY_STATUSES).map((r) => ({ ...r, x: String(r.x).slice(5) }))}
          series={DELIVERY_STATUSES}
        />
      </div>
      <section className="card" aria-labelledby="scheduled">
        <h2 id="scheduled">Pending scheduled messages</h2>
        {!data ? (
          overview.error ? null : (
            <Loading label="Loading scheduled messages…" rows={2} />
          )
        ) : data.scheduledMessages.upcoming.length === 0 ? (
          <Empty>Nothing is scheduled.</Empty>
        ) : (
          <div className="table-wrap">
            <table className="table responsive">
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Channel</th>
                  <th scope="col">To</th>
                  <th scope="col">Message</th>
                </tr>
              </thead>
              <tbody>
                {data.scheduledMessages.upcoming.map((m) => (
                  <tr key={m.id}>
                    <td data-label="When">{time(m.scheduledFor, 'Not set')}</td>
                    <td data-label="Channel">{CHANNEL_LABEL[m.channel] ?? m.channel}</td>
                    <td data-label="To">{m.to}</td>
                    <td data-label="Message" className="excerpt">
                      {m.subject ? <strong>{m.subject}: </strong> : null}
                      {m.content.length > 120 ? `${m.content.slice(0, 120)}…` : m.content}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            {data.scheduledMessages.total > data.scheduledMessages.upcoming.length && (
              <p className="hint">
                Showing the next {data.scheduledMessages.upcoming.length} of {data.scheduledMessages.total}.
              </p>
            )}
          </div>
        )}
      </section>
      <UsageSection />
    </>
  )
}

function Stat({ label, value, detail }: { label: string; value: number | undefined; detail?: string }) {
  return (
    <div className="stat card">
      <div className="stat-label">{label}</div>
      <div className="stat-value">
        {value === undefined ? (
          <span className="skeleton-inline">
            <span className="visually-hidden">Loading</span>
          </span>
        ) : (
          value.toLocaleString('en-US')
        )}
      </div>
      <div className="stat-detail">{detail ?? ' '}</div>
    </div>
  )
}
