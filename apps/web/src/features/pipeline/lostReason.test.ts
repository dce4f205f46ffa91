import { describe, expect, it } from 'vitest'
import { asksLostReason, lostReasonOf, stillAt, withPendingLoss } from './lostReason.ts'

const stages = [
  { id: 'negotiation', outcome: 'open' as const },
  { id: 'won', outcome: 'won' as const },
  { id: 'lost', outcome: 'lost' as const },
  { id: 'lost2', outcome: 'lost' as const },
]
const open = { position: { column: 'negotiation', key: 'a0' }, status: 'open' as const }

describe('the lost reason', () => {
  it('is asked for when a deal that is not lost moves into a lost stage, and only then', () => {
    expect(asksLostReason(stages, open, { column: 'lost', key: 'a1' })).toBe(true)
    expect(asksLostReason(stages, { ...open, status: 'won' }, { column: 'lost', key: 'a1' })).toBe(true)
    expect(asksLostReason(stages, open, { column: 'won', key: 'a1' })).toBe(false)
    expect(asksLostReason(stages, open, { column: 'negotiation', key: 'a1' })).toBe(false)
    const lost = { position: { column: 'lost', key: 'a0' }, status: 'lost' as const }
    expect(asksLostReason(stages, lost, { column: 'lost', key: 'a1' })).toBe(false)
    expect(asksLostReason(stages, lost, { column: 'lost2', key: 'a1' })).toBe(false)
    expect(asksLostReason(stages, open, { column: 'gone', key: 'a1' })).toBe(false)
  })

  it('is written trimmed, or null when left empty', () => {
    expect(lostReasonOf('  Chose a competitor ')).toBe('Chose a competitor')
    expect(lostReasonOf('   ')).toBeNull()
  })

  it('shows the waiting deal in its new place without touching the live map', () => {
    const deals = new Map([['d1', open]])
    const pending = { dealId: 'd1', from: open.position, to: { column: 'lost', key: 'a5' } }
    const shown = withPendingLoss(deals, pending)
    expect(shown.get('d1')?.position).toEqual({ column: 'lost', key: 'a5' })
    expect(deals.get('d1')?.position).toEqual(open.position)
    expect(withPendingLoss(deals, null)).toBe(deals)
    expect(withPendingLoss(deals, { ...pending, dealId: 'gone' })).toBe(deals)
  })

  it('notices when someone else moved the deal while the reason was asked for', () => {
    const pending = { dealId: 'd1', from: open.position, to: { column: 'lost', key: 'a5' } }
    expect(stillAt(open, pending)).toBe(true)
    expect(stillAt({ ...open, position: { column: 'won', key: 'a0' } }, pending)).toBe(false)
    expect(stillAt(null, pending)).toBe(false)
    expect(stillAt({ ...open, archived: true }, pending)).toBe(false)
  })
})
