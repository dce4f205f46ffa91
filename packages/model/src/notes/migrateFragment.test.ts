import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { NOTES_FIELD, NOTES_TEXT_FIELD } from '../layout.ts'
import { notesDocProblems } from '../testing/notesDocProblems.ts'
import { migrateFragmentToText } from './migrateFragment.ts'
import type { NotesNode } from './notesSchema.ts'
import { notesPlainText, notesTextToDoc } from './notesText.ts'

/** An element the way y-prosemirror (and the server's tests and demo data) build them. */
function el(
  name: string,
  attrs: Record<string, unknown>,
  ...children: Array<Y.XmlElement | Y.XmlText>
): Y.XmlElement {
  const element = new Y.XmlElement(name)
  for (const [key, value] of Object.entries(attrs)) element.setAttribute(key, value as string)
  element.insert(0, children)
  return element
}
/** An XmlText of runs `[text, marks]` (y-prosemirror stores a mark as an attribute holding its attrs). */
function runs(...parts: Array<[string, Record<string, unknown>?]>): Y.XmlText {
  const text = new Y.XmlText()
  let at = 0
  for (const [s, marks] of parts) {
    text.insert(at, s, marks ?? {})
    at += s.length
  }
  return text
}
function room(...blocks: Y.XmlElement[]): { doc: Y.Doc; fragment: Y.XmlFragment; text: Y.Text } {
  const doc = new Y.Doc()
  const fragment = doc.getXmlFragment(NOTES_FIELD)
  fragment.insert(0, blocks)
  return { doc, fragment, text: doc.getText(NOTES_TEXT_FIELD) }
}
const keys = () => {
  let n = 0
  return () => `k${++n}`
}
const t = (text: string, ...marks: NonNullable<NotesNode['marks']>): NotesNode =>
  marks.length > 0 ? { type: 'text', marks, text } : { type: 'text', text }
const linkAttrs = {
  href: 'https://x.test',
  target: '_blank',
  rel: 'noopener noreferrer nofollow',
  class: null,
  title: null,
}

describe('migrateFragmentToText', () => {
  it('converts every node and mark type, in one transaction, into a text that reads as the same document', () => {
    const { doc, fragment, text } = room(
      el('heading', { level: '2' }, runs(['Acme — account notes'])),
      el(
        'paragraph',
        {},
        runs(['plain '], ['bold', { bold: {} }], [' link', { link: linkAttrs, italic: {} }]),
        el('mention', { id: 'u_1', label: 'Sam' }),
        el('hardBreak', {}),
        runs(['overlap', { 'bold--x1': {} }]),
        runs(),
        runs([' end']),
      ),
      el(
        'orderedList',
        { start: 3 },
        el('listItem', {}, el('paragraph', {}, runs(['one'])), el('paragraph', {}, runs(['one b']))),
        el(
          'listItem',
          {},
          el('paragraph', {}, runs(['two'])),
          el('bulletList', {}, el('listItem', {}, el('paragraph', {}, runs(['nested'])))),
        ),
      ),
      el(
        'blockquote',
        {},
        el('paragraph', {}, runs(['quoted'])),
        el('bulletList', {}, el('listItem', {}, el('paragraph', {}))),
      ),
      el('codeBlock', { language: 'ts' }, runs(['const a = 1\nconst b = 2'])),
      el('horizontalRule', {}),
      el('paragraph', {}),
    )
    let transactions = 0
    doc.on('afterTransaction', () => transactions++)
    expect(migrateFragmentToText(fragment, text, { newKey: keys(), origin: 'migration' })).toBe(true)
    expect(transactions).toBe(1)
    const expected: NotesNode = {
      type: 'doc',
      content: [
        { type: 'heading', attrs: { level: '2' }, content: [t('Acme — account notes')] },
        {
          type: 'paragraph',
          content: [
            t('plain '),
            t('bold', { type: 'bold' }),
            t(' link', { type: 'link', attrs: linkAttrs }, { type: 'italic' }),
            { type: 'mention', attrs: { id: 'u_1', label: 'Sam', mentionSuggestionChar: '@' } },
            { type: 'hardBreak' },
            t('overlap', { type: 'bold' }),
            t(' end'),
          ],
        },
        {
          type: 'orderedList',
          attrs: { start: 3, type: null },
          content: [
            {
              type: 'listItem',
              content: [
                { type: 'paragraph', content: [t('one')] },
                { type: 'paragraph', content: [t('one b')] },
              ],
            },
            {
              type: 'listItem',
              content: [
                { type: 'paragraph', content: [t('two')] },
                {
                  type: 'bulletList',
                  content: [{ type: 'listItem', content: [{ type: 'paragraph', content: [t('nested')] }] }],
                },
              ],
            },
          ],
        },
        {
          type: 'blockquote',
          content: [
            { type: 'paragraph', content: [t('quoted')] },
            { type: 'bulletList', content: [{ type: 'listItem', content: [{ type: 'paragraph' }] }] },
          ],
        },
        { type: 'codeBlock', attrs: { language: 'ts' }, content: [t('const a = 1\nconst b = 2')] },
        { type: 'horizontalRule' },
        { type: 'paragraph' },
      ],
    }
    const read = notesTextToDoc(text)
    expect(notesDocProblems(read)).toEqual([])
    expect(read).toEqual(expected)
    expect(notesPlainText(text)).toBe(
      'Acme — account notes\nplain bold link@Sam\noverlap end\none\none b\ntwo\nnested\nquoted\n\nconst a = 1\nconst b = 2\n',
    )
  })

  it('is a no-op on a text that already holds content, and on an empty fragment', () => {
    const { fragment, text } = room(el('paragraph', {}, runs(['first'])))
    expect(migrateFragmentToText(fragment, text)).toBe(true)
    const before = text.toDelta()
    fragment.insert(1, [el('paragraph', {}, new Y.XmlText('second'))])
    expect(migrateFragmentToText(fragment, text)).toBe(false)
    expect(text.toDelta()).toEqual(before)
    const empty = room()
    expect(migrateFragmentToText(empty.fragment, empty.text)).toBe(false)
    expect(empty.text.length).toBe(0)
  })

  it('coerces what y-prosemirror would not write: stray text, unknown elements, a list item without a paragraph', () => {
    const doc = new Y.Doc()
    const fragment = doc.getXmlFragment(NOTES_FIELD)
    fragment.insert(0, [
      new Y.XmlText('stray'),
      el('taskList', {}, el('paragraph', {}, new Y.XmlText('inside unknown'))),
      el('bulletList', {}, el('listItem', {}, el('heading', { level: 1 }, new Y.XmlText('h')))),
    ])
    const text = doc.getText(NOTES_TEXT_FIELD)
    expect(migrateFragmentToText(fragment, text)).toBe(true)
    expect(notesTextToDoc(text)).toEqual({
      type: 'doc',
      content: [
        { type: 'paragraph', content: [t('stray')] },
        { type: 'paragraph', content: [t('inside unknown')] },
        {
          type: 'bulletList',
          content: [
            {
              type: 'listItem',
              content: [{ type: 'paragraph' }, { type: 'heading', attrs: { level: 1 }, content: [t('h')] }],
            },
          ],
        },
      ],
    })
  })
})
