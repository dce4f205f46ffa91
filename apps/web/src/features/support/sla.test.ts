import { DEFAULT_SLA, type Ticket } from '@rapport/model'
import { describe, expect, it } from 'vitest'
import { slaState } from './sla.ts'

const H = 3_600_000
const T0 = 1_700_000_000_000
const ticket = (over: Partial<Ticket> = {}): Ticket => ({
  id: 'tkt_1' as Ticket['id'],
  createdAt: T0,
  updatedAt: T0,
  archived: false,
  subject: 'Broken',
  description: '',
  accountId: null,
  contactId: null,
  priority: 'high',
  position: { column: 'new', key: 'a0' },
  assigneeId: null,
  slaDueAt: T0 + 24 * H,
  firstResponseAt: null,
  resolvedAt: null,
  csat: null,
  customFields: {},
  ...over,
})

describe('slaState', () => {
  it('measures the first response while new: ok, warning in the last quarter, then breached', () => {
    expect(slaState(ticket(), DEFAULT_SLA, T0 + 0.5 * H)).toMatchObject({
      level: 'ok',
      label: 'response due in 90m',
    })
    expect(slaState(ticket(), DEFAULT_SLA, T0 + 1.75 * H).level).toBe('warning')
    expect(slaState(ticket(), DEFAULT_SLA, T0 + 3 * H)).toMatchObject({
      level: 'breached',
      label: 'response breached 60m ago',
    })
  })

  it('measures resolution after the first response, from slaDueAt', () => {
    const open = ticket({ position: { column: 'open', key: 'a0' }, firstResponseAt: T0 + H })
    expect(slaState(open, DEFAULT_SLA, T0 + 3 * H)).toMatchObject({
      level: 'ok',
      label: 'resolution due in 21h',
    })
    expect(slaState(open, DEFAULT_SLA, T0 + 20 * H).level).toBe('warning')
    expect(slaState(open, DEFAULT_SLA, T0 + 25 * H).level).toBe('breached')
  })

  it('reports resolved tickets as met or late', () => {
    const resolved = (at: number) =>
      ticket({ position: { column: 'resolved', key: 'a0' }, firstResponseAt: T0, resolvedAt: at })
    expect(slaState(resolved(T0 + H), DEFAULT_SLA, T0 + 30 * H).level).toBe('met')
    expect(slaState(resolved(T0 + 30 * H), DEFAULT_SLA, T0 + 30 * H).level).toBe('breached')
  })
})
