import { describe, expect, it } from 'vitest'
import { COLUMN_DROP_PREFIX } from './boardCollision.ts'
import { columnsAtDrop } from './dropColumns.ts'

describe('columnsAtDrop', () => {
  // Shown while dragging: the card `x` was last moved to Won; the board then scrolled under the still pointer
  // and the pointer is over Lost (its card `l1`, or the empty part of the column).
  const shown = { negotiation: ['n1'], won: ['w1', 'x'], lost: ['l1', 'l2'] }

  it('puts the card in the column under the pointer when the shown column lags behind', () => {
    expect(columnsAtDrop(shown, 'x', 'l2')).toEqual({
      negotiation: ['n1'],
      won: ['w1'],
      lost: ['l1', 'x', 'l2'],
    })
    expect(columnsAtDrop(shown, 'x', `${COLUMN_DROP_PREFIX}lost`)).toEqual({
      negotiation: ['n1'],
      won: ['w1'],
      lost: ['l1', 'l2', 'x'],
    })
  })

  it('reorders within the shown column before the hovered card, and keeps the order over the column itself', () => {
    expect(columnsAtDrop(shown, 'x', 'w1')).toEqual({
      negotiation: ['n1'],
      won: ['x', 'w1'],
      lost: ['l1', 'l2'],
    })
    expect(columnsAtDrop(shown, 'x', `${COLUMN_DROP_PREFIX}won`)).toBe(shown)
    expect(columnsAtDrop(shown, 'x', 'x')).toBe(shown)
  })

  it('ignores an unknown target or a card that is not shown', () => {
    expect(columnsAtDrop(shown, 'x', `${COLUMN_DROP_PREFIX}gone`)).toBe(shown)
    expect(columnsAtDrop(shown, 'x', 'nowhere')).toBe(shown)
    expect(columnsAtDrop(shown, 'missing', 'l1')).toBe(shown)
  })
})
