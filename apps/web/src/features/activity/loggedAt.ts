const pad = (n: number) => String(n).padStart(2, '0')

/** The `date` input value (local) of an instant. */
export const localDate = (d: Date): string =>
  `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`

/** The `time` input value (local, to the minute) of an instant. */
export const localTime = (d: Date): string => `${pad(d.getHours())}:${pad(d.getMinutes())}`

/** Local date + time inputs → epoch ms (NaN when the date is not filled in; no readable time = noon). */
export function momentOf(date: string, time: string): number {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return Number.NaN
  const [h, m] = /^\d{2}:\d{2}$/.test(time) ? time.split(':').map(Number) : [12, 0]
  const [y, mo, d] = date.split('-').map(Number)
  return new Date(y ?? 0, (mo ?? 1) - 1, d ?? 1, h ?? 12, m ?? 0).getTime()
}

/**
 * When a logged activity happened. The inputs hold minutes only, so "now" read from them is the start of the minute
 * and the entry would sort below every change made earlier in that minute. Left as the form filled them in (`now`
 * when it opened), or set to the current minute, the activity happened `now` — this very instant; any other
 * date and time is taken as typed.
 */
export function loggedAt(input: { date: string; time: string; edited: boolean }, now: number): number {
  if (!input.edited) return now
  const at = momentOf(input.date, input.time)
  const minute = new Date(now)
  minute.setSeconds(0, 0)
  return at === minute.getTime() ? now : at
}
