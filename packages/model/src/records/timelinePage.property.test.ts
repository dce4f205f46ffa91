import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { NUM_RUNS, PROPERTY_TIMEOUT, SEED } from '../testing/propertyHarness.ts'
import { type Activity, compareActivities, timelinePage } from './activity.ts'

const entry = (n: number, at: number, archived: boolean): Activity =>
  ({
    id: `act_${n.toString(36)}` as Activity['id'],
    createdAt: 0,
    updatedAt: 0,
    archived,
    type: 'note',
    at,
    actorId: null,
    subject: { kind: 'notes', id: 'acc_1' },
    text: '',
    changes: [],
  }) satisfies Activity

/**
 * Paging a timeline with `nextBefore` visits every non-archived entry exactly once, newest first, whatever the page
 * size, with many entries sharing one `at`, and while newer entries are appended between pages (the timeline is
 * append-only: a page never shows an entry newer than the cursor). CI: seed 20250101, 200 runs; RAPPORT_LONG=1: 5,000.
 */
describe('timelinePage (property)', () => {
  it(
    'visits every entry exactly once, in order, while newer entries arrive',
    () => {
      fc.assert(
        fc.property(
          fc.array(fc.record({ at: fc.nat(20), archived: fc.boolean() }), { maxLength: 300 }),
          fc.integer({ min: 1, max: 40 }),
          fc.array(fc.nat(3), { maxLength: 30 }),
          (specs, limit, arrivals) => {
            const entries = specs.map((s, i) => entry(i, s.at, s.archived))
            const expected = entries.filter((a) => !a.archived).sort(compareActivities)
            const seen: Activity[] = []
            let before: string | null = null
            let next = specs.length
            for (let page = 0; page < 10_000; page++) {
              const result = timelinePage(entries, { before, limit })
              seen.push(...result.items)
              expect(result.items.length).toBeLessThanOrEqual(limit)
              // Newer entries arrive between pages: they are after the cursor, never in the older pages.
              for (let k = 0; k < (arrivals[page] ?? 0); k++) entries.push(entry(next++, 1_000 + next, false))
              if (result.nextBefore === null) break
              before = result.nextBefore
            }
            expect(seen.map((a) => a.id)).toEqual(expected.map((a) => a.id))
          },
        ),
        { seed: SEED, numRuns: NUM_RUNS },
      )
    },
    PROPERTY_TIMEOUT,
  )
})
