import * as Y from 'yjs'
import type { NotesMark, NotesNode } from './notesSchema.ts'
import { isContainer, isInlineAtom, isLeafBlock, isTextBlock } from './notesSchema.ts'
import { deltaToDoc, docToDelta, type WriteOptions } from './notesText.ts'

/*
 * Migration of a notes field from the y-prosemirror layout (an XmlFragment: one XmlElement per node, attributes =
 * attrs, XmlText with marks as attributes) to notes text format version 2 (one Y.Text with block markers).
 */

/** y-prosemirror names a mark that may overlap itself `name--hash`. */
const markName = (key: string): string => key.split('--')[0] ?? key

function marksOf(attributes: Record<string, unknown> | undefined): NotesMark[] {
  if (!attributes) return []
  const marks: NotesMark[] = []
  for (const [key, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue
    const attrs =
      typeof value === 'object' && Object.keys(value).length > 0
        ? (value as Record<string, unknown>)
        : undefined
    marks.push(attrs ? { type: markName(key), attrs } : { type: markName(key) })
  }
  return marks
}

function inlineOf(text: Y.XmlText): NotesNode[] {
  const out: NotesNode[] = []
  for (const op of text.toDelta() as Array<{ insert?: unknown; attributes?: Record<string, unknown> }>) {
    if (typeof op.insert !== 'string' || op.insert === '') continue
    const marks = marksOf(op.attributes)
    out.push(marks.length > 0 ? { type: 'text', marks, text: op.insert } : { type: 'text', text: op.insert })
  }
  return out
}

const isInline = (node: NotesNode) => node.type === 'text' || isInlineAtom(node.type)

function elementOf(element: Y.XmlElement): NotesNode {
  const attrs: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(element.getAttributes()))
    if (value !== undefined) attrs[key] = value
  const node: NotesNode = { type: element.nodeName, attrs }
  const content = isTextBlock(element.nodeName) ? inlineChildren(element) : blockChildren(element)
  if (content.length > 0) node.content = content
  return node
}

/** A text block's children: its text runs and inline atoms (nested blocks contribute their inline content). */
function inlineChildren(parent: Y.XmlElement): NotesNode[] {
  const out: NotesNode[] = []
  for (const child of parent.toArray()) {
    if (child instanceof Y.XmlText) out.push(...inlineOf(child))
    else if (child instanceof Y.XmlElement) {
      const node = elementOf(child)
      out.push(...(isInlineAtom(node.type) ? [node] : (node.content ?? []).filter(isInline)))
    }
  }
  return out
}

/** A container's children: blocks, with stray inline content gathered into paragraphs, unknown elements unwrapped. */
function blockChildren(parent: Y.XmlFragment | Y.XmlElement): NotesNode[] {
  const out: NotesNode[] = []
  let loose: NotesNode[] = []
  const flush = () => {
    if (loose.length > 0) out.push({ type: 'paragraph', content: loose })
    loose = []
  }
  for (const child of parent.toArray()) {
    if (child instanceof Y.XmlText) loose.push(...inlineOf(child))
    else if (child instanceof Y.XmlElement) {
      const node = elementOf(child)
      if (isInline(node)) loose.push(node)
      else {
        flush()
        const known = isTextBlock(node.type) || isLeafBlock(node.type) || isContainer(node.type)
        // An unknown element keeps its content: its blocks (its inline content was gathered into a paragraph).
        out.push(...(known ? [node] : (node.content ?? [])))
      }
    }
  }
  flush()
  return out
}

/**
 * Converts a y-prosemirror notes fragment into notes text format version 2, written into `text` in ONE transaction
 * (`origin` = the transaction origin). Idempotent: does nothing when `text` already holds content or the fragment
 * is empty. Returns whether it wrote. What the fragment holds is coerced the way any notes text is read (unknown
 * nodes become paragraphs, list items start with a paragraph, …), so the text is written in its normal form.
 */
export function migrateFragmentToText(
  fragment: Y.XmlFragment,
  text: Y.Text,
  options: WriteOptions & { origin?: unknown } = {},
): boolean {
  if (text.length > 0 || fragment.length === 0) return false
  const doc = text.doc
  if (doc === null) throw new Error('migrateFragmentToText: the text is not part of a Y.Doc')
  const read = deltaToDoc(docToDelta({ type: 'doc', content: blockChildren(fragment) }, options))
  const delta = docToDelta(read, options)
  doc.transact(() => text.applyDelta(delta), options.origin ?? null)
  return true
}
