import type * as Y from 'yjs'
import { ModelError } from '../errors.ts'
import { BLOCK_EMBED, type DeltaOp, type MarkerAttrs, type NotesSource } from './notesText.ts'

/*
 * Block edits of a notes text (format version 2) as marker operations: a split inserts a marker, a join deletes
 * one, a type change formats one. None copies text, so concurrent typing, deletions and formatting stay on the
 * items they were made on. Indexes are Y.Text indexes (an embed counts 1).
 */

/** A block marker in a notes text: its index and its format attributes. */
export interface BlockMarker {
  index: number
  attributes: Record<string, unknown>
}

const isMarkerInsert = (insert: unknown): boolean =>
  typeof insert === 'object' && insert !== null && 'block' in insert

/** Every block marker of a notes text, in order. */
export function blockMarkers(source: NotesSource): BlockMarker[] {
  const delta = (Array.isArray(source) ? source : (source as Y.Text).toDelta()) as readonly DeltaOp[]
  const out: BlockMarker[] = []
  let index = 0
  for (const op of delta) {
    if (typeof op.insert === 'string') {
      index += op.insert.length
      continue
    }
    if (isMarkerInsert(op.insert)) out.push({ index, attributes: { ...op.attributes } })
    index++
  }
  return out
}

/** The marker of the block holding Y.Text index `index` (the last marker before it), or `null`. */
export function markerBefore(source: NotesSource, index: number): BlockMarker | null {
  let found: BlockMarker | null = null
  for (const marker of blockMarkers(source)) {
    if (marker.index >= index) break
    found = marker
  }
  return found
}

function requireMarker(ytext: Y.Text, markerIndex: number, what: string): void {
  if (!blockMarkers(ytext).some((m) => m.index === markerIndex)) {
    throw new ModelError('invalid_input', `${what}: index ${markerIndex} is not a block marker`)
  }
}

/**
 * A live marker's attributes: all three, `''` standing for "none" (default attrs, top level). Yjs formats a range
 * by attributes placed before and after it; a marker inserted right after a neighbour that another user re-formats
 * concurrently would read that user's new `ba`/`p` unless it carries its own value for each.
 */
export function liveMarkerAttributes(attrs: MarkerAttrs): Required<MarkerAttrs> {
  return { b: attrs.b, ba: attrs.ba ?? '', p: attrs.p ?? '' }
}

/**
 * Splits the block at `index`: a new marker with `attrs` starts a block there (Enter, or one block of a paste). The
 * marker carries all three attributes (`liveMarkerAttributes`).
 */
export function splitBlockAt(ytext: Y.Text, index: number, attrs: MarkerAttrs): void {
  if (!Number.isInteger(index) || index < 0 || index > ytext.length) {
    throw new ModelError('invalid_input', `split: index ${index} is outside the text (0..${ytext.length})`)
  }
  ytext.insertEmbed(index, { ...BLOCK_EMBED }, liveMarkerAttributes(attrs))
}

/** Joins the block of the marker at `markerIndex` to the block before it: the marker is deleted, no text moves. */
export function joinBlockAt(ytext: Y.Text, markerIndex: number): void {
  requireMarker(ytext, markerIndex, 'join')
  ytext.delete(markerIndex, 1)
}

/**
 * Changes the type of the block whose marker is at `markerIndex`: formats the marker's `b` and `ba` (`''` when
 * absent: default attrs); its path stays. Concurrent changes resolve per attribute, last writer wins.
 */
export function setBlockType(ytext: Y.Text, markerIndex: number, attrs: Pick<MarkerAttrs, 'b' | 'ba'>): void {
  requireMarker(ytext, markerIndex, 'set block type')
  ytext.format(markerIndex, 1, { b: attrs.b, ba: attrs.ba ?? '' })
}
