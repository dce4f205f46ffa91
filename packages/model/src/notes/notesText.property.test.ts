import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { notesDocProblems } from '../testing/notesDocProblems.ts'
import { NUM_RUNS, PROPERTY_TIMEOUT, SEED } from '../testing/propertyHarness.ts'
import type { NotesMark, NotesNode } from './notesSchema.ts'
import { type DeltaOp, deltaToDoc, docToDelta, notesTextToDoc, writeDocToText } from './notesText.ts'

/*
 * Properties of the notes text format: every valid document (StarterKit v3 + mention, in ProseMirror's `toJSON` normal
 * form) reads back exactly as written, through a real Y.Text; and ANY delta, however broken, reads as a valid
 * document, deterministically, that itself round-trips. CI: fixed seed, 200 runs; RAPPORT_LONG=1: 5,000.
 */

const str = fc
  .array(fc.constantFrom('a', 'b', ' ', '\n', '#', '/', '{', '"', '}', 'é', '😀'), {
    minLength: 1,
    maxLength: 6,
  })
  .map((chars) => chars.join(''))
const nullable = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: null })

const linkMark = fc
  .record({
    href: nullable(str),
    target: nullable(str),
    rel: nullable(str),
    class: nullable(str),
    title: nullable(str),
  })
  .map((attrs): NotesMark => ({ type: 'link', attrs }))
const marksArb: fc.Arbitrary<NotesMark[]> = fc.oneof(
  fc.constant<NotesMark[]>([{ type: 'code' }]),
  fc
    .record({
      link: fc.option(linkMark, { nil: undefined }),
      flags: fc.subarray(['bold', 'italic', 'strike', 'underline']),
    })
    .map(({ link, flags }) => [...(link ? [link] : []), ...flags.map((type) => ({ type }))]),
)
const textArb = fc
  .record({ text: str, marks: marksArb })
  .map(
    ({ text, marks }): NotesNode =>
      marks.length > 0 ? { type: 'text', marks, text } : { type: 'text', text },
  )
const mentionArb = fc
  .record({ id: nullable(str), label: nullable(str), mentionSuggestionChar: fc.constantFrom('@', '#') })
  .map((attrs): NotesNode => ({ type: 'mention', attrs }))
const inlineArb = fc
  .array(fc.oneof(textArb, textArb, mentionArb, fc.constant<NotesNode>({ type: 'hardBreak' })), {
    maxLength: 5,
  })
  .map((nodes) => {
    // ProseMirror's normal form: adjacent text nodes with the same marks are one node.
    const out: NotesNode[] = []
    for (const node of nodes) {
      const last = out[out.length - 1]
      if (
        node.type === 'text' &&
        last?.type === 'text' &&
        JSON.stringify(last.marks) === JSON.stringify(node.marks)
      ) {
        out[out.length - 1] = { ...last, text: `${last.text}${node.text}` }
      } else out.push(node)
    }
    return out
  })
const withContent = (node: NotesNode, content: NotesNode[]): NotesNode =>
  content.length > 0 ? { ...node, content } : node

const paragraphArb = inlineArb.map((content) => withContent({ type: 'paragraph' }, content))
const headingArb = fc
  .tuple(fc.integer({ min: 1, max: 6 }), inlineArb)
  .map(([level, content]) => withContent({ type: 'heading', attrs: { level } }, content))
const codeBlockArb = fc
  .tuple(nullable(fc.constantFrom('ts', 'js', 'a#b/c')), fc.option(str, { nil: undefined }))
  .map(([language, text]) =>
    withContent({ type: 'codeBlock', attrs: { language } }, text ? [{ type: 'text', text }] : []),
  )

const { doc: docArb } = fc.letrec((tie) => ({
  block: fc.oneof(
    { maxDepth: 3 },
    paragraphArb,
    headingArb,
    codeBlockArb,
    fc.constant<NotesNode>({ type: 'horizontalRule' }),
    tie('blockquote'),
    tie('bulletList'),
    tie('orderedList'),
  ),
  blocks: fc.array(tie('block'), { minLength: 1, maxLength: 3 }),
  blockquote: tie('blocks').map((content) => ({ type: 'blockquote', content })),
  item: fc
    .tuple(paragraphArb, fc.array(tie('block'), { maxLength: 2 }))
    .map(([first, rest]) => ({ type: 'listItem', content: [first, ...(rest as NotesNode[])] })),
  items: fc.array(tie('item'), { minLength: 1, maxLength: 3 }),
  bulletList: tie('items').map((content) => ({ type: 'bulletList', content })),
  orderedList: fc
    .tuple(fc.integer({ min: 0, max: 5 }), nullable(fc.constantFrom('a', 'i', '1')), tie('items'))
    .map(([start, type, content]) => ({ type: 'orderedList', attrs: { start, type }, content })),
  doc: tie('blocks').map((content) => ({ type: 'doc', content })),
})) as { doc: fc.Arbitrary<NotesNode> }

const keys = () => {
  let n = 0
  return () => `k${(n++).toString(36)}`
}

// ------------------------------------------------------------------------------------------------ broken deltas

const junk = fc.oneof(
  str,
  fc.constantFrom(
    '{"level":2}',
    '{"language":"js"}',
    '{"start":"x","type":7}',
    'null',
    '[1]',
    '{',
    '{"id":"u"}',
  ),
  fc.jsonValue().map((v) => JSON.stringify(v) ?? ''),
)
const pathArb = fc.oneof(
  fc
    .array(
      fc.tuple(
        fc.constantFrom('bulletList', 'orderedList', 'listItem', 'blockquote', 'paragraph', 'junk', ''),
        fc.constantFrom('a', 'b', ''),
        fc.option(junk, { nil: undefined }),
      ),
      { maxLength: 4 },
    )
    .map((frames) => frames.map(([t, k, a]) => (a === undefined ? `${t}#${k}` : `${t}#${k}#${a}`)).join('/')),
  str,
  fc.jsonValue(),
)
const markerArb = fc
  .record(
    {
      b: fc.oneof(
        fc.constantFrom(
          'paragraph',
          'heading',
          'codeBlock',
          'horizontalRule',
          'listItem',
          'text',
          'doc',
          'mention',
        ),
        fc.jsonValue(),
      ),
      ba: fc.oneof(junk, fc.jsonValue()),
      p: pathArb,
      bold: fc.constant(true),
    },
    { requiredKeys: [] },
  )
  .map((attributes): DeltaOp => ({ insert: { block: 1 }, attributes }))
const brokenTextArb = fc
  .record({
    insert: str,
    attributes: fc.dictionary(
      fc.constantFrom('bold', 'code', 'link', 'italic', 'strike', 'underline', 'b', 'p', 'x'),
      fc.oneof(fc.constant(true), fc.constant(false), junk, fc.integer()),
    ),
  })
  .map((op): DeltaOp => op)
const embedArb = fc.oneof(
  fc
    .record(
      { inline: fc.constantFrom('mention', 'hardBreak', 'paragraph', 'x'), attrs: junk },
      { requiredKeys: ['inline'] },
    )
    .map((insert): DeltaOp => ({ insert })),
  fc
    .dictionary(fc.constantFrom('inline', 'attrs', 'blok', 'z'), fc.jsonValue())
    .map((insert): DeltaOp => ({ insert })),
)
const deltaArb = fc.array(fc.oneof(markerArb, brokenTextArb, brokenTextArb, embedArb), { maxLength: 14 })

describe('notes text format (properties)', () => {
  it(
    'every valid document reads back as written, through a real Y.Text',
    () => {
      fc.assert(
        fc.property(docArb, (doc) => {
          expect(notesDocProblems(doc)).toEqual([])
          const delta = docToDelta(doc, { newKey: keys() })
          expect(deltaToDoc(delta)).toEqual(doc)
          expect(deltaToDoc(docToDelta(doc, { newKey: keys(), explicit: true }))).toEqual(doc)
          const ytext = new Y.Doc().getText('notesText')
          writeDocToText(ytext, doc)
          expect(notesTextToDoc(ytext)).toEqual(doc)
        }),
        { seed: SEED, numRuns: NUM_RUNS },
      )
    },
    PROPERTY_TIMEOUT,
  )

  it(
    'any delta reads as a valid document, deterministically, and that document round-trips',
    () => {
      fc.assert(
        fc.property(deltaArb, (delta) => {
          const read = deltaToDoc(delta)
          expect(notesDocProblems(read)).toEqual([])
          expect(deltaToDoc(JSON.parse(JSON.stringify(delta)) as DeltaOp[])).toEqual(read)
          expect(deltaToDoc(docToDelta(read, { newKey: keys() }))).toEqual(read)
          // The same content stored in a Y.Text (which merges and splits runs its own way) reads the same.
          const ytext = new Y.Doc().getText('notesText')
          ytext.applyDelta(delta)
          expect(notesTextToDoc(ytext)).toEqual(read)
        }),
        { seed: SEED, numRuns: NUM_RUNS },
      )
    },
    PROPERTY_TIMEOUT,
  )
})
