/**
 * The `sync` section's walks: one account's whole conversation list read page by page, by cursor
 * and by offset, one request at a time, with the wall time and the SQL statements the server ran.
 * And single requests timed one at a time (`sequentialLatency`), for figures that depend on one
 * request's own work rather than on a queue.
 */

export interface Walk {
  pages: number
  rows: number
  seconds: number
  statements: number
}

type Stats = () => Promise<{ sql: number }>

const get = async (url: string, key: string) => {
  const response = await fetch(url, { headers: { authorization: `Bearer ${key}` } })
  if (!response.ok) throw new Error(`${url}: ${response.status} ${await response.text()}`)
  return response.json() as Promise<{ data: unknown[]; pagination: Record<string, unknown> }>
}

/** Every page of `/v1/conversations` by cursor pages of `size`, from `cursor=` until `has_more` is false. */
export async function cursorWalk(base: string, key: string, size: number, stats: Stats): Promise<Walk> {
  const before = (await stats()).sql
  const started = performance.now()
  let [pages, rows, cursor, more] = [0, 0, '', true]
  while (more) {
    const page = await get(`${base}/v1/conversations?limit=${size}&cursor=${encodeURIComponent(cursor)}`, key)
    pages++
    rows += page.data.length
    more = page.pagination.has_more as boolean
    cursor = page.pagination.next_cursor as string
  }
  const seconds = (performance.now() - started) / 1000
  return { pages, rows, seconds, statements: (await stats()).sql - before }
}

/** The same list by offset pages of `size` (each page counts every row again). */
export async function offsetWalk(base: string, key: string, size: number, stats: Stats): Promise<Walk> {
  const before = (await stats()).sql
  const started = performance.now()
  let [pages, rows, total] = [0, 0, Number.POSITIVE_INFINITY]
  for (let offset = 0; offset < total; offset += size) {
    const page = await get(`${base}/v1/conversations?limit=${size}&offset=${offset}`, key)
    pages++
    rows += page.data.length
    total = page.pagination.total as number
  }
  const seconds = (performance.now() - started) / 1000
  return { pages, rows, seconds, statements: (await stats()).sql - before }
}

export const describeWalk = (walk: Walk) =>
  `${walk.rows} rows in ${walk.pages} pages: ${walk.seconds.toFixed(2)} s, ${walk.statements} SQL statements`

/**
 * p50 of `count` requests to `url`, one at a time, after five unmeasured ones; `before` runs
 * (unmeasured) ahead of each.
 */
export async function sequentialLatency(url: string, key: string, count: number, before?: () => Promise<unknown>): Promise<number> {
  const times: number[] = []
  for (let i = 0; i < count + 5; i++) {
    await before?.()
    const started = performance.now()
    await get(url, key)
    if (i >= 5) times.push(performance.now() - started)
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)]
}
