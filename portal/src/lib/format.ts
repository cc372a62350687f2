/** Times are shown in the account's time zone, with the zone named once in the page header. */
export function formatDateTime(value: string | null | undefined, timeZone: string, empty = '—'): string {
  if (!value) return empty
  const date = new Date(value)
  if (Number.isNaN(date.getTime())) return empty
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone, dateStyle: 'medium', timeStyle: 'short' }).format(date)
  } catch {
    return `${new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', dateStyle: 'medium', timeStyle: 'short' }).format(date)} UTC`
  }
}

/** Minutes to add to UTC to get the wall time in `timeZone` at `date`. */
function offsetMinutes(date: Date, timeZone: string): number {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    })
      .formatToParts(date)
      .map((p) => [p.type, p.value]),
  )
  const wall = Date.UTC(+parts.year, +parts.month - 1, +parts.day, +parts.hour, +parts.minute, +parts.second)
  return Math.round((wall - date.getTime()) / 60_000)
}

/** The last second of a calendar day (YYYY-MM-DD) in `timeZone`, as an ISO timestamp. */
export function endOfDayIn(day: string, timeZone: string): string {
  const [y, m, d] = day.split('-').map(Number)
  const guess = new Date(Date.UTC(y, m - 1, d, 23, 59, 59))
  const first = new Date(guess.getTime() - offsetMinutes(guess, timeZone) * 60_000)
  return new Date(guess.getTime() - offsetMinutes(first, timeZone) * 60_000).toISOString()
}

/** Today's date (YYYY-MM-DD) in `timeZone`, `plusDays` later. */
export function dayIn(timeZone: string, plusDays = 0): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(
    new Date(Date.now() + plusDays * 86_400_000),
  )
}
