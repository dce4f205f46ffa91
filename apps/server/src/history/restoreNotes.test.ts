import { Prng } from '@rapport/model'
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { notesJson } from './notesJson.ts'
import { restoreNotes } from './restoreNotes.ts'

const paragraph = (text: string): Y.XmlElement => {
  const p = new Y.XmlElement('paragraph')
  p.insert(0, [new Y.XmlText(text)])
  return p
}
const notesOf = (texts: string[]): Y.XmlFragment => {
  const fragment = new Y.Doc().getXmlFragment('notes')
  fragment.insert(
    0,
    texts.map((t) => paragraph(t)),
  )
  return fragment
}
const texts = (fragment: Y.XmlFragment): string[] =>
  fragment.toArray().map((block) => (block as Y.XmlElement).toArray().join(''))

describe('restoreNotes', () => {
  it('keeps the blocks both versions share (same Yjs items) and replaces only the others', () => {
    const doc = new Y.Doc()
    const notes = doc.getXmlFragment('notes')
    notes.insert(0, [paragraph('Keep me.'), paragraph('New line.'), paragraph('Also kept.')])
    const kept = notes.get(0)
    const result = doc.transact(() => restoreNotes(notes, notesOf(['Keep me.', 'Old line.', 'Also kept.'])))
    expect(texts(notes)).toEqual(['Keep me.', 'Old line.', 'Also kept.'])
    expect(notes.get(0)).toBe(kept)
    expect(result).toEqual({ kept: 2, replaced: 1 })
  })

  it(`reproduces the target for random block lists (seed 20261204)`, () => {
    const rng = new Prng(20261204)
    const words = ['a', 'b', 'c', 'd', 'e']
    const runs = process.env.RAPPORT_LONG === '1' ? 5_000 : 300
    for (let run = 0; run < runs; run += 1) {
      const list = () => Array.from({ length: rng.int(7) }, () => words[rng.int(words.length)] as string)
      const doc = new Y.Doc()
      const notes = doc.getXmlFragment('notes')
      notes.insert(
        0,
        list().map((t) => paragraph(t)),
      )
      const target = notesOf(list())
      doc.transact(() => restoreNotes(notes, target))
      expect(notesJson(notes), `run ${run}`).toEqual(notesJson(target))
    }
  })
})
