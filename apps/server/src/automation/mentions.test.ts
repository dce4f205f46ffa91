import { briefTextField, inlineEmbed, NOTES_TEXT_FIELD, writeDocToText } from '@rapport/model'
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { MentionTracker } from './mentions.ts'

const mention = (userId: string) => {
  const el = new Y.XmlElement('mention')
  el.setAttribute('id', userId)
  return el
}

describe('MentionTracker', () => {
  it('reports each new mention node once, ignoring ones present at load and edits around them', () => {
    const doc = new Y.Doc()
    const notes = doc.getXmlFragment('notes')
    const p = new Y.XmlElement('paragraph')
    p.insert(0, [mention('u_old')])
    notes.insert(0, [p])
    const tracker = new MentionTracker(doc)
    const seen: string[] = []
    doc.on('afterTransaction', (tr: Y.Transaction) => {
      for (const field of tracker.changedFields(tr)) seen.push(...tracker.diff(field).map((m) => m.userId))
    })
    p.insert(1, [new Y.XmlText('hi '), mention('u_new')])
    p.insert(0, [new Y.XmlText('edit ')])
    doc.getXmlFragment('brief:hof_1').insert(0, [mention('u_brief')])
    doc.getXmlFragment('other').insert(0, [mention('u_ignored')])
    expect(seen).toEqual(['u_new', 'u_brief'])
  })

  const track = (doc: Y.Doc) => {
    const tracker = new MentionTracker(doc)
    const seen: Array<[string, string]> = []
    doc.on('afterTransaction', (tr: Y.Transaction) => {
      for (const field of tracker.changedFields(tr))
        seen.push(...tracker.diff(field).map((m): [string, string] => [field, m.userId]))
    })
    return seen
  }
  const mentionDoc = (userId: string) => ({
    type: 'doc',
    content: [{ type: 'paragraph', content: [{ type: 'mention', attrs: { id: userId, label: userId } }] }],
  })

  it('notes text v2: reports each new mention embed of notesText and briefText once', () => {
    const doc = new Y.Doc()
    writeDocToText(doc.getText(NOTES_TEXT_FIELD), mentionDoc('u_old'))
    const seen = track(doc)
    const text = doc.getText(NOTES_TEXT_FIELD)
    text.insert(text.length, 'hi ', {})
    text.insertEmbed(text.length, inlineEmbed('mention', { id: 'u_new', label: 'New' }))
    text.insert(1, 'edit ', {})
    writeDocToText(doc.getText(briefTextField('hof_1')), mentionDoc('u_brief'))
    expect(seen).toEqual([
      [NOTES_TEXT_FIELD, 'u_new'],
      [briefTextField('hof_1'), 'u_brief'],
    ])
  })

  it('a room holding both: once the v2 text holds content, mentions written into the stale fragment report nothing', () => {
    const doc = new Y.Doc()
    const seen = track(doc)
    writeDocToText(doc.getText(NOTES_TEXT_FIELD), mentionDoc('u_text'))
    const p = new Y.XmlElement('paragraph')
    p.insert(0, [mention('u_fragment')])
    doc.getXmlFragment('notes').insert(0, [p])
    expect(seen).toEqual([[NOTES_TEXT_FIELD, 'u_text']])
  })
})
