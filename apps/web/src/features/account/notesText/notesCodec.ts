import { deltaToDoc, docToDelta, type NotesNode } from '@rapport/model'
import type { NotesCodec } from './NotesTextBinding.ts'

/** The model's notes text converters (docs/schema.md "Notes text format") as the binding uses them. */
export const notesCodec: NotesCodec = {
  docToDelta: (doc, newKey) => docToDelta(doc.toJSON() as NotesNode, { newKey }),
  deltaToDoc: (delta, schema) => schema.nodeFromJSON(deltaToDoc(delta)),
}
