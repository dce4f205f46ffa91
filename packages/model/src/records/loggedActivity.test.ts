import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { ModelError } from '../errors.ts'
import {
  Activity,
  appendActivity,
  logActivity,
  logActivityProblems,
  parseTimelineCursor,
  TIMELINE,
  timelinePage,
  updateLoggedActivity,
} from './activity.ts'
import { collectionMap, readRecord, readRecords } from './recordMap.ts'

const ORIGIN = { user: 'u1' }
const NOW = 1_700_000_000_000
const CALL = { type: 'call', at: NOW - 3_600_000, durationMins: 15, outcome: 'Left a voicemail' } as const

describe('logActivity', () => {
  it('appends a call with its duration, contacts and deal, the outcome as text, authored by the given actor', () => {
    const doc = new Y.Doc()
    const entry = logActivity(
      doc,
      'acc_1',
      'usr_1',
      { ...CALL, contactIds: ['con_1', 'con_1', 'con_2'], dealId: 'deal_1' },
      ORIGIN,
      { now: NOW },
    )
    const stored = readRecord(collectionMap(doc, TIMELINE), entry.id, Activity)
    expect(stored).toMatchObject({
      type: 'call',
      at: NOW - 3_600_000,
      actorId: 'usr_1',
      subject: { kind: 'account', id: 'acc_1' },
      text: 'Left a voicemail',
      details: { durationMins: 15, contactIds: ['con_1', 'con_2'], dealId: 'deal_1' },
      createdAt: NOW,
    })
  })

  it('refuses invalid input with plain words per field', () => {
    const doc = new Y.Doc()
    expect(() => logActivity(doc, 'acc_1', 'usr_1', { ...CALL, outcome: '  ' }, ORIGIN)).toThrow(ModelError)
    expect(logActivityProblems({ ...CALL, outcome: ' ', durationMins: 2000 })).toEqual({
      outcome: 'Say what happened.',
      durationMins: 'A duration is at most 24 hours (1,440 minutes).',
    })
    expect(logActivityProblems({ ...CALL, type: 'note' })).toEqual({ type: 'Choose call, email or meeting.' })
    expect(logActivityProblems({ ...CALL, durationMins: 1.5 })).toEqual({
      durationMins: 'Enter the duration in whole minutes.',
    })
    expect(logActivityProblems(CALL)).toEqual({})
    expect(readRecords(collectionMap(doc, TIMELINE), Activity).records).toEqual([])
  })

  it('edits and archives a logged entry, and refuses to change server-written history', () => {
    const doc = new Y.Doc()
    const entry = logActivity(doc, 'acc_1', 'usr_1', CALL, ORIGIN, { now: NOW })
    const edited = updateLoggedActivity(doc, entry.id, { outcome: 'Spoke to Jo', durationMins: 20 }, ORIGIN, {
      now: NOW + 1,
    })
    expect(edited).toMatchObject({ text: 'Spoke to Jo', details: { durationMins: 20 }, actorId: 'usr_1' })
    expect(updateLoggedActivity(doc, entry.id, { archived: true }, ORIGIN).archived).toBe(true)
    const change = appendActivity(
      doc,
      {
        type: 'field_change',
        actorId: 'usr_2',
        subject: { kind: 'account', id: 'acc_1' },
        text: 'changed name',
      },
      ORIGIN,
    )
    expect(() => updateLoggedActivity(doc, change.id, { outcome: 'x' }, ORIGIN)).toThrow(
      /Only logged calls, emails and meetings/,
    )
    expect(() => updateLoggedActivity(doc, 'act_missing', { outcome: 'x' }, ORIGIN)).toThrow(/not found/)
  })
})

describe('timelinePage', () => {
  const entries = (n: number): Activity[] => {
    const doc = new Y.Doc()
    for (let i = 0; i < n; i++)
      // Pairs share a time: the id breaks the tie, so pages never skip or repeat an entry.
      appendActivity(
        doc,
        {
          id: `act_${String(i).padStart(3, '0')}`,
          type: 'note',
          at: NOW + Math.floor(i / 2),
          actorId: null,
          subject: { kind: 'notes', id: 'acc_1' },
        },
        ORIGIN,
      )
    return readRecords(collectionMap(doc, TIMELINE), Activity).records
  }

  it('pages newest first with a cursor until every entry was seen exactly once', () => {
    const all = entries(250)
    const seen: string[] = []
    let before: string | null = null
    let pages = 0
    do {
      const page = timelinePage(all, { before, limit: 100 })
      seen.push(...page.items.map((a) => a.id))
      before = page.nextBefore
      pages++
    } while (before !== null)
    expect(pages).toBe(3)
    expect(seen).toHaveLength(250)
    expect(new Set(seen).size).toBe(250)
    expect(seen[0]).toBe('act_248')
    expect(seen[249]).toBe('act_001')
  })

  it('says there is no next page when the last page is exactly full, and refuses a bad cursor', () => {
    expect(timelinePage(entries(100), { limit: 100 }).nextBefore).toBeNull()
    expect(() => parseTimelineCursor('yesterday')).toThrow(ModelError)
  })
})
