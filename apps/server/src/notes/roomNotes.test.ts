import {
  briefField,
  briefTextField,
  docName,
  NOTES_FIELD,
  NOTES_TEXT_FIELD,
  type NotesNode,
  notesTextToDoc,
  writeDocToText,
} from '@rapport/model'
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { notesJson } from '../history/notesJson.ts'
import { silentLogger } from '../log/logger.ts'
import { notesText, Projection, readDocumentRecords } from '../projection/Projection.ts'
import { migrateRoomNotes } from './migrateRoomNotes.ts'
import {
  docToXmlNodes,
  fragmentToDoc,
  isEmptyDoc,
  liveNotesText,
  notesFieldDoc,
  notesFieldsOf,
  notesFieldText,
} from './roomNotes.ts'

const para = (text: string): NotesNode => ({ type: 'paragraph', content: [{ type: 'text', text }] })
const docOf = (...lines: string[]): NotesNode => ({ type: 'doc', content: lines.map(para) })

/** Appends paragraphs to a fragment as y-tiptap writes them. */
function writeFragment(fragment: Y.XmlFragment, ...lines: string[]): void {
  for (const line of lines) {
    const p = new Y.XmlElement('paragraph')
    p.insert(0, [new Y.XmlText(line)])
    fragment.insert(fragment.length, [p])
  }
}

describe('room notes in both layouts', () => {
  it('reads the fragment when the room has no v2 text (every room today)', () => {
    const doc = new Y.Doc()
    writeFragment(doc.getXmlFragment(NOTES_FIELD), 'Fragment notes')
    writeFragment(doc.getXmlFragment(briefField('h1')), 'Fragment brief')
    expect(liveNotesText(doc, NOTES_FIELD)).toBeNull()
    expect(doc.share.has(NOTES_TEXT_FIELD)).toBe(false)
    expect(notesFieldsOf(doc)).toEqual([NOTES_FIELD, briefField('h1')])
    expect(notesText(doc)).toBe('Fragment notes\nFragment brief')
  })

  it('reads the v2 text of notes and briefs', () => {
    const doc = new Y.Doc()
    writeDocToText(doc.getText(NOTES_TEXT_FIELD), docOf('Text notes', 'second line'))
    writeDocToText(doc.getText(briefTextField('h2')), docOf('Text brief'))
    expect(notesFieldsOf(doc)).toEqual([NOTES_FIELD, briefField('h2')])
    expect(notesText(doc)).toBe('Text notes\nsecond line\nText brief')
    expect(notesFieldDoc(doc, NOTES_FIELD)).toEqual(docOf('Text notes', 'second line'))
  })

  it('a room holding BOTH: the non-empty v2 text wins, an empty one does not', () => {
    const doc = new Y.Doc()
    writeFragment(doc.getXmlFragment(NOTES_FIELD), 'stale fragment')
    writeFragment(doc.getXmlFragment(briefField('h1')), 'fragment brief')
    doc.getText(briefTextField('h1')) // defined but empty: the fragment is read
    writeDocToText(doc.getText(NOTES_TEXT_FIELD), docOf('v2 wins'))
    expect(notesFieldText(doc, NOTES_FIELD)).toBe('v2 wins')
    expect(notesFieldDoc(doc, NOTES_FIELD)).toEqual(docOf('v2 wins'))
    expect(notesFieldText(doc, briefField('h1'))).toBe('fragment brief')
    expect(notesText(doc)).toBe('v2 wins\nfragment brief')
  })

  it('the projection follows live edits of a v2 text (search kind notes) and the catch-up reads it', () => {
    const projection = new Projection(silentLogger())
    const room = new Y.Doc()
    const name = docName({ workspaceId: 'ws_n', kind: 'account', accountId: 'acc_1' })
    projection.attach(name, room)
    writeFragment(room.getXmlFragment(NOTES_FIELD), 'old fragment text')
    const ws = projection.workspace('ws_n')
    expect(ws.notes.get('acc_1')).toBe('old fragment text')
    writeDocToText(room.getText(NOTES_TEXT_FIELD), docOf('Renewal blocked'))
    expect(ws.notes.get('acc_1')).toBe('Renewal blocked')
    room.getText(NOTES_TEXT_FIELD).insert(room.getText(NOTES_TEXT_FIELD).length, ' by procurement', {})
    expect(ws.notes.get('acc_1')).toBe('Renewal blocked by procurement')
    writeDocToText(room.getText(briefTextField('h9')), docOf('Brief text'))
    expect(ws.notes.get('acc_1')).toBe('Renewal blocked by procurement\nBrief text')
    expect(readDocumentRecords(name, room)?.notes).toBe('Renewal blocked by procurement\nBrief text')
    projection.detach(name)
  })
})

describe('migrateRoomNotes (not called anywhere yet)', () => {
  it('moves notes and every brief to v2 text in one transaction, idempotent, fragments left in place', () => {
    const doc = new Y.Doc()
    writeFragment(doc.getXmlFragment(NOTES_FIELD), 'Plan', 'Risks')
    writeFragment(doc.getXmlFragment(briefField('h1')), 'Brief one')
    writeFragment(doc.getXmlFragment(briefField('h2')), 'Brief two')
    doc.getXmlFragment(briefField('h3')) // empty: nothing to migrate
    const before = notesText(doc)
    let transactions = 0
    doc.on('afterTransaction', () => transactions++)
    expect(migrateRoomNotes(doc, 'migration')).toEqual([NOTES_FIELD, briefField('h1'), briefField('h2')])
    expect(transactions).toBe(1)
    expect(notesTextToDoc(doc.getText(NOTES_TEXT_FIELD))).toEqual(notesJson(doc.getXmlFragment(NOTES_FIELD)))
    expect(liveNotesText(doc, briefField('h2'))?.length).toBeGreaterThan(0)
    expect(doc.getText(briefTextField('h3')).length).toBe(0)
    expect(doc.getXmlFragment(NOTES_FIELD).length).toBe(2)
    expect(notesText(doc)).toBe(before)
    expect(migrateRoomNotes(doc)).toEqual([])
  })
})

describe('docToXmlNodes / fragmentToDoc (merging across layouts)', () => {
  it('round-trips blocks, marks, mentions and lists through a fragment', () => {
    const doc: NotesNode = {
      type: 'doc',
      content: [
        { type: 'heading', attrs: { level: 2 }, content: [{ type: 'text', text: 'Plan' }] },
        {
          type: 'paragraph',
          content: [
            { type: 'text', text: 'Ask ' },
            { type: 'mention', attrs: { id: 'u1', label: 'Dana' } },
            { type: 'text', text: ' soon', marks: [{ type: 'bold' }] },
            { type: 'text', text: ' please' },
          ],
        },
        { type: 'bulletList', content: [{ type: 'listItem', content: [para('one')] }] },
      ],
    }
    const room = new Y.Doc()
    const fragment = room.getXmlFragment(NOTES_FIELD)
    fragment.insert(0, docToXmlNodes(doc.content ?? []))
    expect(fragmentToDoc(fragment)).toEqual(fragmentToDoc(fragment)) // reading does not change it
    const read = fragmentToDoc(fragment)
    expect(read.content?.map((n) => n.type)).toEqual(['heading', 'paragraph', 'bulletList'])
    const normal = new Y.Doc().getText('t')
    writeDocToText(normal, doc)
    expect(read).toEqual(notesTextToDoc(normal))
    expect(notesText(room)).toBe('Plan\nAsk  soon please\none')
    expect(isEmptyDoc(fragmentToDoc(new Y.Doc().getXmlFragment('x')))).toBe(true)
    expect(isEmptyDoc(read)).toBe(false)
  })
})
