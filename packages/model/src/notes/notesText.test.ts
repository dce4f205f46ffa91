import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { isModelError } from '../errors.ts'
import { notesDocProblems } from '../testing/notesDocProblems.ts'
import type { NotesNode } from './notesSchema.ts'
import {
  type DeltaOp,
  deltaToDoc,
  docToDelta,
  mentionRefs,
  mentionsIn,
  newKey,
  notesPlainText,
  notesTextToDoc,
  writeDocToText,
} from './notesText.ts'

const keys = () => {
  let n = 0
  return () => `k${++n}`
}
const text = (t: string, ...marks: NotesNode['marks'] & {}): NotesNode =>
  marks.length > 0 ? { type: 'text', text: t, marks } : { type: 'text', text: t }
const p = (...content: NotesNode[]): NotesNode =>
  content.length > 0 ? { type: 'paragraph', content } : { type: 'paragraph' }
const doc = (...content: NotesNode[]): NotesNode => ({ type: 'doc', content })
const li = (...content: NotesNode[]): NotesNode => ({ type: 'listItem', content })
const ul = (...items: NotesNode[]): NotesNode => ({ type: 'bulletList', content: items })
const ol = (start: number, ...items: NotesNode[]): NotesNode => ({
  type: 'orderedList',
  attrs: { start, type: null },
  content: items,
})
const link = (href: string) => ({
  type: 'link',
  attrs: { href, target: '_blank', rel: 'noopener noreferrer nofollow', class: null, title: null },
})
const mention = (id: string, label: string): NotesNode => ({
  type: 'mention',
  attrs: { id, label, mentionSuggestionChar: '@' },
})

/** Writes through a real Y.Text and reads back. */
function roundTrip(d: NotesNode): NotesNode {
  const ytext = new Y.Doc().getText('notesText')
  writeDocToText(ytext, d, { newKey: keys() })
  return notesTextToDoc(ytext)
}

const CASES: Array<[string, NotesNode]> = [
  ['an empty paragraph', doc(p())],
  [
    'marks, one of them a link',
    doc(
      p(
        text('a', link('https://x.test/a#b')),
        text('b', { type: 'bold' }, { type: 'italic' }),
        text('c', { type: 'strike' }, { type: 'underline' }),
        text('d', { type: 'code' }),
      ),
    ),
  ],
  [
    'heading levels',
    doc(
      ...[1, 2, 3, 6].map((level) => ({ type: 'heading', attrs: { level }, content: [text(`h${level}`)] })),
    ),
  ],
  [
    'a code block with a language and newlines',
    doc(
      { type: 'codeBlock', attrs: { language: 'ts' }, content: [text('a\n  b\n')] },
      { type: 'codeBlock', attrs: { language: null } },
    ),
  ],
  ['a horizontal rule between paragraphs', doc(p(text('a')), { type: 'horizontalRule' }, p(text('b')))],
  [
    'a mention and a hard break',
    doc(p(text('hi '), mention('u_1', 'Sam'), { type: 'hardBreak' }, text('next', { type: 'bold' }))),
  ],
  ['a list item with two paragraphs', doc(ul(li(p(text('one')), p(text('two'))), li(p(text('three')))))],
  [
    'a nested bullet list inside an ordered list',
    doc(ol(3, li(p(text('a')), ul(li(p(text('b'))), li(p()))), li(p(text('c'))))),
  ],
  [
    'an ordered list with a type and path-like attrs',
    doc({ type: 'orderedList', attrs: { start: 1, type: 'a/b#{"x":"}"}' }, content: [li(p())] }),
  ],
  ['two adjacent lists stay two lists', doc(ul(li(p(text('a')))), ul(li(p(text('b')))))],
  [
    'a blockquote holding a list and a heading',
    doc({
      type: 'blockquote',
      content: [
        p(text('q')),
        ul(li(p(text('x')), { type: 'horizontalRule' })),
        { type: 'heading', attrs: { level: 2 }, content: [text('h')] },
      ],
    }),
  ],
]

describe('notes text format: hand-written documents', () => {
  it.each(CASES)('%s reads back as written', (_name, d) => {
    expect(notesDocProblems(d)).toEqual([])
    expect(roundTrip(d)).toEqual(d)
  })

  it('writes markers with flat attributes: type, attrs only when not default, the container path', () => {
    const delta = docToDelta(
      doc(
        { type: 'heading', attrs: { level: 1 }, content: [text('t')] },
        ol(2, li(p(text('x', link('u'))), { type: 'horizontalRule' })),
      ),
      { newKey: keys() },
    )
    expect(delta).toEqual([
      { insert: { block: 1 }, attributes: { b: 'heading' } },
      { insert: 't' },
      {
        insert: { block: 1 },
        attributes: { b: 'paragraph', p: 'orderedList#k1#{"start":2,"type":null}/listItem#k2' },
      },
      {
        insert: 'x',
        attributes: {
          link: '{"class":null,"href":"u","rel":"noopener noreferrer nofollow","target":"_blank","title":null}',
        },
      },
      {
        insert: { block: 1 },
        attributes: { b: 'horizontalRule', p: 'orderedList#k1#{"start":2,"type":null}/listItem#k2' },
      },
    ])
    const ytext = new Y.Doc().getText('t')
    ytext.applyDelta(delta)
    expect(ytext.toDelta()).toEqual(delta)
  })

  it('an empty text reads as one empty paragraph', () => {
    expect(notesTextToDoc(new Y.Doc().getText('t'))).toEqual(doc(p()))
    expect(deltaToDoc([])).toEqual(doc(p()))
  })

  it('coerces what no client writes into a valid document', () => {
    const m = (attributes: Record<string, unknown>): DeltaOp => ({ insert: { block: 1 }, attributes })
    const cases: Array<[DeltaOp[], NotesNode]> = [
      [
        [{ insert: 'before' }, m({ b: 'paragraph' }), { insert: 'after' }],
        doc(p(text('before')), p(text('after'))),
      ],
      [
        [m({ b: 'heading' }), m({ b: 'nope', ba: '{"level":3}' })],
        doc({ type: 'heading', attrs: { level: 1 } }, p()),
      ],
      [
        [m({ b: 'horizontalRule' }), { insert: 'tail', attributes: { bold: true, b: 'x' } }],
        doc({ type: 'horizontalRule' }, p(text('tail', { type: 'bold' }))),
      ],
      [
        [m({ b: 'heading', p: 'bulletList#a/listItem#b', ba: 'not json' })],
        doc(ul(li(p(), { type: 'heading', attrs: { level: 1 } }))),
      ],
      [[m({ b: 'paragraph', p: 'listItem#a' })], doc(ul(li(p())))],
      [[m({ b: 'paragraph', p: 'bulletList#a' }), { insert: 'x' }], doc(ul(li(p(text('x')))))],
      [
        [
          m({ b: 'codeBlock', ba: '{"language":"js","level":2}' }),
          { insert: 'a', attributes: { bold: true } },
          { insert: { inline: 'hardBreak', attrs: '{}' } },
          { insert: { inline: 'mention', attrs: '{"id":"u","label":"Sam"}' } },
        ],
        doc({ type: 'codeBlock', attrs: { language: 'js' }, content: [text('a\n@Sam')] }),
      ],
      [
        [
          m({ b: 'paragraph', p: 'weird#x/blockquote' }),
          { insert: 'q', attributes: { code: true, bold: true, link: 7 } },
        ],
        doc({ type: 'blockquote', content: [p(text('q', { type: 'code' }))] }),
      ],
      [
        [{ insert: { other: 1 } }, { insert: { inline: 'unknown' } }, { insert: 'a' }, { insert: 'b' }],
        doc(p(text('ab'))),
      ],
    ]
    for (const [delta, expected] of cases) {
      const read = deltaToDoc(delta)
      expect(notesDocProblems(read)).toEqual([])
      expect(read).toEqual(expected)
    }
  })

  it('plain text and mentions', () => {
    const d = doc(
      { type: 'heading', attrs: { level: 2 }, content: [text('Plan')] },
      ul(li(p(text('ask '), mention('u_1', 'Sam'), text(' about it')))),
      { type: 'horizontalRule' },
      p(text('a'), { type: 'hardBreak' }, text('b')),
      p(),
    )
    const delta = docToDelta(d, { newKey: keys() })
    expect(notesPlainText(delta)).toBe('Plan\nask @Sam about it\na\nb\n')
    expect(mentionsIn(delta)).toEqual([{ id: 'u_1', label: 'Sam' }])
    const ytext = new Y.Doc().getText('t')
    ytext.applyDelta(delta)
    expect(notesPlainText(ytext)).toBe('Plan\nask @Sam about it\na\nb\n')
    const [ref] = mentionRefs(ytext)
    expect(ref?.userId).toBe('u_1')
    expect(ref?.key).toMatch(/^\d+:\d+$/)
    ytext.insert(0, 'x', {})
    expect(mentionRefs(ytext)).toEqual([ref])
    let at = 0
    for (const op of ytext.toDelta() as DeltaOp[]) {
      if (typeof op.insert === 'object' && op.insert.inline === 'mention') break
      at += typeof op.insert === 'string' ? op.insert.length : 1
    }
    ytext.delete(at, 1)
    expect(mentionRefs(ytext)).toEqual([])
  })

  it('rejects input that is not node JSON, and a second first write', () => {
    expect(() => docToDelta({ type: 'doc', content: [{ type: 3 }] } as unknown as NotesNode)).toThrow(
      /content\.0\.type/,
    )
    const ytext = new Y.Doc().getText('t')
    writeDocToText(ytext, doc(p(text('a'))))
    try {
      writeDocToText(ytext, doc(p()))
      expect.unreachable()
    } catch (error) {
      expect(isModelError(error) && error.code).toBe('conflict')
    }
  })

  it('new keys are short and path-safe', () => {
    expect(newKey()).toMatch(/^[0-9a-z]{6}$/)
    expect(() => docToDelta(doc(ul(li(p()))), { newKey: () => 'a/b' })).toThrow(/container key/)
  })
})
