import { describe, expect, it } from 'vitest'
import { localDate, localTime, loggedAt, momentOf } from './loggedAt.ts'

describe('loggedAt', () => {
  const now = new Date(2026, 11, 4, 15, 42, 37, 250).getTime()
  const today = localDate(new Date(now))

  it('a form left as it opened logs this very instant, not the start of the minute', () => {
    expect(loggedAt({ date: today, time: '15:41', edited: false }, now)).toBe(now)
  })

  it('the current minute typed in is "now" too', () => {
    expect(loggedAt({ date: today, time: localTime(new Date(now)), edited: true }, now)).toBe(now)
  })

  it('any other date and time is taken as typed, at minute precision', () => {
    expect(loggedAt({ date: today, time: '09:05', edited: true }, now)).toBe(
      new Date(2026, 11, 4, 9, 5).getTime(),
    )
    expect(loggedAt({ date: '2026-12-03', time: '15:42', edited: true }, now)).toBe(
      new Date(2026, 11, 3, 15, 42).getTime(),
    )
  })

  it('an unreadable date stays unreadable (the form says so), a missing time is noon', () => {
    expect(loggedAt({ date: '', time: '10:00', edited: true }, now)).toBeNaN()
    expect(momentOf('2026-12-03', '')).toBe(new Date(2026, 11, 3, 12, 0).getTime())
  })
})
