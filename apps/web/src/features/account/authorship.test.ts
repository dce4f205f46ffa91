import {
  BLOCK_EMBED,
  blockMarkers,
  inlineEmbed,
  joinBlockAt,
  Prng,
  setBlockType,
  splitBlockAt,
} from '@rapport/model'
import { getSchema } from '@tiptap/core'
import type { Node as PmNode } from '@tiptap/pm/model'
import StarterKit from '@tiptap/starter-kit'
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { mentionExtension } from '../handoff/mentionExtension.ts'
import { authorRuns, formatAuthorTime, splitByAttribution } from './authorship.ts'
import { notesCodec } from './notesText/notesCodec.ts'
import { readNotesText } from './notesText/notesUnits.ts'

const schema = getSchema([StarterKit, mentionExtension(() => [])])
const FIELD = 'notesText'
const LONG = process.env.RAPPORT_LONG === '1'
const SEED = 20261204
const RUNS = LONG ? 2_000 : 50
const MARKER = { b: 'paragraph', ba: '', p: '' }

const syncAll = (docs: Y.Doc[]) => {
  for (const from of docs)
    for (const to of docs)
      if (from !== to) Y.applyUpdate(to, Y.encodeStateAsUpdate(from, Y.encodeStateVector(to)))
}

/** The document the editor shows for a replica's notes text. */
const pmOf = (doc: Y.Doc): PmNode => notesCodec.deltaToDoc(readNotesText(doc.getText(FIELD)), schema)

/** Appends a paragraph (marker + text) at the end of the notes. */
const paragraph = (who: Y.Doc, words: string) => {
  const text = who.getText(FIELD)
  const at = text.length
  text.insertEmbed(at, { ...BLOCK_EMBED }, MARKER)
  text.insert(at + 1, words, {})
}

/** One random edit as the binding writes it: a new block (split), typing, deleting, bold, a join, a heading. */
function randomEdit(doc: Y.Doc, rng: Prng): void {
  const text = doc.getText(FIELD)
  const markers = blockMarkers(text)
  const op = rng.int(8)
  if (text.length === 0 || op === 0) {
    splitBlockAt(text, rng.int(text.length + 1), MARKER)
  } else if (op <= 2) {
    text.insert(rng.int(text.length + 1), rng.bool() ? 'ab' : 'é😀 ', rng.bool(0.2) ? { bold: true } : {})
  } else if (op === 3) {
    const at = rng.int(text.length)
    text.delete(at, 1 + rng.int(Math.min(3, text.length - at)))
  } else if (op === 4 && text.length > 1) {
    const at = rng.int(text.length - 1)
    text.format(at, 1 + rng.int(text.length - at - 1), { bold: true })
  } else if (op === 5 && markers.length > 1) {
    joinBlockAt(text, (rng.pick(markers.slice(1)) as { index: number }).index)
  } else if (op === 6 && markers.length > 0) {
    setBlockType(text, (rng.pick(markers) as { index: number }).index, {
      b: 'heading',
      ba: JSON.stringify({ level: 2 }),
    })
  } else {
    text.insertEmbed(rng.int(text.length + 1), inlineEmbed('mention', { id: 'u-sam', label: 'Sam' }))
  }
}

describe('authorRuns', () => {
  it('maps every character of the notes to the replica that wrote it', () => {
    const alice = new Y.Doc()
    const bob = new Y.Doc()
    paragraph(alice, 'Alice wrote')
    syncAll([alice, bob])
    // bob types inside alice's line, splits it (a marker: no text is copied) and adds a line of his own
    bob.getText(FIELD).insert(1 + 5, ' and Bob')
    splitBlockAt(bob.getText(FIELD), 1 + 'Alice and Bob'.length, MARKER)
    paragraph(bob, 'Bob: next')
    syncAll([alice, bob])
    const pm = pmOf(alice)
    expect(pm.childCount).toBe(3)
    const runs = authorRuns(alice.getText(FIELD), pm)
    expect(runs?.map((r) => [pm.textBetween(r.from, r.to), r.client])).toEqual([
      ['Alice', alice.clientID],
      [' and Bob', bob.clientID],
      // the tail moved to a new block by bob's split is still alice's
      [' wrote', alice.clientID],
      ['Bob: next', bob.clientID],
    ])
  })

  it('keeps the writer of a heading’s text when another user changes the block type', () => {
    const alice = new Y.Doc()
    const bob = new Y.Doc()
    paragraph(alice, 'Title')
    syncAll([alice, bob])
    setBlockType(bob.getText(FIELD), 0, { b: 'heading', ba: JSON.stringify({ level: 2 }) })
    syncAll([alice, bob])
    const pm = pmOf(alice)
    expect(pm.child(0).type.name).toBe('heading')
    expect(authorRuns(alice.getText(FIELD), pm)).toEqual([
      { from: 1, to: 6, client: alice.clientID, clock: expect.any(Number) },
    ])
  })

  it('counts a mention as one position between runs', () => {
    const doc = new Y.Doc()
    paragraph(doc, 'Hi  there')
    doc.getText(FIELD).insertEmbed(1 + 3, inlineEmbed('mention', { id: 'u-sam', label: 'Sam' }))
    const pm = pmOf(doc)
    const runs = authorRuns(doc.getText(FIELD), pm)
    expect(runs?.map((r) => pm.textBetween(r.from, r.to))).toEqual(['Hi ', ' there'])
    expect(runs?.[1]?.from).toBe((runs?.[0]?.to ?? 0) + 1)
  })

  it('answers null when the editor has not caught up with the text', () => {
    const doc = new Y.Doc()
    paragraph(doc, 'before')
    const stale = pmOf(doc)
    doc.getText(FIELD).insert(1, 'x')
    expect(authorRuns(doc.getText(FIELD), stale)).toBeNull()
    splitBlockAt(doc.getText(FIELD), 3, MARKER)
    expect(authorRuns(doc.getText(FIELD), stale)).toBeNull()
  })

  it(`covers the whole text after random concurrent edits of 3 replicas (seed ${SEED}, ${RUNS} runs)`, () => {
    const rng = new Prng(SEED)
    for (let run = 0; run < RUNS; run += 1) {
      const docs = [new Y.Doc(), new Y.Doc(), new Y.Doc()]
      for (let step = 0; step < 12; step += 1) {
        for (const doc of docs) if (rng.bool(0.7)) randomEdit(doc, rng)
        if (rng.bool(0.6)) syncAll(docs)
      }
      syncAll(docs)
      const pm = pmOf(docs[0] as Y.Doc)
      const runs = authorRuns((docs[0] as Y.Doc).getText(FIELD), pm)
      expect(runs, `run ${run}`).not.toBeNull()
      const clients = new Set(docs.map((d) => d.clientID))
      let text = ''
      pm.descendants((node) => {
        if (node.isText) text += node.text
      })
      expect(runs?.map((r) => pm.textBetween(r.from, r.to)).join(''), `run ${run}`).toBe(text)
      for (const r of runs ?? []) expect(clients.has(r.client)).toBe(true)
    }
  })
})

describe('splitByAttribution', () => {
  it('cuts one item where its relayed ranges and time marks change (the server migration writes a block as one)', () => {
    const doc = new Y.Doc()
    // as the migration writes it: one marker, then the whole block's text in one insert (one item)
    paragraph(doc, 'Alice and Bob')
    const pm = pmOf(doc)
    const runs = authorRuns(doc.getText(FIELD), pm) ?? []
    expect(runs).toHaveLength(1)
    // the text's first clock (the marker and its format items come before it): "Alice" is relayed to alice,
    // " and Bob" to bob; a time mark inside bob's range
    const c = runs[0]?.clock ?? 0
    const entries = new Map([
      [
        doc.clientID,
        {
          userId: null,
          at: 1,
          marks: [
            [0, 1],
            [c + 9, 2],
          ] as [number, number][],
          relays: [
            [c, c + 5, 'u-alice', 100],
            [c + 5, c + 13, 'u-bob', 200],
          ] as [number, number, string, number][],
        },
      ],
    ])
    const split = splitByAttribution(runs, entries)
    expect(split.map((r) => [pm.textBetween(r.from, r.to), r.clock])).toEqual([
      ['Alice', c],
      [' and', c + 5],
      [' Bob', c + 9],
    ])
    // runs of a clientID without an entry stay whole
    expect(splitByAttribution(runs, new Map())).toEqual(runs)
  })
})

describe('formatAuthorTime', () => {
  it('reads "4 Dec 18:02"', () => {
    expect(formatAuthorTime(new Date(2026, 11, 4, 18, 2).getTime())).toBe('4 Dec 18:02')
  })
})
