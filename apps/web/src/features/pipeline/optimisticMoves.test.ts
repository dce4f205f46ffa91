import type { BoardCardState } from '@rapport/model'
import { describe, expect, it } from 'vitest'
import { nextMove, settleMoves, settles } from './optimisticMoves.ts'

const card = (stageId: string, key: string): BoardCardState => ({
  stageId,
  key,
  status: 'open',
  enteredAt: 0,
})
const A = { column: 'lead', key: 'a0' }
const B = { column: 'won', key: 'a1' }
const C = { column: 'proposal', key: 'a2' }

describe('optimistic moves on the deal board', () => {
  it('a move waits while the board still shows the card where it was, and ends when the entry matches', () => {
    const move = nextMove(undefined, A, B)
    expect(settles(move, card('lead', 'a0'))).toBe(false)
    expect(settles(move, card('won', 'a1'))).toBe(true)
  })

  it('ends when someone else moved the card elsewhere meanwhile, or the card left the board', () => {
    const move = nextMove(undefined, A, B)
    expect(settles(move, card('proposal', 'zz'))).toBe(true)
    expect(settles(move, undefined)).toBe(true)
  })

  it('a second move before the board caught up keeps waiting while the board shows the first target', () => {
    const second = nextMove(nextMove(undefined, A, B), B, C)
    expect(second).toEqual({ from: A, via: [B], to: C })
    expect(settles(second, card('won', 'a1'))).toBe(false)
    expect(settles(second, card('lead', 'a0'))).toBe(false)
    expect(settles(second, card('proposal', 'a2'))).toBe(true)
  })

  it('a new card (not on the board yet) waits until its entry arrives', () => {
    const move = nextMove(undefined, null, A)
    expect(settles(move, undefined)).toBe(false)
    expect(settles(move, card('lead', 'a0'))).toBe(true)
  })

  it('settleMoves returns the same map when nothing ended, and drops only the ended moves', () => {
    const moves = new Map([
      ['d1', nextMove(undefined, A, B)],
      ['d2', nextMove(undefined, A, C)],
    ])
    expect(
      settleMoves(
        moves,
        new Map([
          ['d1', card('lead', 'a0')],
          ['d2', card('lead', 'a0')],
        ]),
      ),
    ).toBe(moves)
    const next = settleMoves(
      moves,
      new Map([
        ['d1', card('won', 'a1')],
        ['d2', card('lead', 'a0')],
      ]),
    )
    expect([...next.keys()]).toEqual(['d2'])
  })
})
