import {
  briefField,
  briefTextField,
  migrateFragmentToText,
  NOTES_FIELD,
  NOTES_TEXT_FIELD,
  type NotesNode,
  notesPlainText,
  notesTextToDoc,
  parseBriefField,
  parseBriefTextField,
} from '@rapport/model'
import * as Y from 'yjs'
import { notesJson } from '../history/notesJson.ts'
import { fragmentText } from '../projection/fragmentText.ts'

/*
 * The notes fields of an account room in either layout (issue #10): the y-prosemirror fragment (`notes`,
 * `brief:<handoffId>`) or notes text format v2 (`notesText`, `briefText:<handoffId>`, docs/schema.md §3.5.1). A
 * field is named here by its FRAGMENT name; its v2 text wins as soon as it holds anything, the fragment is read
 * otherwise (every room today).
 */

/** The v2 text field of a notes fragment field (`notes` → `notesText`, `brief:H` → `briefText:H`), or null. */
export function textFieldOf(field: string): string | null {
  if (field === NOTES_FIELD) return NOTES_TEXT_FIELD
  const handoffId = parseBriefField(field)
  return handoffId ? briefTextField(handoffId) : null
}

/** The fragment field of a root type name of either layout (`notesText` → `notes`), or null for other roots. */
export function notesFieldOf(name: string): string | null {
  if (name === NOTES_FIELD || name === NOTES_TEXT_FIELD) return NOTES_FIELD
  const handoffId = parseBriefField(name) ?? parseBriefTextField(name)
  return handoffId ? briefField(handoffId) : null
}

/** Whether a root type name is a notes field of either layout (notes, handoff briefs). */
export const isNotesField = (name: string): boolean => notesFieldOf(name) !== null

/** The room's v2 text of `field` (a fragment name) when it holds content, else null. Creates no type. */
export function liveNotesText(doc: Y.Doc, field: string): Y.Text | null {
  const name = textFieldOf(field)
  if (name === null || !doc.share.has(name)) return null
  try {
    const text = doc.getText(name)
    return text.length > 0 ? text : null
  } catch {
    // The name is taken by another type (no client writes that): there is no v2 text.
    return null
  }
}

/** The notes fields a room holds in either layout, by fragment name: `notes` first, then the briefs in order. */
export function notesFieldsOf(doc: Y.Doc): string[] {
  const briefs = new Set<string>()
  for (const name of doc.share.keys()) {
    const field = notesFieldOf(name)
    if (field && field !== NOTES_FIELD) briefs.add(field)
  }
  return [NOTES_FIELD, ...[...briefs].sort()]
}

/** Plain text of a notes field, one block per line (the v2 text's `notesPlainText`, else `fragmentText`). */
export function notesFieldText(doc: Y.Doc, field: string): string {
  const text = liveNotesText(doc, field)
  return text ? notesPlainText(text) : fragmentText(doc.getXmlFragment(field))
}

/** The ProseMirror JSON of a notes field (`{ type: 'doc', content }`) in either layout. */
export function notesFieldDoc(doc: Y.Doc, field: string): NotesNode {
  const text = liveNotesText(doc, field)
  return text ? notesTextToDoc(text) : notesJson(doc.getXmlFragment(field))
}

/**
 * A fragment's document in the normal form notes text v2 reads (as `migrateFragmentToText` would write it): unknown
 * nodes coerced, list items starting with a paragraph. The fragment is only read.
 */
export function fragmentToDoc(fragment: Y.XmlFragment): NotesNode {
  const scratch = new Y.Doc()
  const text = scratch.getText('notes')
  migrateFragmentToText(fragment, text)
  const doc = notesTextToDoc(text)
  scratch.destroy()
  return doc
}

/** Whether a document has nothing to show (no block, or only empty paragraphs). */
export function isEmptyDoc(doc: NotesNode): boolean {
  return (doc.content ?? []).every((node) => node.type === 'paragraph' && (node.content ?? []).length === 0)
}

/**
 * New y-prosemirror fragment content for ProseMirror nodes (unattached, insert them into a fragment): an element per
 * node (attributes = attrs), runs of text nodes as one XmlText with each mark as a format attribute (its attrs).
 */
export function docToXmlNodes(nodes: readonly NotesNode[]): Array<Y.XmlElement | Y.XmlText> {
  const out: Array<Y.XmlElement | Y.XmlText> = []
  let run: Array<{ insert: string; attributes: Record<string, unknown> }> = []
  const flush = () => {
    if (run.length === 0) return
    const text = new Y.XmlText()
    text.applyDelta(run) // applied in order when the text is integrated
    out.push(text)
    run = []
  }
  for (const node of nodes) {
    if (node.type === 'text') {
      if (node.text) {
        const attributes: Record<string, unknown> = {}
        for (const mark of node.marks ?? []) attributes[mark.type] = mark.attrs ?? {}
        run.push({ insert: node.text, attributes })
      }
      continue
    }
    flush()
    const element = new Y.XmlElement(node.type)
    for (const [key, value] of Object.entries(node.attrs ?? {})) element.setAttribute(key, value as string)
    element.insert(0, docToXmlNodes(node.content ?? []))
    out.push(element)
  }
  flush()
  return out
}
