import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { Prng } from '../testing/prng.ts'
import { appendDocToText, applyDeltaToText, applyDocToText } from './applyDocToText.ts'
import type { NotesNode } from './notesSchema.ts'
import { inlineEmbed, notesPlainText, notesTextToDoc, writeDocToText } from './notesText.ts'

const para = (...texts: Array<string | NotesNode>): NotesNode => ({
  type: 'paragraph',
  content: texts.map((t) => (typeof t === 'string' ? { type: 'text', text: t } : t)),
})
const heading = (text: string, level = 2): NotesNode => ({
  type: 'heading',
  attrs: { level },
  content: [{ type: 'text', text }],
})
const docOf = (...content: NotesNode[]): NotesNode => ({ type: 'doc', content })

function textWith(doc: NotesNode): { ydoc: Y.Doc; text: Y.Text } {
  const ydoc = new Y.Doc()
  const text = ydoc.getText('notesText')
  writeDocToText(text, doc)
  return { ydoc, text }
}

/** Which client wrote each character of the text (embeds as `|`). */
function authors(text: Y.Text): Array<[string, number]> {
  const out: Array<[string, number]> = []
  for (let item = text._start; item !== null; item = item.right) {
    if (item.deleted || !item.countable) continue
    const content = item.content instanceof Y.ContentString ? item.content.str : '|'
    out.push([content, item.id.client])
  }
  return out
}

describe('applyDocToText', () => {
  it('changes only what differs: unchanged text keeps its items', () => {
    const { ydoc, text } = textWith(docOf(para('Shared plan.'), para('Old risk.'), para('Tail stays.')))
    const before = authors(text)
    // Another replica (another clientID) makes the change, as RoomHistory's scratch replica does.
    const scratch = new Y.Doc()
    Y.applyUpdate(scratch, Y.encodeStateAsUpdate(ydoc))
    const stats = applyDocToText(
      scratch.getText('notesText'),
      docOf(para('Shared plan.'), para('New risk!'), para('Tail stays.')),
    )
    Y.applyUpdate(ydoc, Y.encodeStateAsUpdate(scratch, Y.encodeStateVector(ydoc)))
    expect(notesPlainText(text)).toBe('Shared plan.\nNew risk!\nTail stays.')
    // "Old risk." → "New risk!": 'O','l','d' and '.' replaced; the rest keeps its author.
    expect(stats).toMatchObject({ deleted: 4, inserted: 4, reformatted: 0 })
    const after = authors(text)
    const original = before[0]?.[1]
    expect(
      after
        .filter(([, c]) => c === original)
        .map(([s]) => s)
        .join(''),
    ).toBe('|Shared plan.| risk|Tail stays.')
  })

  it('a type change formats the marker instead of rewriting the block', () => {
    const { text } = textWith(docOf(para('Title'), para('Body')))
    const stats = applyDocToText(text, docOf(heading('Title', 2), para('Body')))
    expect(stats).toMatchObject({ deleted: 0, inserted: 0, reformatted: 1 })
    expect(notesTextToDoc(text)).toEqual(docOf(heading('Title', 2), para('Body')))
  })

  it('marks, mentions and lists read back exactly; a concurrent edit inside kept text survives', () => {
    const { ydoc, text } = textWith(docOf(para('Call Bob about pricing.')))
    const target = docOf(
      para(
        { type: 'text', text: 'Call ' },
        { type: 'mention', attrs: { id: 'u1', label: 'Bob' } },
        ' about pricing.',
      ),
      {
        type: 'bulletList',
        content: [
          { type: 'listItem', content: [para({ type: 'text', text: 'bold', marks: [{ type: 'bold' }] })] },
        ],
      },
    )
    const other = new Y.Doc()
    Y.applyUpdate(other, Y.encodeStateAsUpdate(ydoc))
    ydoc.transact(() => applyDocToText(text, target))
    // Concurrently, another user typed inside "pricing".
    other
      .getText('notesText')
      .insert(notesPlainText(other.getText('notesText')).indexOf('pricing') + 1 + 7, ' new', {})
    Y.applyUpdate(ydoc, Y.encodeStateAsUpdate(other, Y.encodeStateVector(ydoc)))
    const read = notesTextToDoc(text)
    expect(notesPlainText(text)).toBe('Call @Bob about pricing new.\nbold')
    expect(read.content?.[0]?.content?.[1]).toMatchObject({
      type: 'mention',
      attrs: { id: 'u1', label: 'Bob' },
    })
    expect(read.content?.[1]?.type).toBe('bulletList')
  })

  it('applyDeltaToText with the delta of another version keeps container keys; idempotent', () => {
    const list = docOf({
      type: 'orderedList',
      content: [
        { type: 'listItem', content: [para('one')] },
        { type: 'listItem', content: [para('two')] },
      ],
    })
    const old = textWith(list).text
    const { text } = textWith(docOf(para('x')))
    applyDeltaToText(text, old.toDelta())
    expect(notesTextToDoc(text)).toEqual(notesTextToDoc(old))
    expect(applyDeltaToText(text, old.toDelta())).toMatchObject({ deleted: 0, inserted: 0, reformatted: 0 })
  })

  it('two edits far apart in a long text: the text between them is kept (blocks matched first)', () => {
    const lines = Array.from({ length: 400 }, (_, i) => `Line ${i} of a long account note, with words in it.`)
    const { text } = textWith(docOf(...lines.map((l) => para(l))))
    const target = [...lines]
    target[3] = 'Line 3 changed.'
    target[396] = 'Line 396 changed.'
    const stats = applyDocToText(text, docOf(...target.map((l) => para(l))))
    expect(notesPlainText(text)).toBe(target.join('\n'))
    expect(stats.deleted + stats.inserted).toBeLessThan(200)
    expect(stats.kept).toBeGreaterThan(19_000)
  })

  it('reproduces the target for random documents, and a second apply changes nothing (seed 20261206)', () => {
    const rng = new Prng(20261206)
    const words = ['a', 'b', 'ab', 'ba', '😀', ' ']
    const block = (): NotesNode => {
      const content: NotesNode[] = []
      for (let k = rng.int(4); k > 0; k--) {
        const text = Array.from({ length: 1 + rng.int(3) }, () => words[rng.int(words.length)]).join('')
        content.push(
          rng.int(3) === 0 ? { type: 'text', text, marks: [{ type: 'bold' }] } : { type: 'text', text },
        )
      }
      const kind = rng.int(4)
      if (kind === 0) return { type: 'heading', attrs: { level: 1 + rng.int(3) }, content }
      if (kind === 1)
        return {
          type: 'bulletList',
          content: [{ type: 'listItem', content: [{ type: 'paragraph', content }] }],
        }
      return { type: 'paragraph', content }
    }
    const randomDoc = () => docOf(...Array.from({ length: rng.int(6) }, block))
    for (let run = 0; run < 300; run++) {
      const { text } = textWith(randomDoc())
      const target = textWith(randomDoc()).text
      applyDeltaToText(text, target.toDelta())
      expect(notesTextToDoc(text), `run ${run}`).toEqual(notesTextToDoc(target))
      expect(applyDeltaToText(text, target.toDelta()), `run ${run}`).toMatchObject({
        deleted: 0,
        inserted: 0,
        reformatted: 0,
      })
    }
  })

  it('emoji (surrogate pairs) are never split', () => {
    const { text } = textWith(docOf(para('a😀b')))
    applyDocToText(text, docOf(para('a😁b')))
    expect(notesPlainText(text)).toBe('a😁b')
    expect(text.toString()).not.toContain('\ufffd')
  })

  it('an empty target empties the text', () => {
    const { text } = textWith(docOf(para('gone')))
    applyDocToText(text, docOf())
    expect(text.length).toBe(0)
  })
})

describe('appendDocToText', () => {
  it('appends blocks after the existing ones, explicit markers, nothing inherited', () => {
    const { text } = textWith(docOf(para({ type: 'text', text: 'bold end', marks: [{ type: 'bold' }] })))
    appendDocToText(text, docOf(para('Merged:'), para('plain')))
    expect(notesTextToDoc(text)).toEqual(
      docOf(
        para({ type: 'text', text: 'bold end', marks: [{ type: 'bold' }] }),
        para('Merged:'),
        para('plain'),
      ),
    )
    const markers = (
      text.toDelta() as Array<{ insert: unknown; attributes?: Record<string, unknown> }>
    ).filter((op) => typeof op.insert === 'object')
    expect(markers[1]?.attributes).toEqual({ b: 'paragraph', ba: '', p: '' })
  })

  it('into an empty text', () => {
    const ydoc = new Y.Doc()
    appendDocToText(
      ydoc.getText('t'),
      docOf(para('first', { type: 'mention', attrs: { id: 'u', label: 'U' } })),
    )
    expect(notesPlainText(ydoc.getText('t'))).toBe('first@U')
    expect(inlineEmbed('mention', { id: 'u', label: 'U' })).toBeTruthy()
  })
})
