import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { RecordIndex } from '../recordIndex/RecordIndex.ts'
import { deal, up } from '../recordIndex/recordIndex.contract.ts'
import { openSqliteRecordIndex } from '../recordIndex/sqliteRecordIndex.ts'
import { type BoardRowsSource, boardDealRows, PAIR_MS } from './boardDealRows.ts'

/** The contract's workspace (recordIndex.contract.ts writes its records there). */
const W = 'wsA'
let dir: string
let index: RecordIndex

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rapport-board-rows-'))
  index = await openSqliteRecordIndex(join(dir, 'index.sqlite'))
})
afterEach(async () => {
  vi.useRealTimers()
  await index.close()
  await rm(dir, { recursive: true, force: true })
})

/**
 * The real SQLite index behind a source that counts its board reads and commits writes the way the IndexWorker does
 * (`committedThrough` grows once a write has landed).
 */
function source() {
  const state = { lists: 0, committed: 0, gate: null as Promise<void> | null }
  const counted: RecordIndex = Object.create(index)
  counted.boardRows = async (...args) => {
    state.lists++
    // A test holds the read here to find it under way.
    if (state.gate) await state.gate
    return index.boardRows(...args)
  }
  const src: BoardRowsSource & { write: (ids: string[]) => Promise<void> } = {
    index: counted,
    flush: async () => {},
    get committedThrough() {
      return state.committed
    },
    write: async (ids) => {
      await index.apply({ records: ids.map((id) => up('deals', deal(id, `Deal ${id}`))) })
      state.committed++
    },
  } as BoardRowsSource & { write: (ids: string[]) => Promise<void> }
  return { src, state }
}

const ids = (rows: readonly Record<string, unknown>[]) => rows.map((r) => r.id).sort()

describe('boardDealRows', () => {
  it('reads the index once for two reads of one board asked together (the snapshot and the faces)', async () => {
    const { src, state } = source()
    await src.write(['d1', 'd2'])
    const [a, b] = await Promise.all([boardDealRows(src, W, 'p1'), boardDealRows(src, W, 'p1')])
    expect(ids(a)).toEqual(['d1', 'd2'])
    expect(b).toBe(a)
    expect(state.lists).toBe(1)
    // Another board is another read.
    expect(await boardDealRows(src, W, 'p2')).toEqual([])
    expect(state.lists).toBe(2)
  })

  it('answers the other request of the pair from a read finished less than PAIR_MS ago, then reads again', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout'] })
    const { src, state } = source()
    await src.write(['d1'])
    const first = await boardDealRows(src, W, 'p1')
    // The second request reached the server after the first one's read was over, nothing committed since.
    expect(await boardDealRows(src, W, 'p1')).toBe(first)
    expect(state.lists).toBe(1)
    vi.advanceTimersByTime(PAIR_MS)
    expect(await boardDealRows(src, W, 'p1')).not.toBe(first)
    expect(state.lists).toBe(2)
  })

  it('does not share a finished read: a later read sees what was written since', async () => {
    const { src, state } = source()
    await src.write(['d1'])
    expect(ids(await boardDealRows(src, W, 'p1'))).toEqual(['d1'])
    await src.write(['d2'])
    expect(ids(await boardDealRows(src, W, 'p1'))).toEqual(['d1', 'd2'])
    expect(state.lists).toBe(2)
  })

  it('does not join a read under way when the index committed a write since it started', async () => {
    const { src, state } = source()
    await src.write(['d1'])
    let release = () => {}
    state.gate = new Promise((resolve) => {
      release = resolve
    })
    const first = boardDealRows(src, W, 'p1')
    await expect.poll(() => state.lists).toBe(1)
    // The first read is under way (held before its page); a write lands before the second read asks.
    await src.write(['d2'])
    const second = boardDealRows(src, W, 'p1')
    release()
    expect(ids(await second)).toEqual(['d1', 'd2'])
    expect(state.lists).toBe(2)
    await first
  })
})
