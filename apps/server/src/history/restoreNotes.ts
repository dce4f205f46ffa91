import { applyDeltaToText, type DeltaOp, docToDelta, NOTES_FIELD, NOTES_TEXT_FIELD } from '@rapport/model'
import * as Y from 'yjs'
import { liveNotesText } from '../notes/roomNotes.ts'
import { notesJson } from './notesJson.ts'

type Block = Y.XmlElement | Y.XmlText

const keyOf = (block: Block): string => {
  const fragment = new Y.Doc().getXmlFragment('k')
  fragment.insert(0, [block.clone() as Block])
  return JSON.stringify(notesJson(fragment))
}

/** Index pairs [current, target] of a longest common subsequence of two key lists. */
function commonBlocks(current: string[], target: string[]): Array<[number, number]> {
  const n = current.length
  const m = target.length
  // Suffix lengths, row-major (n + 1) × (m + 1).
  const table = new Uint32Array((n + 1) * (m + 1))
  const at = (i: number, j: number): number => table[i * (m + 1) + j] ?? 0
  for (let i = n - 1; i >= 0; i -= 1)
    for (let j = m - 1; j >= 0; j -= 1)
      table[i * (m + 1) + j] =
        current[i] === target[j] ? at(i + 1, j + 1) + 1 : Math.max(at(i + 1, j), at(i, j + 1))
  const pairs: Array<[number, number]> = []
  let i = 0
  let j = 0
  while (i < n && j < m) {
    if (current[i] === target[j]) {
      pairs.push([i, j])
      i += 1
      j += 1
    } else if (at(i + 1, j) >= at(i, j + 1)) i += 1
    else j += 1
  }
  return pairs
}

/**
 * Makes `notes` read like `target`, block by block: top-level blocks equal in both (same ProseMirror JSON) stay as
 * they are — with their Yjs items, so their authors and any edit made inside them concurrently survive — and only
 * the blocks that differ are deleted and inserted (as copies of the target's). Call inside one transaction.
 */
export function restoreNotes(
  notes: Y.XmlFragment,
  target: Y.XmlFragment,
): { kept: number; replaced: number } {
  const current = notes.toArray() as Block[]
  const wanted = target.toArray() as Block[]
  const pairs = commonBlocks(current.map(keyOf), wanted.map(keyOf))
  let pos = 0
  let ci = 0
  let wi = 0
  for (const [cm, wm] of [...pairs, [current.length, wanted.length] as [number, number]]) {
    if (cm > ci) notes.delete(pos, cm - ci)
    const copies = wanted.slice(wi, wm).map((block) => block.clone() as Block)
    if (copies.length > 0) notes.insert(pos, copies)
    pos += copies.length + (cm < current.length ? 1 : 0)
    ci = cm + 1
    wi = wm + 1
  }
  return { kept: pairs.length, replaced: wanted.length - pairs.length }
}

/** An empty notes document as the editor holds it: one empty paragraph (an empty v2 text would read the fragment). */
const EMPTY_NOTES = { type: 'doc', content: [{ type: 'paragraph' }] }

/**
 * Makes the notes of `doc` read like those of the version `old`, in either layout, as a NEW edit (call inside one
 * transaction). A room whose fragment is still read (stored before the move to the text, format 4): `restoreNotes`
 * block by block. When the room or the version holds notes
 * text v2, the room's `notesText` is made to read like the version's (its own delta, container keys and all; a
 * fragment-only version is converted) with the fewest Y.Text edits (`applyDeltaToText`): unchanged text keeps its
 * items, a changed block type is a marker format. Returns how much changed (0: nothing to restore).
 */
export function restoreNotesField(doc: Y.Doc, old: Y.Doc): number {
  const current = liveNotesText(doc, NOTES_FIELD)
  const past = liveNotesText(old, NOTES_FIELD)
  if (!current && !past) {
    const fragment = doc.getXmlFragment(NOTES_FIELD)
    const oldFragment = old.getXmlFragment(NOTES_FIELD)
    if (oldFragment.length === 0 && fragment.length === 0) return 0
    // A room stored before the move to notes text v2: its fragment is what is read.
    if (fragment.length > 0) return restoreNotes(fragment, oldFragment).replaced
    // A room with no notes now (rooms are moved to the text when they load): the version's notes go to the text.
  }
  let target: readonly DeltaOp[] = past
    ? (past.toDelta() as DeltaOp[])
    : docToDelta(notesJson(old.getXmlFragment(NOTES_FIELD)), { explicit: true })
  if (target.length === 0) target = docToDelta(EMPTY_NOTES, { explicit: true })
  const stats = applyDeltaToText(doc.getText(NOTES_TEXT_FIELD), target)
  return stats.inserted + stats.deleted + stats.reformatted
}
