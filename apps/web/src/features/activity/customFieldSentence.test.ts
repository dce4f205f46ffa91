import type { Activity } from '@rapport/model'
import { describe, expect, it } from 'vitest'
import { type SentenceContext, timelineSentence } from './timelineSentence.ts'

const ctx: SentenceContext = {
  memberName: (id) => ({ usr_sam: 'Sam Sales', usr_pat: 'Pat Admin' })[id] ?? null,
  dealTitle: (id) => (id === 'deal_1' ? 'Renewal' : null),
  locale: 'en-GB',
  timeZone: 'UTC',
}

const entry = (over: Partial<Activity>): Activity => ({
  id: 'act_1' as Activity['id'],
  createdAt: 0,
  updatedAt: 0,
  archived: false,
  type: 'field_change',
  at: Date.UTC(2026, 11, 4, 14, 5),
  actorId: 'usr_sam',
  subject: { kind: 'deal', id: 'deal_1' },
  text: '',
  changes: [],
  ...over,
})

describe('timeline sentences of custom fields (one change per field, named by its label)', () => {
  it('a custom field change reads "changed <label> from X to Y", never the field key', () => {
    const activity = entry({
      text: 'changed Seats, Plan of Renewal',
      changes: [
        { field: 'cf:cf_seats', label: 'Seats', before: 10, after: 12 },
        { field: 'cf:cf_plan', label: 'Plan', before: null, after: 'Gold' },
      ],
    })
    expect(timelineSentence(activity, ctx)).toBe(
      'Sam Sales changed Seats from 10 to 12 and set Plan to “Gold” on deal “Renewal”',
    )
  })

  it('a custom field set that lost to a concurrent set names the label and the kept value', () => {
    const activity = entry({
      text: 'set Plan of Renewal to "Pro" at the same time as Pat Admin set it to "Gold", which was kept',
      changes: [
        {
          field: 'cf:cf_plan',
          label: 'Plan',
          before: 'Free',
          after: 'Pro',
          overruledBy: { actorId: 'usr_pat', value: 'Gold' },
        },
      ],
    })
    expect(timelineSentence(activity, ctx)).toBe(
      'Sam Sales set Plan to “Pro” at the same time as Pat Admin set it to “Gold”, which was kept on deal “Renewal”',
    )
  })
})
