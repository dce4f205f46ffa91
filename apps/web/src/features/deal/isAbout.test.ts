import { Activity } from '@rapport/model'
import { describe, expect, it } from 'vitest'
import { isAbout } from './isAbout.ts'

const entry = (fields: Partial<Activity>): Activity =>
  Activity.parse({
    id: 'act_1',
    createdAt: 1,
    updatedAt: 1,
    archived: false,
    type: 'field_change',
    at: 1,
    actorId: null,
    subject: { kind: 'account', id: 'acc_1' },
    text: '',
    changes: [],
    ...fields,
  })

describe('isAbout', () => {
  it('matches the subject itself', () => {
    const change = entry({ subject: { kind: 'deal', id: 'deal_1' } })
    expect(isAbout(change, { kind: 'deal', id: 'deal_1' })).toBe(true)
    expect(isAbout(change, { kind: 'deal', id: 'deal_2' })).toBe(false)
    expect(isAbout(change, { kind: 'contact', id: 'deal_1' })).toBe(false)
  })

  it('matches a logged call about the deal or with the contact', () => {
    const call = entry({
      type: 'call',
      subject: { kind: 'account', id: 'acc_1' },
      details: { durationMins: 15, contactIds: ['con_1', 'con_2'], dealId: 'deal_1' },
    })
    expect(isAbout(call, { kind: 'deal', id: 'deal_1' })).toBe(true)
    expect(isAbout(call, { kind: 'contact', id: 'con_2' })).toBe(true)
    expect(isAbout(call, { kind: 'contact', id: 'con_3' })).toBe(false)
    expect(isAbout(entry({}), { kind: 'deal', id: 'deal_1' })).toBe(false)
  })
})
