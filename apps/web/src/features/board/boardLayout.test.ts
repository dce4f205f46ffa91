import { type BoardRecord, layoutBoard, moveByKeyboard, resolveDrop } from '@rapport/model'
import { describe, expect, it } from 'vitest'
import { applyPosition, dropTargetFor, moveInColumns, shareUnchangedColumns } from './boardLayout.ts'

const COLUMNS = ['lead', 'prop', 'won'] as const

function rec(id: string, column: string, key: string, archived = false): BoardRecord {
  return { id, position: { column, key }, archived }
}

describe('optimistic drag', () => {
  const board = layoutBoard(
    [rec('a', 'lead', 'a0'), rec('b', 'lead', 'a1'), rec('c', 'lead', 'a2'), rec('d', 'prop', 'a0')],
    COLUMNS,
  )

  it('moves locally without touching the input', () => {
    const moved = moveInColumns(board.columns, 'a', 'prop', 1)
    expect(moved).toEqual({ lead: ['b', 'c'], prop: ['d', 'a'], won: [] })
    expect(board.columns.lead).toEqual(['a', 'b', 'c'])
  })

  it('turns the optimistic order into the drop resolveDrop commits', () => {
    const cases: Array<[string, string, number, string[]]> = [
      ['a', 'lead', 2, ['b', 'c', 'a']],
      ['c', 'lead', 0, ['c', 'a', 'b']],
      ['b', 'prop', 0, ['b', 'd']],
      ['b', 'won', 0, ['b']],
    ]
    for (const [id, column, index, expected] of cases) {
      const optimistic = moveInColumns(board.columns, id, column, index)
      const target = dropTargetFor(optimistic, id)
      expect(target).not.toBeNull()
      if (!target) continue
      const position = resolveDrop({ columns: board.columns, keys: board.keys, activeId: id, ...target })
      expect(position?.column).toBe(column)
      if (!position) continue
      expect(applyPosition(board, id, position).columns[column]).toEqual(expected)
    }
  })

  it('dropping where the card already is resolves to no write', () => {
    const target = dropTargetFor(board.columns, 'b')
    expect(target).not.toBeNull()
    if (target)
      expect(resolveDrop({ columns: board.columns, keys: board.keys, activeId: 'b', ...target })).toBeNull()
  })

  it('keyboard moves chain locally across columns', () => {
    let local = { columns: board.columns, keys: board.keys }
    for (const dir of ['right', 'right', 'up'] as const) {
      const p = moveByKeyboard(local.columns, local.keys, 'b', dir)
      if (p) local = applyPosition(local, 'b', p)
    }
    expect(local.columns.won).toEqual(['b'])
    expect(local.columns.lead).toEqual(['a', 'c'])
  })
})

describe('shareUnchangedColumns', () => {
  it('keeps the previous array of every unchanged column and the new one of a changed column', () => {
    const prev = { lead: ['a', 'b'], won: ['c'] }
    const next = shareUnchangedColumns(prev, { lead: ['a', 'b'], won: ['c', 'd'] })
    expect(next.lead).toBe(prev.lead)
    expect(next.won).toEqual(['c', 'd'])
    expect(next.won).not.toBe(prev.won)
    expect(shareUnchangedColumns(null, prev)).toBe(prev)
  })
})
