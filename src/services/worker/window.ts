/**
 * Quiet hours: an account's sending window ("08:00"–"20:00", in its IANA time zone; an end
 * before the start crosses midnight). `windowOpensAt` says when a message that is due `now` may
 * go: null when the window is open (or none is set), else the instant it next opens.
 */

export interface SendingWindow {
  timeZone: string
  start: string | null
  end: string | null
}

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5))
const formats = new Map<string, Intl.DateTimeFormat>()

/** Minutes and seconds past local midnight in `timeZone`. */
function localClock(now: Date, timeZone: string): { minutes: number; seconds: number } {
  let format = formats.get(timeZone)
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', hour: '2-digit', minute: '2-digit', second: '2-digit' })
    formats.set(timeZone, format)
  }
  const parts = Object.fromEntries(format.formatToParts(now).map((p) => [p.type, p.value]))
  return { minutes: Number(parts.hour) * 60 + Number(parts.minute), seconds: Number(parts.second) }
}

export function windowOpensAt(now: Date, window: SendingWindow): Date | null {
  if (!window.start || !window.end) return null
  let clock: { minutes: number; seconds: number }
  try {
    clock = localClock(now, window.timeZone)
  } catch {
    clock = localClock(now, 'UTC') // a zone this runtime no longer knows: fall back rather than never send
  }
  const start = minutesOf(window.start)
  const end = minutesOf(window.end)
  const t = clock.minutes
  const open = start < end ? t >= start && t < end : t >= start || t < end
  if (open) return null
  // Minutes until the start, from the start of this minute. Across a DST change this may be an
  // hour off; the worker checks the window again when the message comes up, so it never sends early.
  const wait = (start - t + 1440) % 1440
  return new Date(now.getTime() + wait * 60_000 - clock.seconds * 1000 - now.getMilliseconds())
}
