import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { notesDocProblems } from '../testing/notesDocProblems.ts'
import { NUM_RUNS, PROPERTY_TIMEOUT, SEED } from '../testing/propertyHarness.ts'
import { convergenceReport, TestConnector } from '../testing/TestConnector.ts'
import { blockMarkers, joinBlockAt, markerBefore, setBlockType, splitBlockAt } from './blockOps.ts'
import { inlineEmbed, notesPlainText, notesTextToDoc, writeDocToText } from './notesText.ts'

/*
 * The four expected failures of apps/web/src/features/account/notesRegressions.test.ts (y-prosemirror #161: splits,
 * joins and type changes copy text) replayed as marker operations on pure Yjs replicas, delivered in a seeded random
 * order: every typed run appears once, contiguous, in the block it was typed into. Then a seeded property over random
 * concurrent block edits. CI: fixed seed, 200 runs; RAPPORT_LONG=1: 5,000.
 */

const FIELD = 'notesText'
const text = (doc: Y.Doc) => doc.getText(FIELD)
const lines = (doc: Y.Doc) => notesPlainText(text(doc)).split('\n')

/** Types `run` at `index` with no marks (explicit attributes: nothing is inherited from the left). */
const typeAt = (doc: Y.Doc, index: number, run: string) => text(doc).insert(index, run, {})

/** A network of `replicas` whose notes text holds one paragraph per line of `initial`, synced everywhere. */
function setup(replicas: number, seed: number, initial: string[]): TestConnector {
  const net = new TestConnector(replicas, seed)
  for (const doc of net.docs) text(doc) // typed on every replica, so convergenceReport compares texts
  writeDocToText(text(net.doc(0)), {
    type: 'doc',
    content: initial.map((line) => ({ type: 'paragraph', content: [{ type: 'text', text: line }] })),
  })
  net.flushAll()
  return net
}

function settle(net: TestConnector): string[] {
  net.flushAll()
  expect(convergenceReport(net.docs)).toEqual([])
  for (const doc of net.docs) expect(notesDocProblems(notesTextToDoc(text(doc)))).toEqual([])
  return lines(net.doc(0))
}

const SEEDS = [1, 2, 3, 4, 10, 11]

describe('notes text: the copy failures of y-prosemirror #161 (notesRegressions.test.ts it.fails) as marker operations', () => {
  it.each(SEEDS)('Enter mid-block while the other types in the tail (seed %i)', (seed) => {
    const net = setup(2, seed, ['hello world'])
    splitBlockAt(text(net.doc(0)), 6, { b: 'paragraph' }) // "hello| world"
    typeAt(net.doc(1), 10, 'XYZ') // "hello wor|ld"
    expect(settle(net)).toEqual(['hello', ' worXYZld'])
  })

  it.each(SEEDS)('a join while the other types into the second block (seed %i)', (seed) => {
    const net = setup(2, seed, ['abc', 'def'])
    const second = blockMarkers(text(net.doc(0)))[1]?.index ?? -1
    joinBlockAt(text(net.doc(0)), second)
    typeAt(net.doc(1), second + 3, 'X') // "de|f", two keystrokes
    typeAt(net.doc(1), second + 4, 'Y')
    expect(settle(net)).toEqual(['abcdeXYf'])
  })

  it.each(SEEDS)(
    'two users change the same paragraph into headings at once while one types (seed %i)',
    (seed) => {
      const net = setup(2, seed, ['title'])
      typeAt(net.doc(0), 6, 'a')
      setBlockType(text(net.doc(0)), 0, { b: 'heading' })
      setBlockType(text(net.doc(1)), 0, { b: 'heading', ba: '{"level":2}' })
      typeAt(net.doc(0), 7, 'b')
      expect(settle(net)).toEqual(['titleab'])
      const heading = notesTextToDoc(text(net.doc(0))).content?.[0]
      expect(heading?.type).toBe('heading')
      expect([1, 2]).toContain(heading?.attrs?.level)
      expect(heading?.content).toEqual([{ type: 'text', text: 'titleab' }])
    },
  )

  it.each(SEEDS)('two concurrent heading levels while a third user types (seed %i)', (seed) => {
    const net = setup(3, seed, ['title'])
    setBlockType(text(net.doc(0)), 0, { b: 'heading', ba: '{"level":2}' })
    setBlockType(text(net.doc(1)), 0, { b: 'heading', ba: '{"level":3}' })
    typeAt(net.doc(2), 6, '!!')
    expect(settle(net)).toEqual(['title!!'])
    expect([2, 3]).toContain(notesTextToDoc(text(net.doc(0))).content?.[0]?.attrs?.level)
  })

  it.each(SEEDS)(
    'a mention inserted mid-line (after a bold) keeps the order of what another types at its end (seed %i)',
    (seed) => {
      const net = setup(2, seed, ['hello world'])
      const a = text(net.doc(0))
      a.format(1, 5, { bold: true })
      a.insertEmbed(4, inlineEmbed('mention', { id: 'u_1', label: 'Sam', mentionSuggestionChar: '@' }), {})
      for (const [i, ch] of [...'XYZ'].entries()) typeAt(net.doc(1), 12 + i, ch)
      expect(settle(net)).toEqual(['hel@Samlo worldXYZ'])
      expect(notesTextToDoc(a).content?.[0]?.content).toEqual([
        { type: 'text', marks: [{ type: 'bold' }], text: 'hel' },
        { type: 'mention', attrs: { id: 'u_1', label: 'Sam', mentionSuggestionChar: '@' } },
        { type: 'text', marks: [{ type: 'bold' }], text: 'lo' },
        { type: 'text', text: ' worldXYZ' },
      ])
    },
  )

  it.each(SEEDS)('a two-paragraph paste mid-block while the other types at its end (seed %i)', (seed) => {
    const net = setup(2, seed, ['hello world'])
    const a = text(net.doc(0))
    net.doc(0).transact(() => {
      a.insert(6, 'AA', {})
      splitBlockAt(a, 8, { b: 'paragraph' })
      a.insert(9, 'BB', {})
    })
    typeAt(net.doc(1), 12, 'XYZ') // end of "hello world"
    expect(settle(net)).toEqual(['helloAA', 'BB worldXYZ'])
  })

  it.each([0, 1])(
    'a block split off next to a marker another user re-formats keeps its own attributes (formatter %i)',
    (formatter) => {
      const net = setup(2, 1, ['abcdef'])
      const a = text(net.doc(formatter))
      setBlockType(a, 0, { b: 'heading', ba: '{"level":2}' })
      a.format(0, 1, { p: 'bulletList#x/listItem#y' })
      splitBlockAt(text(net.doc(1 - formatter)), 1, { b: 'heading' }) // Enter at the start of the block
      expect(settle(net)).toEqual(['', '', 'abcdef'])
      expect(notesTextToDoc(a)).toEqual({
        type: 'doc',
        content: [
          {
            type: 'bulletList',
            content: [
              {
                type: 'listItem',
                content: [{ type: 'paragraph' }, { type: 'heading', attrs: { level: 2 } }],
              },
            ],
          },
          { type: 'heading', attrs: { level: 1 }, content: [{ type: 'text', text: 'abcdef' }] },
        ],
      })
    },
  )

  it('rejects a join or type change at an index that is not a marker', () => {
    const doc = new Y.Doc()
    writeDocToText(text(doc), {
      type: 'doc',
      content: [{ type: 'paragraph', content: [{ type: 'text', text: 'ab' }] }],
    })
    expect(() => joinBlockAt(text(doc), 1)).toThrow(/not a block marker/)
    expect(() => setBlockType(text(doc), 2, { b: 'heading' })).toThrow(/not a block marker/)
    expect(() => splitBlockAt(text(doc), 9, { b: 'paragraph' })).toThrow(/outside the text/)
    expect(markerBefore(text(doc), 2)).toEqual({ index: 0, attributes: { b: 'paragraph' } })
    splitBlockAt(text(doc), 2, { b: 'paragraph' })
    expect(markerBefore(text(doc), 3)).toEqual({ index: 2, attributes: { b: 'paragraph', ba: '', p: '' } })
  })
})

// ------------------------------------------------------------------------------------------------ the property

type Op =
  | { t: 'type'; r: number; at: number; len: number }
  | { t: 'split'; r: number; at: number }
  | { t: 'join'; r: number; which: number }
  | { t: 'retype'; r: number; which: number; kind: number }
  | { t: 'mark'; r: number; at: number; len: number; on: boolean }
  | { t: 'delete'; r: number; at: number; len: number }
  | { t: 'deliver'; n: number }
  | { t: 'toggle' }

const r = fc.nat(2)
const at = fc.nat(60)
const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    arbitrary: fc.record({ t: fc.constant('type' as const), r, at, len: fc.integer({ min: 1, max: 4 }) }),
    weight: 6,
  },
  { arbitrary: fc.record({ t: fc.constant('split' as const), r, at }), weight: 2 },
  { arbitrary: fc.record({ t: fc.constant('join' as const), r, which: fc.nat(10) }), weight: 2 },
  {
    arbitrary: fc.record({ t: fc.constant('retype' as const), r, which: fc.nat(10), kind: fc.nat(4) }),
    weight: 2,
  },
  {
    arbitrary: fc.record({ t: fc.constant('mark' as const), r, at, len: fc.nat(6), on: fc.boolean() }),
    weight: 1,
  },
  {
    arbitrary: fc.record({ t: fc.constant('delete' as const), r, at, len: fc.integer({ min: 1, max: 4 }) }),
    weight: 1,
  },
  { arbitrary: fc.record({ t: fc.constant('deliver' as const), n: fc.nat(6) }), weight: 3 },
  { arbitrary: fc.constant({ t: 'toggle' as const }), weight: 1 },
)

const KINDS = [
  { b: 'paragraph' },
  { b: 'heading', ba: '{"level":2}' },
  { b: 'heading', ba: '{"level":3}' },
  { b: 'codeBlock' },
  { b: 'blockquote' },
]

/** The visible content of a Y.Text, one entry per index: a character with its Yjs item id, or a marker's id. */
function sequence(ytext: Y.Text): Array<{ ch?: string; id: string; marker?: boolean }> {
  const out: Array<{ ch?: string; id: string; marker?: boolean }> = []
  for (let item = ytext._start; item !== null; item = item.right) {
    if (item.deleted || !item.countable) continue
    const { client, clock } = item.id
    if (item.content instanceof Y.ContentString) {
      ;[...item.content.str].forEach((ch, i) => {
        out.push({ ch, id: `${client}:${clock + i}` })
      })
    } else out.push({ id: `${client}:${clock}`, marker: item.content instanceof Y.ContentEmbed })
  }
  return out
}

/** `count` characters no other call returns (CJK ideographs, one UTF-16 unit each). */
const uniqueChars = (() => {
  let next = 0
  return (count: number) => {
    let out = ''
    for (let i = 0; i < count; i++) out += String.fromCharCode(0x4e00 + (next++ % 20_000))
    return out
  }
})()

interface Run {
  chars: string
  /** The marker of the block it was typed into (null: before the first marker). */
  marker: string | null
  /** A later insertion landed between two of its characters. */
  split: boolean
}

function play(replicas: number, networkSeed: number, ops: Op[]): void {
  const net = setup(replicas, networkSeed, [uniqueChars(7), uniqueChars(5)])
  const runs: Run[] = []
  const runOf = new Map<string, Run>()
  /** Every character ever typed (the initial text included) → the id of the Yjs item it was typed as. */
  const itemOf = new Map<string, string>()
  for (const entry of sequence(text(net.doc(0)))) if (entry.ch !== undefined) itemOf.set(entry.ch, entry.id)
  const deleted = new Set<string>()
  const insertedInside = (seq: ReturnType<typeof sequence>, index: number) => {
    const left = seq[index - 1]?.ch
    const right = seq[index]?.ch
    const run = left === undefined ? undefined : runOf.get(left)
    if (run && right !== undefined && runOf.get(right) === run) run.split = true
  }
  for (const op of ops) {
    if (op.t === 'deliver') net.deliver(op.n)
    else if (op.t === 'toggle') net.toggleRandom()
    else {
      const ytext = text(net.doc(op.r % replicas))
      const seq = sequence(ytext)
      const markers = blockMarkers(ytext)
      const index = 'at' in op ? op.at % (ytext.length + 1) : 0
      if (op.t === 'type') {
        const chars = uniqueChars(op.len)
        let marker: string | null = null
        for (let i = index - 1; i >= 0 && marker === null; i--)
          marker = seq[i]?.marker ? (seq[i]?.id ?? null) : null
        const run: Run = { chars, marker, split: false }
        runs.push(run)
        insertedInside(seq, index)
        for (const ch of chars) runOf.set(ch, run)
        ytext.insert(index, chars, {})
        for (const entry of sequence(ytext).slice(index, index + op.len))
          if (entry.ch) itemOf.set(entry.ch, entry.id)
      } else if (op.t === 'split') {
        insertedInside(seq, index)
        const p = markerBefore(ytext, index)?.attributes.p
        splitBlockAt(ytext, index, typeof p === 'string' ? { b: 'paragraph', p } : { b: 'paragraph' })
      } else if (op.t === 'join' || op.t === 'retype') {
        const marker = markers[op.which % Math.max(1, markers.length)]
        if (marker === undefined) continue
        if (op.t === 'join') joinBlockAt(ytext, marker.index)
        else setBlockType(ytext, marker.index, KINDS[op.kind % KINDS.length] ?? { b: 'paragraph' })
      } else if (op.t === 'mark') {
        ytext.format(index, Math.min(op.len, ytext.length - index), { bold: op.on ? true : null })
      } else {
        const len = Math.min(op.len, ytext.length - index)
        for (const entry of seq.slice(index, index + len)) if (entry.ch !== undefined) deleted.add(entry.ch)
        ytext.delete(index, len)
      }
    }
  }
  net.flushAll()
  expect(convergenceReport(net.docs)).toEqual([])
  const final = sequence(text(net.doc(0)))
  expect(notesDocProblems(notesTextToDoc(text(net.doc(0))))).toEqual([])
  const position = new Map<string, number>()
  final.forEach((entry, i) => {
    const name = entry.ch ?? entry.id
    expect(position.has(name), `${name} appears twice`).toBe(false)
    position.set(name, i)
    // No copies: a visible character is the very item it was typed as.
    if (entry.ch !== undefined)
      expect(entry.id, `${entry.ch} is its original item`).toBe(itemOf.get(entry.ch))
  })
  for (const [ch] of itemOf)
    expect(position.has(ch), `${ch}: gone iff a delete covered it`).toBe(!deleted.has(ch))
  for (const run of runs) {
    const at = [...run.chars].filter((ch) => !deleted.has(ch)).map((ch) => position.get(ch) ?? -1)
    expect(
      at.every((p, i) => i === 0 || p > (at[i - 1] ?? -1)),
      'a run keeps its order',
    ).toBe(true)
    if (!run.split)
      expect(
        at.every((p, i) => i === 0 || p === (at[i - 1] ?? 0) + 1),
        `run ${run.chars} contiguous`,
      ).toBe(true)
    const own = run.marker === null ? undefined : position.get(run.marker)
    if (own !== undefined && at.length > 0)
      expect(own, 'its block marker still precedes it').toBeLessThan(at[0] ?? 0)
  }
}

describe('notes text: random concurrent block edits (property)', () => {
  it(
    'converge, read as valid documents, and keep every typed run once, in order, contiguous, after its block marker',
    () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 2, max: 3 }),
          fc.nat(),
          fc.array(opArb, { minLength: 1, maxLength: 40 }),
          play,
        ),
        { seed: SEED, numRuns: NUM_RUNS },
      )
    },
    PROPERTY_TIMEOUT,
  )
})
