import { deltaToDoc, docToDelta, type NotesNode } from '@rapport/model'
import type { NotesCodec } from './NotesTextBinding.ts'

/**
 * The model's notes text converters (docs/schema.md "Notes text format") as the binding uses them. Markers are
 * written explicit (`ba`/`p` as `''` when none) since they are inserted into a text others edit.
 */
export const notesCodec: NotesCodec = {
  docToDelta: (doc, newKey) => docToDelta(doc.toJSON() as NotesNode, { newKey, explicit: true }),
  deltaToDoc: (delta, schema) => schema.nodeFromJSON(deltaToDoc(delta)),
}
