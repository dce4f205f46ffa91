import {
  NOTES_FIELD,
  NOTES_TEXT_FIELD,
  type NotesNode,
  notesPlainText,
  notesTextToDoc,
  Prng,
  writeDocToText,
} from '@rapport/model'
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { notesFieldText } from '../notes/roomNotes.ts'
import { notesJson } from './notesJson.ts'
import { restoreNotes, restoreNotesField } from './restoreNotes.ts'

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

describe('restoreNotesField (notes text v2)', () => {
  const docOf = (...lines: string[]): NotesNode => ({
    type: 'doc',
    content: lines.map((text) => ({ type: 'paragraph', content: [{ type: 'text', text }] })),
  })
  const v2Room = (...lines: string[]) => {
    const doc = new Y.Doc()
    writeDocToText(doc.getText(NOTES_TEXT_FIELD), docOf(...lines))
    return doc
  }
  /** Clients that wrote the room's current notes text, per character. */
  const writers = (doc: Y.Doc): Set<number> => {
    const out = new Set<number>()
    for (let item = doc.getText(NOTES_TEXT_FIELD)._start; item; item = item.right)
      if (!item.deleted) out.add(item.id.client)
    return out
  }

  it('writes only the difference into the live text: unchanged text keeps its items', () => {
    const old = v2Room('Shared plan.', 'Old risk.')
    const room = new Y.Doc()
    Y.applyUpdate(room, Y.encodeStateAsUpdate(old))
    const writer = new Y.Doc() // another user edits the room meanwhile
    Y.applyUpdate(writer, Y.encodeStateAsUpdate(room))
    const text = writer.getText(NOTES_TEXT_FIELD)
    writer.transact(() => {
      text.delete(text.length - 'Old risk.'.length, 'Old risk.'.length)
      text.insert(text.length, 'New risk.', {})
    })
    Y.applyUpdate(room, Y.encodeStateAsUpdate(writer))
    expect(notesFieldText(room, NOTES_FIELD)).toBe('Shared plan.\nNew risk.')
    const changed = room.transact(() => restoreNotesField(room, old))
    expect(notesPlainText(room.getText(NOTES_TEXT_FIELD))).toBe('Shared plan.\nOld risk.')
    // "New" → "Old": 3 deleted, 3 inserted; "Shared plan." and " risk." are not rewritten.
    expect(changed).toBe(6)
    expect(writers(room)).toEqual(new Set([old.clientID, writer.clientID, room.clientID]))
    expect(room.getXmlFragment(NOTES_FIELD).length).toBe(0)
  })

  it('a v2 room restored to a version saved before the migration (fragment only) gets that text', () => {
    const old = new Y.Doc()
    old.getXmlFragment(NOTES_FIELD).insert(0, [paragraph('Before migration.')])
    const room = v2Room('After migration.')
    room.transact(() => restoreNotesField(room, old))
    expect(notesTextToDoc(room.getText(NOTES_TEXT_FIELD))).toEqual(docOf('Before migration.'))
  })

  it('restoring empty notes leaves one empty paragraph, so the stale fragment is not read again', () => {
    const old = new Y.Doc()
    const room = v2Room('Text notes.')
    room.getXmlFragment(NOTES_FIELD).insert(0, [paragraph('stale fragment')])
    room.transact(() => restoreNotesField(room, old))
    expect(notesFieldText(room, NOTES_FIELD)).toBe('')
    expect(notesTextToDoc(room.getText(NOTES_TEXT_FIELD))).toEqual({
      type: 'doc',
      content: [{ type: 'paragraph' }],
    })
  })

  it('a fragment room and a fragment version: block by block, as before', () => {
    const old = new Y.Doc()
    old.getXmlFragment(NOTES_FIELD).insert(0, [paragraph('A'), paragraph('B')])
    const room = new Y.Doc()
    room.getXmlFragment(NOTES_FIELD).insert(0, [paragraph('A'), paragraph('C')])
    expect(room.transact(() => restoreNotesField(room, old))).toBe(1)
    expect(texts(room.getXmlFragment(NOTES_FIELD))).toEqual(['A', 'B'])
    expect(room.share.has(NOTES_TEXT_FIELD)).toBe(false)
  })

  it('a room with no notes at all restored to a fragment version: the version goes to the text, not the fragment', () => {
    const old = new Y.Doc()
    old.getXmlFragment(NOTES_FIELD).insert(0, [paragraph('Before migration.')])
    const room = new Y.Doc()
    expect(room.transact(() => restoreNotesField(room, old))).toBeGreaterThan(0)
    expect(notesTextToDoc(room.getText(NOTES_TEXT_FIELD))).toEqual(docOf('Before migration.'))
    expect(room.getXmlFragment(NOTES_FIELD).length).toBe(0)
    // Nothing on either side: nothing written.
    const empty = new Y.Doc()
    expect(empty.transact(() => restoreNotesField(empty, new Y.Doc()))).toBe(0)
    expect(empty.getText(NOTES_TEXT_FIELD).length).toBe(0)
  })
})
