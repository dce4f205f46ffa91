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
})
