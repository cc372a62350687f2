'use client'
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts'
import { Empty, Loading } from './ui'

/** Colours per status, chosen to read apart for common colour-vision deficiencies. */
const COLOURS: Record<string, string> = {
  succeeded: '#1b7f5b',
  delivered: '#1b7f5b',
  sent: '#3b6fd4',
  received: '#7a5cc7',
  queued: '#a6a6a6',
  pending: '#d59a1d',
  failed: '#c4314b',
}
const FALLBACK = ['#2f8fa3', '#8c6d31', '#5b5b8f', '#b35c8a']

export function BarChartCard({
  title,
  description,
  rows,
  series,
  loading,
  empty,
  labels,
}: {
  title: string
  description: string
  rows: Record<string, string | number>[]
  series: string[]
  loading: boolean
  empty?: string
  /** Names to show for series whose keys are ids (an id is a safe dataKey; a name may hold dots). */
  labels?: Record<string, string>
}) {
  return (
    <section className="card chart-card" aria-label={title}>
      <h2>{title}</h2>
      <p className="hint">{description}</p>
      <div className="chart-box">
        {loading ? (
          <Loading rows={4} />
        ) : empty ? (
          <Empty>{empty}</Empty>
        ) : (
          <>
            <ResponsiveContainer width="100%" height="100%">
              <BarChart data={rows} margin={{ top: 8, right: 8, bottom: 0, left: -16 }} accessibilityLayer>
                <CartesianGrid strokeDasharray="3 3" vertical={false} />
                <XAxis dataKey="x" tick={{ fontSize: 12 }} interval="preserveStartEnd" />
                <YAxis allowDecimals={false} tick={{ fontSize: 12 }} />
                <Tooltip />
                <Legend wrapperStyle={{ fontSize: 12 }} />
                {series.map((s, i) => (
                  <Bar
                    key={s}
                    dataKey={s}
                    name={labels?.[s] ?? s}
                    stackId="a"
                    fill={COLOURS[s] ?? FALLBACK[i % FALLBACK.length]}
                    isAnimationActive={false}
                  />
                ))}
              </BarChart>
            </ResponsiveContainer>
            <table className="visually-hidden">
              <caption>{title}</caption>
              <thead>
                <tr>
                  <th scope="col"> </th>
                  {series.map((s) => (
                    <th key={s} scope="col">
                      {labels?.[s] ?? s}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => (
                  <tr key={String(r.x)}>
                    <th scope="row">{r.x}</th>
                    {series.map((s) => (
                      <td key={s}>{r[s]}</td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
      </div>
    </section>
  )
}
