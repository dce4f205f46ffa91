import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import {
  AUTHOR_MARK_MS,
  AUTHOR_MARKS_MAX,
  AUTHOR_RELAYS_MAX,
  AuthorEntry,
  authorAt,
  authorsMap,
  authorTimeAt,
  readAuthors,
  withAuthorMark,
  withAuthorRelay,
} from './authorship.ts'

const T0 = Date.UTC(2026, 11, 4, 18, 0)
const first: AuthorEntry = { userId: 'usr_a', at: T0, marks: [[0, T0]] }

describe('author time marks', () => {
  it('adds a mark at most once a minute, and only for later clocks', () => {
    expect(withAuthorMark(first, 10, T0 + AUTHOR_MARK_MS - 1)).toBe(first)
    const later = withAuthorMark(first, 10, T0 + AUTHOR_MARK_MS)
    expect(later.marks).toEqual([
      [0, T0],
      [10, T0 + AUTHOR_MARK_MS],
    ])
    expect(withAuthorMark(later, 5, T0 + 10 * AUTHOR_MARK_MS)).toBe(later)
  })

  it('tells when an item was received: the last mark at or before its clock', () => {
    let entry = first
    for (let i = 1; i <= 3; i += 1) entry = withAuthorMark(entry, i * 100, T0 + i * AUTHOR_MARK_MS)
    expect(authorTimeAt(entry, 0)).toBe(T0)
    expect(authorTimeAt(entry, 99)).toBe(T0)
    expect(authorTimeAt(entry, 100)).toBe(T0 + AUTHOR_MARK_MS)
    expect(authorTimeAt(entry, 250)).toBe(T0 + 2 * AUTHOR_MARK_MS)
    expect(authorTimeAt(entry, 10_000)).toBe(T0 + 3 * AUTHOR_MARK_MS)
  })

  it('stays bounded: past the cap every other older mark goes, the first and the newest stay', () => {
    let entry = first
    for (let i = 1; i <= 3 * AUTHOR_MARKS_MAX; i += 1)
      entry = withAuthorMark(entry, i, T0 + i * AUTHOR_MARK_MS)
    expect(entry.marks.length).toBeLessThanOrEqual(AUTHOR_MARKS_MAX)
    expect(entry.marks[0]).toEqual([0, T0])
    expect(entry.marks.at(-1)).toEqual([3 * AUTHOR_MARKS_MAX, T0 + 3 * AUTHOR_MARKS_MAX * AUTHOR_MARK_MS])
    const clocks = entry.marks.map(([clock]) => clock)
    expect([...clocks].sort((a, b) => a - b)).toEqual(clocks)
  })
})

describe('readAuthors', () => {
  it('reads valid entries by clientID and skips anything else', () => {
    const doc = new Y.Doc()
    const map = authorsMap(doc)
    map.set('123', first)
    map.set('not-a-number', first)
    map.set('456', { userId: 'usr_b' })
    expect([...readAuthors(map)]).toEqual([[123, first]])
  })
})

describe('relayed ranges', () => {
  it('name the sender of a re-sent range; the rest of the clientID stays the entry user’s', () => {
    let entry: AuthorEntry | null = first
    entry = withAuthorRelay(entry, 10, 20, 'usr_bob', T0 + 5)
    expect(entry).not.toBeNull()
    // Adjacent range of the same sender extends the last one; another sender gets its own.
    entry = withAuthorRelay(entry as AuthorEntry, 20, 25, 'usr_bob', T0 + 6)
    entry = withAuthorRelay(entry as AuthorEntry, 30, 31, 'usr_carol', T0 + 7) as AuthorEntry
    expect(entry.relays).toEqual([
      [10, 25, 'usr_bob', T0 + 5],
      [30, 31, 'usr_carol', T0 + 7],
    ])
    expect(authorAt(entry, 9)).toEqual({ userId: first.userId, at: T0 })
    expect(authorAt(entry, 10)).toEqual({ userId: 'usr_bob', at: T0 + 5 })
    expect(authorAt(entry, 24)).toEqual({ userId: 'usr_bob', at: T0 + 5 })
    expect(authorAt(entry, 25)).toEqual({ userId: first.userId, at: T0 })
    expect(authorAt(entry, 30)).toEqual({ userId: 'usr_carol', at: T0 + 7 })
    expect(AuthorEntry.safeParse(entry).success).toBe(true)
  })

  it('are bounded: a full entry takes no further range (the server refuses the update instead)', () => {
    let entry: AuthorEntry = first
    for (let i = 0; i < AUTHOR_RELAYS_MAX; i += 1) {
      entry = withAuthorRelay(entry, i * 2, i * 2 + 1, i % 2 ? 'usr_a' : 'usr_b', T0) as AuthorEntry
    }
    expect(entry.relays?.length).toBe(AUTHOR_RELAYS_MAX)
    expect(withAuthorRelay(entry, 10_000, 10_001, 'usr_c', T0)).toBeNull()
    // Extending the last range still fits.
    const last = entry.relays?.at(-1) as [number, number, string, number]
    expect(withAuthorRelay(entry, last[1], last[1] + 5, last[2], T0)?.relays?.length).toBe(AUTHOR_RELAYS_MAX)
  })
})
