// @vitest-environment happy-dom
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { NotesBinding } from './editorNetwork.ts'
import { type Checks, type NotesOp, playNotesScenario } from './notesScenario.ts'

/**
 * Shared notes converge, proven by property: 2–4 real Tiptap editors with the notes editor's extensions, each on
 * its own Y.Doc, over a seeded network with random delivery order (also between keystrokes) and disconnects.
 *
 * - Text edits (typed runs anywhere, new lines, Enter, paste and mentions at the end of a block, Backspace and
 *   deletes inside a block, bold/italic): editors and replicas agree, and no typed character is doubled, reordered, lost or
 *   split off its run by an earlier edit.
 * - Any edits (also Enter, paste and mentions mid-block, joins, deletes across blocks, lists, headings): editors and
 *   replicas agree. Typed text is not always intact there: see the known limitations below.
 *
 * - Any edits on the Y.Text binding (NotesTextCollaboration, design 2 of #10, the app's binding): editors
 *   and replicas agree AND every typed character is intact, as for text edits (nothing is copied on a split, join or
 *   type change).
 *
 * CI: fixed seed, 100 runs each. `RAPPORT_LONG=1`: 1,500 runs each (`RAPPORT_NOTES_SEED` picks another seed). On
 * the Y.Text binding the long run found run 747 (this seed) and run 231 of seed 5, both fixed by the yjs patch and
 * kept in notesRegressions; seeds 2, 4, 20 and 23 found a join that re-wrote the joined line's first character (binding, fixed in
 * notesUnits' implicitMarkers), also kept there as named regressions.
 */
const env = (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env ?? {}
const LONG = env.RAPPORT_LONG === '1'
const SEED = Number(env.RAPPORT_NOTES_SEED ?? 20_261_204)
const NUM_RUNS = Number(env.RAPPORT_NOTES_RUNS ?? (LONG ? 1_500 : 100))
const TIMEOUT = LONG ? 3_600_000 : 60_000

const r = fc.nat(3)
const at = fc.option(fc.nat(200), { nil: undefined, freq: 1 })
const pos = fc.nat(200)
const rec = <T>(weight: number, arbitrary: fc.Arbitrary<T>) => ({ arbitrary, weight })

const commonOps: fc.WeightedArbitrary<NotesOp>[] = [
  rec(8, fc.record({ t: fc.constant('type' as const), r, at, len: fc.integer({ min: 1, max: 6 }) })),
  rec(3, fc.record({ t: fc.constant('line' as const), r, len: fc.integer({ min: 1, max: 6 }) })),
  rec(
    1,
    fc.record({
      t: fc.constant('mark' as const),
      r,
      from: pos,
      to: pos,
      mark: fc.constantFrom('bold', 'italic'),
    }),
  ),
  rec(4, fc.record({ t: fc.constant('deliver' as const), n: fc.nat(6) })),
  rec(1, fc.constant({ t: 'toggle' as const })),
] as fc.WeightedArbitrary<NotesOp>[]

const paragraphs = fc.integer({ min: 2, max: 3 })
const textOps: fc.WeightedArbitrary<NotesOp>[] = [
  ...commonOps,
  rec(4, fc.record({ t: fc.constant('enter' as const), r, at, atEnd: fc.constant(true) })),
  rec(2, fc.record({ t: fc.constant('backspace' as const), r, at, inText: fc.constant(true) })),
  rec(
    1,
    fc.record({ t: fc.constant('deleteRange' as const), r, from: pos, to: pos, inBlock: fc.constant(true) }),
  ),
  rec(1, fc.record({ t: fc.constant('paste' as const), r, at, atEnd: fc.constant(true), paragraphs })),
  rec(
    1,
    fc.record({
      t: fc.constant('mention' as const),
      r,
      at,
      atEnd: fc.constant(true),
      member: fc.constantFrom(0, 1),
    }),
  ),
]

const anyOps: fc.WeightedArbitrary<NotesOp>[] = [
  ...commonOps,
  rec(4, fc.record({ t: fc.constant('enter' as const), r, at })),
  rec(2, fc.record({ t: fc.constant('backspace' as const), r, at })),
  rec(2, fc.record({ t: fc.constant('joinBack' as const), r, block: fc.nat(20) })),
  rec(1, fc.record({ t: fc.constant('deleteRange' as const), r, from: pos, to: pos })),
  rec(1, fc.record({ t: fc.constant('paste' as const), r, at, paragraphs })),
  rec(1, fc.record({ t: fc.constant('mention' as const), r, at, member: fc.constantFrom(0, 1) })),
  rec(
    1,
    fc.record({ t: fc.constant('list' as const), r, at: pos, kind: fc.constantFrom('bullet', 'ordered') }),
  ),
  rec(1, fc.record({ t: fc.constant('heading' as const), r, at: pos, level: fc.constantFrom(0, 1, 2) })),
] as fc.WeightedArbitrary<NotesOp>[]

function property(ops: fc.WeightedArbitrary<NotesOp>[], checks: Checks, binding: NotesBinding = 'fragment') {
  fc.assert(
    fc.property(
      fc.integer({ min: 2, max: 4 }),
      fc.nat(1_000_000),
      fc.array(fc.oneof(...ops), { minLength: 1, maxLength: 30 }),
      (replicas, seed, list) => {
        expect(playNotesScenario({ replicas, seed, ops: list }, checks, binding)).toEqual([])
      },
    ),
    { seed: SEED, numRuns: NUM_RUNS },
  )
}

describe('shared notes converge', () => {
  it(
    'text edits in 2–4 editors end identical, with every typed character once, in order, in its run',
    () => {
      property(textOps, 'all')
    },
    TIMEOUT,
  )

  it(
    'any edits in 2–4 editors end identical in every editor and replica',
    () => {
      property(anyOps, 'convergence')
    },
    TIMEOUT,
  )

  it(
    'any edits in 2–4 editors on the Y.Text binding end identical, with every typed character once, in order, in its run',
    () => {
      property(anyOps, 'all', 'text')
    },
    TIMEOUT,
  )
})
