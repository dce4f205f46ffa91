import type { Node as PmNode, Schema } from '@tiptap/pm/model'

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

/** An attribute's value for comparison: absent, null and `''` (a marker's explicit "none") are the same. */
function norm(value: unknown): string {
  return value === undefined || value === null || value === '' ? 'null' : stableJson(value)
}

export function sameAttrs(a: Attrs, b: Attrs): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)])
  for (const key of keys) {
    if (norm(a[key]) !== norm(b[key])) return false
  }
  return true
}

/**
 * The attributes to `format` so that `from`'s become `to`'s. A removed one is written as `to` has it (`''` on a
 * marker, see the model's `explicit` markers) or null.
 */
export function attrsChange(from: Attrs, to: Attrs): Attrs {
  const out: Attrs = {}
  const keys = new Set([...Object.keys(from), ...Object.keys(to)])
  for (const key of keys) {
    if (norm(from[key]) === norm(to[key])) continue
    const value = to[key]
    out[key] = value === undefined ? null : value
  }
  return out
}

/** Whether two attribute objects are written the same (`''` and null differ here). */
export function sameWrite(a: Attrs, b: Attrs): boolean {
  return stableJson(a) === stableJson(b)
}

function stableJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'undefined'
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`
  const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) =>
    a < b ? -1 : a > b ? 1 : 0,
  )
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`
}

/** A block as the Y.Text holds it: its marker's index (absent for an implicit paragraph) and its content range. */
interface TextBlock {
  marker: number | null
  contentStart: number
  length: number
  /** The block type its marker names (an implicit paragraph: `paragraph`). */
  type?: unknown
  /** A block the reader added (e.g. the empty paragraph a list item must start with): no caret maps into it. */
  synthetic?: boolean
}

/** A block of the document: its content start (a leaf block: its own position) and content size. */
interface DocBlock {
  start: number
  size: number
  type: string
}

function docBlocks(doc: PmNode): DocBlock[] {
  const out: DocBlock[] = []
  doc.descendants((node, pos) => {
    if (node.isTextblock) {
      out.push({ start: pos + 1, size: node.content.size, type: node.type.name })
      return false
    }
    if (node.isBlock && node.isLeaf) {
      out.push({ start: pos, size: 0, type: node.type.name })
      return false
    }
    return true
  })
  return out
}

/** The blocks of a unit sequence as the model's reader forms them (text before any marker or after a leaf block
 * marker reads as an implicit paragraph). */
function textBlocks(units: readonly Unit[], isLeafBlock: (type: unknown) => boolean): TextBlock[] {
  const out: TextBlock[] = []
  let current: TextBlock | null = null
  let leaf = false
  units.forEach((unit, index) => {
    if (unit.kind === 'marker') {
      current = { marker: index, contentStart: index + 1, length: 0, type: unit.attrs.b }
      leaf = isLeafBlock(unit.attrs.b)
      out.push(current)
      return
    }
    if (current === null || leaf) {
      current = { marker: null, contentStart: index, length: 0, type: 'paragraph' }
      leaf = false
      out.push(current)
    }
    current.length++
  })
  return out
}

/** `textBlocks` of a delta, without making a unit per character. */
function textBlocksOfDelta(
  delta: readonly DeltaInsert[],
  isLeafBlock: (type: unknown) => boolean,
): TextBlock[] {
  const out: TextBlock[] = []
  let current: TextBlock | null = null
  let leaf = false
  let index = 0
  for (const op of delta) {
    const length = typeof op.insert === 'string' ? op.insert.length : 1
    if (typeof op.insert === 'object' && 'block' in op.insert) {
      const b = op.attributes?.b
      current = { marker: index, contentStart: index + 1, length: 0, type: b }
      leaf = isLeafBlock(b)
      out.push(current)
    } else {
      if (current === null || leaf) {
        current = { marker: null, contentStart: index, length: 0, type: 'paragraph' }
        leaf = false
        out.push(current)
      }
      current.length += length
    }
    index += length
  }
  return out
}

/** The length of a delta (its Y.Text's length). */
export function deltaLength(delta: readonly DeltaInsert[]): number {
  let length = 0
  for (const op of delta) length += typeof op.insert === 'string' ? op.insert.length : 1
  return length
}

/** The units of `delta` from index `from` to `to` (cleaned as in `cleanDelta`, which `delta` should be). */
export function unitsBetween(delta: readonly DeltaInsert[], from: number, to: number): Unit[] {
  const out: Unit[] = []
  let index = 0
  for (const op of delta) {
    if (index >= to) break
    const length = typeof op.insert === 'string' ? op.insert.length : 1
    if (index + length > from) {
      const attrs = op.attributes ?? {}
      if (typeof op.insert === 'string') {
        for (let i = Math.max(0, from - index); i < length && index + i < to; i++) {
          out.push({ kind: 'char', ch: op.insert.charAt(i), attrs })
        }
      } else if ('block' in op.insert) out.push({ kind: 'marker', embed: op.insert, attrs })
      else out.push({ kind: 'embed', embed: op.insert, attrs })
    }
    index += length
  }
  return out
}

/**
 * The Y.Text block of each document block, in order. The reader may add empty blocks that the text lacks (a list
 * item must start with a paragraph): an empty document block that does not match the next text block is one.
 * Null when they do not pair up.
 */
function pairBlocks(
  docs: readonly DocBlock[],
  texts: readonly TextBlock[],
  length: number,
): TextBlock[] | null {
  const out: TextBlock[] = []
  let j = 0
  for (const doc of docs) {
    const text = texts[j]
    const left = texts.length - j
    const docsLeft = docs.length - out.length
    if (text !== undefined && text.length === doc.size && (text.type === doc.type || docsLeft <= left)) {
      out.push(text)
      j++
    } else if (doc.size === 0 && docsLeft > left) {
      const at = text === undefined ? length : (text.marker ?? text.contentStart)
      out.push({ marker: null, contentStart: at, length: 0, synthetic: true })
    } else return null
  }
  return j === texts.length ? out : null
}

/** The blocks of the canonical units of `doc` (one marker per block, then its content). */
function canonicalBlocks(blocks: readonly DocBlock[]): TextBlock[] {
  let index = 0
  return blocks.map((b) => {
    const block = { marker: index, contentStart: index + 1, length: b.size }
    index += 1 + b.size
    return block
  })
}

/**
 * Maps between ProseMirror positions of one document and indexes of the Y.Text it shows. A caret position inside a
 * block is its content start + its offset; a position between blocks maps to the next block's marker. Given the
 * Y.Text's units, indexes are the real ones (also where the text is not canonical, e.g. a concurrent join deleted
 * the first marker); otherwise (or when the blocks do not pair up) those of the canonical form.
 */
export class PositionMap {
  private readonly docs: DocBlock[]
  private readonly texts: TextBlock[]
  readonly length: number
  /** Whether the indexes are the Y.Text's (its blocks paired with the document's); else the canonical ones. */
  readonly paired: boolean

  /** `delta`: the Y.Text's cleaned delta (`readNotesText`); without it, the canonical form of `doc`. */
  constructor(doc: PmNode, delta?: readonly DeltaInsert[]) {
    this.docs = docBlocks(doc)
    const schema = doc.type.schema
    const length = delta === undefined ? 0 : deltaLength(delta)
    const paired =
      delta === undefined
        ? null
        : pairBlocks(
            this.docs,
            textBlocksOfDelta(
              delta,
              (type) => typeof type === 'string' && schema.nodes[type]?.isLeaf === true,
            ),
            length,
          )
    this.paired = paired !== null
    if (paired !== null) {
      this.texts = paired
      this.length = length
    } else {
      this.texts = canonicalBlocks(this.docs)
      const last = this.texts.at(-1)
      this.length = last === undefined ? 0 : last.contentStart + last.length
    }
  }

  toIndex(pos: number): number {
    for (let i = 0; i < this.docs.length; i++) {
      const doc = this.docs[i] as DocBlock
      const text = this.texts[i] as TextBlock
      if (pos < doc.start) return text.marker ?? text.contentStart
      if (pos <= doc.start + doc.size) return text.contentStart + Math.min(text.length, pos - doc.start)
    }
    return this.length
  }

  /** The caret position an index stands for: the end of the previous block when it is a marker's index. */
  toPos(index: number): number {
    let found = -1
    for (let i = 0; i < this.texts.length; i++) {
      const text = this.texts[i] as TextBlock
      if (text.synthetic) continue
      if (text.contentStart <= index) found = i
      else break
    }
    if (found < 0) return this.docs[0]?.start ?? 0
    const doc = this.docs[found] as DocBlock
    const text = this.texts[found] as TextBlock
    return doc.start + Math.min(doc.size, index - text.contentStart)
  }
}

/** The delta of a notes Y.Text with stray attributes dropped (`cleanDelta`): what readers convert. */
export function readNotesText(text: { toDelta(): unknown }): DeltaInsert[] {
  return cleanDelta(text.toDelta() as DeltaInsert[])
}

/**
 * Indexes of `next`'s markers that stand for an implicit paragraph of `current` (text before any marker, e.g.
 * after a concurrent join deleted the first marker, or after a leaf block): writing them would re-create a block
 * that another user's join removed, so the binding leaves them out of its diff.
 */
export function implicitMarkers(
  current: readonly Unit[],
  next: readonly Unit[],
  schema: Schema,
): Set<number> {
  const isLeaf = (type: unknown) => typeof type === 'string' && schema.nodes[type]?.isLeaf === true
  const have = textBlocks(current, isLeaf)
  const want = textBlocks(next, isLeaf)
  const out = new Set<number>()
  if (have.length !== want.length) {
    // A join or split changed the block count, so blocks do not pair by index; only the first block of the window
    // is tied. When the text starts with an implicit paragraph and the document's first block is a non-empty
    // paragraph, leaving its marker out keeps the text implicit (the join another user wrote stands) and the diff
    // deletes or inserts only the markers the local edit changed (writing it here re-inserted the first character
    // with a marker before it instead: a concurrent run typed next to it got reordered).
    const first = want[0]
    if (have[0]?.marker !== null || first === undefined || first.marker === null || first.length === 0)
      return out
    if (sameAttrs((next[first.marker] as Unit).attrs, { b: 'paragraph' })) out.add(first.marker)
    return out
  }
  have.forEach((block, i) => {
    const marker = want[i]?.marker
    if (block.marker !== null || marker === null || marker === undefined) return
    if (sameAttrs((next[marker] as Unit).attrs, { b: 'paragraph' })) out.add(marker)
  })
  return out
}
