import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import {
  BoardEntry,
  boardColumns,
  boardEntryOf,
  boardPosMap,
  decodeBoardEntry,
  encodeBoardEntry,
  evictClosed,
  isBoardEntry,
  type MirroredDeal,
  mirrorDeal,
  readBoardEntries,
  regenerateBoard,
  updateBoardEntries,
} from './boardEntries.ts'

const DAY = 86_400_000
const NOW = 29_166_666 * 60_000
const STAGES = [
  { id: 'lead', outcome: 'open' as const },
  { id: 'proposal', outcome: 'open' as const },
  { id: 'won', outcome: 'won' as const },
  { id: 'lost', outcome: 'lost' as const },
]

const deal = (patch: Partial<MirroredDeal> = {}): MirroredDeal => ({
  pipelineId: 'pip_1',
  position: { column: 'lead', key: 'a0' },
  status: 'open',
  stageEnteredAt: NOW,
  archived: false,
  ...patch,
})

describe('board entry codec', () => {
  it('encodes a tuple with minute precision and decodes it back', () => {
    const entry = encodeBoardEntry({ stageId: 'won', key: 'a1', status: 'won', enteredAt: NOW + 59_999 })
    expect(entry).toEqual(['won', 'a1', 'w', Math.floor((NOW + 59_999) / 60_000)])
    expect(decodeBoardEntry(entry)).toEqual({
      stageId: 'won',
      key: 'a1',
      status: 'won',
      enteredAt: Math.floor((NOW + 59_999) / 60_000) * 60_000,
    })
  })

  it.each(
    [
      null,
      undefined,
      'x',
      {},
      [],
      ['lead', 'a0', 'o'],
      ['lead', 'a0', 'x', 1],
      ['lead', '', 'o', 1],
      ['', 'a0', 'o', 1],
      ['lead', 'a0', 'o', 1.5],
      ['lead', 'a0', 'o', -1],
      ['lead', 'a0', 'o', 1, 'extra'],
      [1, 'a0', 'o', 1],
    ].map((value) => [value]),
  )('ignores the malformed value %j', (value) => {
    expect(decodeBoardEntry(value)).toBeNull()
  })

  it('isBoardEntry accepts exactly what the BoardEntry schema accepts', () => {
    const text = fc.oneof(fc.string({ maxLength: 3 }), fc.string({ minLength: 60, maxLength: 70 }))
    const item = fc.oneof(
      text,
      fc.constantFrom('o', 'w', 'l', 'x', '', 'a'.repeat(1024), 'a'.repeat(1025)),
      fc.double(),
      fc.integer(),
      fc.constantFrom(0, -0, 2 ** 53, 2 ** 53 - 1, -1, Number.NaN, Number.POSITIVE_INFINITY),
      fc.constantFrom(null, undefined, true, {}, []),
    )
    const near = fc.tuple(
      fc.oneof(text, item),
      fc.oneof(fc.string({ minLength: 1, maxLength: 4 }), item),
      fc.oneof(fc.constantFrom('o', 'w', 'l'), item),
      fc.oneof(fc.nat(), item),
    )
    const value = fc.oneof(near, fc.array(item, { maxLength: 6 }), item)
    fc.assert(
      fc.property(value, (v) => {
        expect(isBoardEntry(v)).toBe(BoardEntry.safeParse(v).success)
      }),
      { numRuns: 5_000 },
    )
  })

  it('readBoardEntries skips malformed entries', () => {
    const doc = new Y.Doc()
    boardPosMap(doc).set('deal_1', ['lead', 'a0', 'o', 1])
    boardPosMap(doc).set('deal_2', 'junk')
    expect([...readBoardEntries(doc).keys()]).toEqual(['deal_1'])
  })
})

describe('boardEntryOf / mirrorDeal', () => {
  it('open deal → entry; archived, deleted or of another pipeline → none', () => {
    expect(boardEntryOf(deal(), 'pip_1', NOW, 7)).toEqual(['lead', 'a0', 'o', NOW / 60_000])
    expect(boardEntryOf(deal({ archived: true }), 'pip_1', NOW, 7)).toBeNull()
    expect(boardEntryOf(null, 'pip_1', NOW, 7)).toBeNull()
    expect(boardEntryOf(deal({ pipelineId: 'pip_2' }), 'pip_1', NOW, 7)).toBeNull()
    // An open deal stays however long ago it entered its stage.
    expect(boardEntryOf(deal(), 'pip_1', NOW + 365 * DAY, 7)).not.toBeNull()
  })

  it('a closed deal stays closedDays after entering its stage, then leaves', () => {
    const won = deal({ position: { column: 'won', key: 'a0' }, status: 'won' })
    expect(boardEntryOf(won, 'pip_1', NOW + 7 * DAY, 7)).toEqual(['won', 'a0', 'w', NOW / 60_000])
    expect(boardEntryOf(won, 'pip_1', NOW + 7 * DAY + 1, 7)).toBeNull()
    expect(boardEntryOf(won, 'pip_1', NOW + 2 * DAY, 1)).toBeNull()
  })

  it('writes only when the entry changes, in one transaction with the origin', () => {
    const board = new Y.Doc()
    const origins: unknown[] = []
    board.on('afterTransaction', (txn: Y.Transaction) => {
      origins.push(txn.origin)
    })
    expect(mirrorDeal(board, 'deal_1', deal(), NOW, 7, 'mirror', 'pip_1')).toBe('set')
    expect(mirrorDeal(board, 'deal_1', deal(), NOW, 7, 'mirror', 'pip_1')).toBe('unchanged')
    const moved = deal({ position: { column: 'proposal', key: 'a1' } })
    expect(mirrorDeal(board, 'deal_1', moved, NOW, 7, 'mirror', 'pip_1')).toBe('set')
    expect(readBoardEntries(board).get('deal_1')?.stageId).toBe('proposal')
    expect(mirrorDeal(board, 'deal_1', deal({ pipelineId: 'pip_2' }), NOW, 7, 'mirror', 'pip_1')).toBe(
      'removed',
    )
    expect(mirrorDeal(board, 'deal_1', null, NOW, 7, 'mirror', 'pip_1')).toBe('unchanged')
    expect(origins).toEqual(['mirror', 'mirror', 'mirror'])
    boardPosMap(board).set('deal_2', 'junk')
    expect(mirrorDeal(board, 'deal_2', null, NOW, 7, 'mirror', 'pip_1')).toBe('removed')
  })
})

describe('evictClosed', () => {
  it('removes closed cards past closedDays and malformed entries, keeps the rest', () => {
    const board = new Y.Doc()
    const map = boardPosMap(board)
    const at = (days: number): number => Math.floor((NOW - days * DAY) / 60_000)
    map.set('open_old', ['lead', 'a0', 'o', at(100)])
    map.set('won_new', ['won', 'a0', 'w', at(6)])
    map.set('won_old', ['won', 'a1', 'w', at(8)])
    map.set('lost_old', ['lost', 'a0', 'l', at(30)])
    map.set('junk', 42)
    expect(evictClosed(board, NOW, 7, 'sweep')).toEqual(['junk', 'lost_old', 'won_old'])
    expect([...map.keys()].sort()).toEqual(['open_old', 'won_new'])
    expect(evictClosed(board, NOW, 7, 'sweep')).toEqual([])
  })
})

describe('boardColumns', () => {
  it('orders by key then id, places unknown stages by outcome', () => {
    const board = new Y.Doc()
    const map = boardPosMap(board)
    const entries: Array<[string, BoardEntry]> = [
      ['d_b', ['lead', 'a1', 'o', 1]],
      ['d_a', ['lead', 'a1', 'o', 1]],
      ['d_c', ['lead', 'a0', 'o', 1]],
      ['d_w', ['gone_stage', 'a0', 'w', 1]],
      ['d_o', ['gone_stage', 'a5', 'o', 1]],
      ['d_p', ['proposal', 'a0', 'o', 1]],
    ]
    for (const [id, entry] of entries) map.set(id, entry)
    map.set('junk', ['lead'])
    const { columns, keys } = boardColumns(board, { stages: STAGES })
    expect(columns).toEqual({ lead: ['d_c', 'd_a', 'd_b', 'd_o'], proposal: ['d_p'], won: ['d_w'], lost: [] })
    expect(keys.d_a).toBe('a1')
    expect(keys.junk).toBeUndefined()
  })
})

describe('regenerateBoard', () => {
  it('holds exactly the entries, no tombstones, and is much smaller than a board with history', () => {
    const board = new Y.Doc()
    const map = boardPosMap(board)
    for (let round = 0; round < 20; round++)
      for (let i = 0; i < 200; i++) map.set(`deal_${i}`, ['lead', `a${round}`, 'o', round])
    for (let i = 100; i < 200; i++) map.delete(`deal_${i}`)
    map.set('junk', 'x')
    const fresh = regenerateBoard(boardPosMap(board).entries())
    const replica = new Y.Doc()
    Y.applyUpdate(replica, fresh)
    expect(readBoardEntries(replica)).toEqual(
      new Map([...readBoardEntries(board)].filter(([id]) => id !== 'junk')),
    )
    expect(boardPosMap(replica).has('junk')).toBe(false)
    expect(fresh.byteLength).toBeLessThan(Y.encodeStateAsUpdate(board).byteLength / 2)
  })
})

describe('updateBoardEntries', () => {
  it('re-reads only the changed entries: equal to a full read, other entries keep their objects', () => {
    const doc = new Y.Doc()
    const map = boardPosMap(doc)
    for (let i = 0; i < 5; i++)
      map.set(`d${i}`, encodeBoardEntry({ stageId: 'lead', key: `a${i}`, status: 'open', enteredAt: NOW }))
    const before = readBoardEntries(doc)
    const changed: string[] = []
    doc.getMap('pos').observe((event) => changed.push(...event.keysChanged))
    doc.transact(() => {
      map.set('d1', encodeBoardEntry({ stageId: 'won', key: 'a9', status: 'won', enteredAt: NOW }))
      map.delete('d2')
      map.set('d3', ['lead', 'a3', 'x', 1])
      map.set('d7', encodeBoardEntry({ stageId: 'proposal', key: 'a7', status: 'open', enteredAt: NOW }))
    })
    expect(new Set(changed)).toEqual(new Set(['d1', 'd2', 'd3', 'd7']))
    const after = updateBoardEntries(before, doc, changed)
    expect(after).toEqual(readBoardEntries(doc))
    expect([...after.keys()].sort()).toEqual(['d0', 'd1', 'd4', 'd7'])
    expect(after.get('d1')).toMatchObject({ stageId: 'won', status: 'won' })
    // Unchanged entries are the same objects (the board re-places only what moved); the previous map is untouched.
    expect(after.get('d0')).toBe(before.get('d0'))
    expect(after.get('d4')).toBe(before.get('d4'))
    expect(before.size).toBe(5)
    expect(before.get('d1')).toMatchObject({ stageId: 'lead' })
  })
})
