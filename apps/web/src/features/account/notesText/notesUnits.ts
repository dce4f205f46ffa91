import type { Node as PmNode } from '@tiptap/pm/model'

/**
 * The unit sequence of a notes `Y.Text` (design 2, docs/schema.md "notesText"): one unit per Y.Text index — a block
 * marker embed, one UTF-16 code unit of text, or an inline embed (mention, hardBreak) — each with its format
 * attributes. The binding diffs two unit sequences to write the minimal change; a ProseMirror position maps to a
 * unit index without the converter because a text block is one marker plus its content (text counts its code units,
 * an inline leaf counts 1, as in ProseMirror) and a leaf block is one marker.
 */
export type Attrs = Record<string, unknown>

export type Unit =
  | { kind: 'marker'; embed: Record<string, unknown>; attrs: Attrs }
  | { kind: 'char'; ch: string; attrs: Attrs }
  | { kind: 'embed'; embed: Record<string, unknown>; attrs: Attrs }

/** One operation of a Y.Text delta (`toDelta()` or the converter's `docToDelta`). */
export interface DeltaInsert {
  insert: string | Record<string, unknown>
  attributes?: Attrs
}

/** Format attributes that belong to a block marker; every other attribute is a mark of text or an inline embed. */
export const BLOCK_KEYS: readonly string[] = ['b', 'ba', 'p']

/**
 * A Y.Text delta with each attribute only where it belongs: block keys on markers, marks on text and inline
 * embeds. Y.Text formats are ranges, so text inserted right after a marker concurrently with a `format` of that
 * marker (or a marker inserted next to a bold range) can carry the other kind; readers ignore them.
 */
export function cleanDelta(delta: readonly DeltaInsert[]): DeltaInsert[] {
  return delta.map((op) => {
    if (op.attributes === undefined) return op
    const marker = typeof op.insert === 'object' && 'block' in op.insert
    const attributes: Attrs = {}
    for (const [key, value] of Object.entries(op.attributes)) {
      if (BLOCK_KEYS.includes(key) === marker && value !== null && value !== undefined)
        attributes[key] = value
    }
    return Object.keys(attributes).length === 0 ? { insert: op.insert } : { insert: op.insert, attributes }
  })
}

/** The units of a delta (attributes cleaned as in `cleanDelta`). */
export function deltaToUnits(raw: readonly DeltaInsert[]): Unit[] {
  const delta = cleanDelta(raw)
  const out: Unit[] = []
  for (const op of delta) {
    const attrs = op.attributes ?? {}
    if (typeof op.insert === 'string') {
      for (let i = 0; i < op.insert.length; i++) out.push({ kind: 'char', ch: op.insert.charAt(i), attrs })
    } else if ('block' in op.insert) out.push({ kind: 'marker', embed: op.insert, attrs })
    else out.push({ kind: 'embed', embed: op.insert, attrs })
  }
  return out
}

/** What a unit is, without its format attributes: equal keys are the same content (a type change is a format). */
export function unitKey(unit: Unit): string {
  if (unit.kind === 'char') return unit.ch
  if (unit.kind === 'marker') return '\u0000marker'
  return `\u0000embed${stableJson(unit.embed)}`
}

export function sameUnit(a: Unit, b: Unit): boolean {
  return unitKey(a) === unitKey(b) && sameAttrs(a.attrs, b.attrs)
}

export function sameAttrs(a: Attrs, b: Attrs): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)])
  for (const key of keys) {
    if (stableJson(a[key] ?? null) !== stableJson(b[key] ?? null)) return false
  }
  return true
}

/** The attributes to `format` so that `from`'s become `to`'s (null removes one). */
export function attrsChange(from: Attrs, to: Attrs): Attrs {
  const out: Attrs = {}
  for (const key of Object.keys(from)) if (to[key] === undefined || to[key] === null) out[key] = null
  for (const [key, value] of Object.entries(to)) {
    if (value !== null && value !== undefined && stableJson(from[key] ?? null) !== stableJson(value))
      out[key] = value
  }
  for (const key of Object.keys(out))
    if (out[key] === null && (from[key] === undefined || from[key] === null)) delete out[key]
  return out
}

function stableJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'undefined'
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`
  const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) =>
    a < b ? -1 : a > b ? 1 : 0,
  )
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`
}

/** A block of the document as the Y.Text sees it: its marker's unit index and its ProseMirror content range. */
interface BlockSpan {
  marker: number
  /** Position of the block's content start (textblock) or of the leaf block itself. */
  start: number
  size: number
}

function blockSpans(doc: PmNode): BlockSpan[] {
  const out: BlockSpan[] = []
  let index = 0
  doc.descendants((node, pos) => {
    if (node.isTextblock) {
      out.push({ marker: index, start: pos + 1, size: node.content.size })
      index += 1 + node.content.size
      return false
    }
    if (node.isBlock && node.isLeaf) {
      out.push({ marker: index, start: pos, size: 0 })
      index += 1
      return false
    }
    return true
  })
  return out
}

/**
 * Maps between ProseMirror positions of one document and indexes of its Y.Text. A caret position inside a block is
 * its marker's index + 1 + its offset; a position between blocks maps to the next block's marker.
 */
export class PositionMap {
  private readonly spans: BlockSpan[]
  readonly length: number

  constructor(readonly doc: PmNode) {
    this.spans = blockSpans(doc)
    const last = this.spans.at(-1)
    this.length = last === undefined ? 0 : last.marker + 1 + last.size
  }

  toIndex(pos: number): number {
    for (const span of this.spans) {
      if (pos < span.start) return span.marker
      if (pos <= span.start + span.size) return span.marker + 1 + (pos - span.start)
    }
    return this.length
  }

  /** The caret position an index stands for: the end of the previous block when it is a marker's index. */
  toPos(index: number): number {
    let found: BlockSpan | undefined
    for (const span of this.spans) {
      if (span.marker < index) found = span
      else break
    }
    if (found === undefined) return this.spans[0]?.start ?? 0
    return found.start + Math.min(found.size, Math.max(0, index - found.marker - 1))
  }
}

/** The delta of a notes Y.Text with stray attributes dropped (`cleanDelta`): what readers convert. */
export function readNotesText(text: { toDelta(): unknown }): DeltaInsert[] {
  return cleanDelta(text.toDelta() as DeltaInsert[])
}
