import { describe, expect, it } from 'vitest'
import { endOfLocalDay, fromLocalInput, toLocalInput } from './taskTime.ts'

describe('taskTime', () => {
  it('round-trips an instant through the datetime-local value (minute precision)', () => {
    const ms = Date.UTC(2026, 11, 4, 15, 30)
    expect(fromLocalInput(toLocalInput(ms))).toBe(ms)
    expect(toLocalInput(null)).toBe('')
    expect(fromLocalInput('')).toBeNull()
    expect(fromLocalInput('not a date')).toBeNull()
  })

  it('ends the local day at the next local midnight', () => {
    const now = new Date(2026, 11, 4, 23, 59).getTime()
    expect(endOfLocalDay(now)).toBe(new Date(2026, 11, 5, 0, 0).getTime())
  })
})
