'use client'
/** The overview's usage: API requests and refusals per day by key, SMS credits per day, webhook success by endpoint. */
import { useAccount, useSessionGuard } from '../../components/AccountShell'
import { BarChartCard } from '../../components/Charts'
import { Empty, Loading, Notice } from '../../components/ui'
import { graphql } from '../../gql'
import { dayIn } from '../../lib/format'
import { useQuery } from '../../lib/graphql'

const DAYS = 30

const UsageDocument = graphql(`
  query OverviewUsage($days: Int!) {
    usage(days: $days) {
      apiKeyDays {
        day
        apiKeyId
        name
        prefix
        requests
        refused
      }
      smsCreditDays {
        day
        credits
      }
      webhookEndpoints {
        endpointId
        url
        succeeded
        failed
        pending
        successRate
      }
    }
  }
`)

interface KeyDay {
  day: string
  apiKeyId: string
  requests: number
  refused: number
}

/** One chart row per day (MM-DD), one column per key id, holding `count` of that key on that day. */
function byDayAndKey(rows: KeyDay[], days: string[], keyIds: string[], count: (r: KeyDay) => number) {
  return days.map((day) => {
    const row: Record<string, string | number> = { x: day.slice(5) }
    for (const id of keyIds) row[id] = rows.filter((r) => r.day === day && r.apiKeyId === id).reduce((n, r) => n + count(r), 0)
    return row
  })
}

const outcomes = (e: { succeeded: number; failed: number; pending: number }) =>
  [`${e.succeeded} succeeded`, `${e.failed} failed`, ...(e.pending ? [`${e.pending} pending`] : [])].join(', ')

const percent = (rate: number) => `${(rate * 100).toFixed(rate === 1 || rate === 0 ? 0 : 1)}%`

export function UsageSection() {
  const { account } = useAccount()
  const usage = useQuery(UsageDocument, { days: DAYS })
  useSessionGuard(usage.error)
  const data = usage.data?.usage
  const loading = !data && !usage.error

  const days = Array.from({ length: DAYS }, (_, i) => dayIn(account.timeZone, i - (DAYS - 1)))
  const keyDays = data?.apiKeyDays ?? []
  const labels: Record<string, string> = {}
  for (const k of keyDays) labels[k.apiKeyId] = `${k.name} (${k.prefix}…)`
  const keyIds = Object.keys(labels)
  const requests = keyDays.reduce((n, r) => n + r.requests, 0)
  const refused = keyDays.reduce((n, r) => n + r.refused, 0)
  const credits = data?.smsCreditDays ?? []
  const creditRows = days.map((day) => ({ x: day.slice(5), credits: credits.find((c) => c.day === day)?.credits ?? 0 }))
  const spent = credits.reduce((n, c) => n + c.credits, 0)
  const perDay = `Per day, last ${DAYS} days (${account.timeZone})`

  return (
    <>
      <h2>Usage</h2>
      {usage.error && usage.error.code !== 'UNAUTHENTICATED' && <Notice>Could not load the usage: {usage.error.message}</Notice>}
      <div className="grid-2">
        <BarChartCard
          title="API requests by key"
          description={`${perDay}; portal requests are not counted`}
          loading={loading}
          empty={requests === 0 ? `No API key made a request in the last ${DAYS} days.` : undefined}
          rows={byDayAndKey(keyDays, days, keyIds, (r) => r.requests)}
          series={keyIds}
          labels={labels}
        />
        <BarChartCard
          title="Rate-limit refusals by key"
          description={`${perDay}: requests answered 429`}
          loading={loading}
          empty={refused === 0 ? `No request was refused in the last ${DAYS} days.` : undefined}
          rows={byDayAndKey(keyDays, days, keyIds, (r) => r.refused)}
          series={keyIds}
          labels={labels}
        />
        <BarChartCard
          title="SMS credits spent"
          description={perDay}
          loading={loading}
          empty={spent === 0 ? `No SMS credits were spent in the last ${DAYS} days.` : undefined}
          rows={creditRows}
          series={['credits']}
          labels={{ credits: 'Credits' }}
        />
        <section className="card" aria-labelledby="webhook-success">
          <h2 id="webhook-success">Webhook success by endpoint</h2>
          <p className="hint">Deliveries of the last {DAYS} days; the rate counts settled deliveries only</p>
          {loading ? (
            <Loading rows={2} />
          ) : !data ? null : data.webhookEndpoints.length === 0 ? (
            <Empty>No webhook endpoints yet.</Empty>
          ) : (
            <div className="table-wrap">
              <table className="table responsive">
                <thead>
                  <tr>
                    <th scope="col">Endpoint</th>
                    <th scope="col">Success rate</th>
                    <th scope="col">Deliveries</th>
                  </tr>
                </thead>
                <tbody>
                  {data.webhookEndpoints.map((e) => (
                    <tr key={e.endpointId}>
                      <td data-label="Endpoint" className="endpoint-url">
                        {e.url}
                      </td>
                      <td data-label="Success rate">
                        {e.successRate !== null ? percent(e.successRate) : e.pending ? 'None settled yet' : 'No deliveries'}
                      </td>
                      <td data-label="Deliveries">{outcomes(e)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
      </div>
    </>
  )
}
