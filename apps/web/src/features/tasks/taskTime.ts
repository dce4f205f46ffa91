/** `<input type="datetime-local">` value (the viewer's local time) of an instant, or '' for none. */
export function toLocalInput(ms: number | null): string {
  if (ms === null) return ''
  const date = new Date(ms)
  return new Date(ms - date.getTimezoneOffset() * 60_000).toISOString().slice(0, 16)
}

/** The instant of a `datetime-local` value read in the viewer's time zone, or null for '' / unreadable input. */
export function fromLocalInput(value: string): number | null {
  if (!value) return null
  const ms = new Date(value).getTime()
  return Number.isFinite(ms) ? ms : null
}

/** The start of the viewer's next day (local midnight after `now`). */
export function endOfLocalDay(now: number): number {
  const date = new Date(now)
  date.setHours(24, 0, 0, 0)
  return date.getTime()
}

/** A due time in plain words: "Today 14:30", "Tomorrow 09:00", else "Mon 8 Dec 14:30" (the viewer's locale). */
export function formatDue(ms: number, now: number): string {
  const time = new Date(ms).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })
  const today = endOfLocalDay(now)
  if (ms < today && ms >= today - 86_400_000) return `Today ${time}`
  if (ms >= today && ms < endOfLocalDay(today)) return `Tomorrow ${time}`
  const day = new Date(ms).toLocaleDateString(undefined, { weekday: 'short', day: 'numeric', month: 'short' })
  return `${day} ${time}`
}
