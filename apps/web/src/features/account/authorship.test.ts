import { Prng } from '@rapport/model'
import { getSchema } from '@tiptap/core'
import StarterKit from '@tiptap/starter-kit'
import { yXmlFragmentToProseMirrorRootNode } from '@tiptap/y-tiptap'
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { authorRuns, formatAuthorTime } from './authorship.ts'

const schema = getSchema([StarterKit])
const FIELD = 'notes'
const LONG = process.env.RAPPORT_LONG === '1'
const SEED = 20261204
const RUNS = LONG ? 2_000 : 50

const syncAll = (docs: Y.Doc[]) => {
  for (const from of docs)
    for (const to of docs)
      if (from !== to) Y.applyUpdate(to, Y.encodeStateAsUpdate(from, Y.encodeStateVector(to)))
}

/** Text blocks (paragraphs, headings) of a replica's notes. */
const blocks = (doc: Y.Doc): Y.XmlElement[] =>
  doc
    .getXmlFragment(FIELD)
    .toArray()
    .filter((n): n is Y.XmlElement => n instanceof Y.XmlElement)

/** One random edit, as y-tiptap would write it: new block, typing, deleting, bold, removing a block. */
function randomEdit(doc: Y.Doc, rng: Prng): void {
  const notes = doc.getXmlFragment(FIELD)
  const existing = blocks(doc)
  const block = rng.pick(existing)
  const text = block?.get(0)
  const op = rng.int(6)
  if (!block || op === 0) {
    const element = new Y.XmlElement(rng.bool(0.2) ? 'heading' : 'paragraph')
    if (element.nodeName === 'heading') element.setAttribute('level', '2' as unknown as string)
    element.insert(0, [new Y.XmlText(`w${rng.int(1000)} `)])
    notes.insert(rng.int(notes.length + 1), [element])
  } else if (!(text instanceof Y.XmlText)) {
    block.insert(0, [new Y.XmlText('x')])
  } else if (op <= 2) {
    text.insert(rng.int(text.length + 1), rng.bool() ? 'ab' : 'é😀 ')
  } else if (op === 3 && text.length > 0) {
    const at = rng.int(text.length)
    text.delete(at, 1 + rng.int(Math.min(3, text.length - at)))
  } else if (op === 4 && text.length > 1) {
    const at = rng.int(text.length - 1)
    text.format(at, 1 + rng.int(text.length - at - 1), { bold: {} })
  } else if (existing.length > 1) {
    notes.delete(existing.indexOf(block), 1)
  }
}

describe('authorRuns', () => {
  it('maps every character of the notes to the replica that wrote it', () => {
    const alice = new Y.Doc()
    const bob = new Y.Doc()
    const para = (who: Y.Doc, words: string) => {
      const p = new Y.XmlElement('paragraph')
      p.insert(0, [new Y.XmlText(words)])
      who.getXmlFragment(FIELD).insert(who.getXmlFragment(FIELD).length, [p])
    }
    para(alice, 'Alice wrote')
    syncAll([alice, bob])
    const firstText = (bob.getXmlFragment(FIELD).get(0) as Y.XmlElement).get(0) as Y.XmlText
    firstText.insert(5, ' and Bob')
    para(bob, 'Bob: next')
    syncAll([alice, bob])
    const pm = yXmlFragmentToProseMirrorRootNode(alice.getXmlFragment(FIELD), schema)
    const runs = authorRuns(alice.getXmlFragment(FIELD), pm)
    expect(runs?.map((r) => [pm.textBetween(r.from, r.to), r.client])).toEqual([
      ['Alice', alice.clientID],
      [' and Bob', bob.clientID],
      [' wrote', alice.clientID],
      ['Bob: next', bob.clientID],
    ])
  })

  it('answers null when the editor has not caught up with the document', () => {
    const doc = new Y.Doc()
    const p = new Y.XmlElement('paragraph')
    p.insert(0, [new Y.XmlText('before')])
    doc.getXmlFragment(FIELD).insert(0, [p])
    const stale = yXmlFragmentToProseMirrorRootNode(doc.getXmlFragment(FIELD), schema)
    ;(p.get(0) as Y.XmlText).insert(0, 'x')
    expect(authorRuns(doc.getXmlFragment(FIELD), stale)).toBeNull()
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
      const fragment = docs[0]?.getXmlFragment(FIELD) as Y.XmlFragment
      const pm = yXmlFragmentToProseMirrorRootNode(fragment, schema)
      const runs = authorRuns(fragment, pm)
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

describe('formatAuthorTime', () => {
  it('reads "4 Dec 18:02"', () => {
    expect(formatAuthorTime(new Date(2026, 11, 4, 18, 2).getTime())).toBe('4 Dec 18:02')
  })
})
