import type { Activity } from '@rapport/model'
import { describe, expect, it } from 'vitest'
import { formatDuration, type SentenceContext, timelineSentence } from './timelineSentence.ts'

const ctx: SentenceContext = {
  memberName: (id) =>
    ({ usr_sam: 'Sam Sales', usr_riley: 'Riley Support', usr_pat: 'Pat Admin' })[id] ?? null,
  contactName: (id) => ({ con_jo: 'Jo Smith', con_al: 'Al Green' })[id] ?? null,
  dealTitle: (id) => ({ deal_1: 'Renewal 2027' })[id] ?? null,
  stageName: (id) => ({ stg_q: 'Qualified', stg_p: 'Proposal' })[id] ?? null,
  currencyOf: (subject) => (subject.kind === 'deal' ? 'EUR' : null),
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
  subject: { kind: 'account', id: 'acc_1' },
  text: '',
  changes: [],
  ...over,
})

describe('timelineSentence', () => {
  it('a deal amount change names the field, the formatted amounts and the deal', () => {
    const activity = entry({
      subject: { kind: 'deal', id: 'deal_1' },
      text: 'changed amount of Renewal 2027',
      changes: [{ field: 'amount', before: 20000, after: 25000 }],
    })
    expect(timelineSentence(activity, ctx)).toBe(
      'Sam Sales changed Amount from €20,000.00 to €25,000.00 on deal “Renewal 2027”',
    )
  })

  it('a logged call names the contacts, the duration, the deal and the outcome', () => {
    const activity = entry({
      type: 'call',
      actorId: 'usr_riley',
      text: 'Left a voicemail',
      details: { durationMins: 15, contactIds: ['con_jo'], dealId: null },
    })
    expect(timelineSentence(activity, ctx)).toBe(
      'Riley Support logged a call with Jo Smith (15 min): Left a voicemail',
    )
    const meeting = entry({
      type: 'meeting',
      text: 'Agreed on scope',
      details: { durationMins: 90, contactIds: ['con_jo', 'con_al'], dealId: 'deal_1' },
    })
    expect(timelineSentence(meeting, ctx)).toBe(
      'Sam Sales logged a meeting with Jo Smith and Al Green (1 h 30 min) about deal “Renewal 2027”: Agreed on scope',
    )
    expect(timelineSentence(entry({ type: 'email', text: 'Sent the quote' }), ctx)).toBe(
      'Sam Sales logged an email: Sent the quote',
    )
  })

  it('member, contact and stage ids become names; dates and choices are in words', () => {
    const owner = entry({
      text: 'changed ownerId, tier of Acme',
      changes: [
        { field: 'ownerId', before: 'usr_pat', after: 'usr_sam' },
        { field: 'tier', before: 'standard', after: 'strategic' },
      ],
    })
    expect(timelineSentence(owner, ctx)).toBe(
      'Sam Sales changed Owner from Pat Admin to Sam Sales and changed Tier from Standard to Strategic',
    )
    const ticket = entry({
      subject: { kind: 'ticket', id: 'tkt_1' },
      text: 'changed contactId, status of Cannot log in',
      changes: [
        { field: 'contactId', before: null, after: 'con_jo' },
        { field: 'status', before: 'new', after: 'open' },
      ],
    })
    expect(timelineSentence(ticket, ctx)).toBe(
      'Sam Sales set Contact to Jo Smith and changed Status from New to Open on ticket “Cannot log in”',
    )
    const stage = entry({
      type: 'stage_change',
      subject: { kind: 'deal', id: 'deal_1' },
      text: 'moved Renewal 2027 from stg_q to stg_p',
      changes: [{ field: 'stage', before: 'stg_q', after: 'stg_p' }],
    })
    expect(timelineSentence(stage, ctx)).toBe(
      'Sam Sales moved deal “Renewal 2027” from Qualified to Proposal',
    )
    const close = entry({
      subject: { kind: 'deal', id: 'deal_9' },
      text: 'changed expectedCloseDate of Big one',
      changes: [{ field: 'expectedCloseDate', before: '2026-12-01', after: '2027-01-15' }],
    })
    expect(timelineSentence(close, ctx)).toBe(
      'Sam Sales changed Expected close date from 1 Dec 2026 to 15 Jan 2027 on deal “Big one”',
    )
  })

  it('a set that lost names the kept value and its writer; created records are quoted; the system is Rapport', () => {
    const lost = entry({
      text: 'set industry of Acme to "Retail" at the same time as Pat Admin set it to "Software", which was kept',
      changes: [
        {
          field: 'industry',
          before: 'Tech',
          after: 'Retail',
          overruledBy: { actorId: 'usr_pat', value: 'Software' },
        },
      ],
    })
    expect(timelineSentence(lost, ctx)).toBe(
      'Sam Sales set Industry to “Retail” at the same time as Pat Admin set it to “Software”, which was kept',
    )
    expect(
      timelineSentence(
        entry({ subject: { kind: 'contact', id: 'con_new' }, text: 'created contact Dana Lee' }),
        ctx,
      ),
    ).toBe('Sam Sales created contact “Dana Lee”')
    expect(
      timelineSentence(entry({ actorId: null, type: 'handoff', text: 'created a handoff draft' }), ctx),
    ).toBe('Rapport created a handoff draft')
    expect(timelineSentence(entry({ actorId: 'usr_gone', type: 'note', text: 'edited notes' }), ctx)).toBe(
      'A former member edited notes',
    )
  })

  it('never shows a field key or an id, for every field a record kind has', () => {
    const values: Record<string, [unknown, unknown]> = {
      ownerId: ['usr_unknown', 'usr_sam'],
      assigneeId: [null, 'usr_gone'],
      contactId: ['con_unknown', null],
      dealId: ['deal_gone', 'deal_1'],
      expectedCloseDate: ['2026-01-02', null],
      leadStatus: ['new', 'qualified'],
      csat: [null, 4],
      slaDueAt: [0, 86_400_000],
      customFieldXy: ['a', 'b'],
    }
    for (const [field, [before, after]] of Object.entries(values)) {
      const text = timelineSentence(
        entry({
          subject: { kind: 'deal', id: 'deal_x' },
          text: `changed ${field} of Thing`,
          changes: [{ field, before, after }],
        }),
        ctx,
      )
      expect(text).not.toMatch(/usr_|con_|deal_|[a-z][A-Z]/)
    }
    const long = 'x'.repeat(500)
    expect(
      timelineSentence(
        entry({ text: 'changed name of A', changes: [{ field: 'name', before: 'A', after: long }] }),
        ctx,
      ).length,
    ).toBeLessThan(120)
  })

  it('formats durations', () => {
    expect([5, 60, 125].map(formatDuration)).toEqual(['5 min', '1 h', '2 h 5 min'])
  })
})
