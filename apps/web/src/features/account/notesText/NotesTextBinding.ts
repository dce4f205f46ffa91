import { newKey as randomKey } from '@rapport/model'
import type { Node as PmNode, Schema } from '@tiptap/pm/model'
import { type EditorState, PluginKey, Selection, TextSelection, type Transaction } from '@tiptap/pm/state'
import { Mapping } from '@tiptap/pm/transform'
import type { EditorView } from '@tiptap/pm/view'
import { diffArrays } from 'diff'
import * as Y from 'yjs'
import { type ContainerKey, keysAfter, keysFromText } from './containerKeys.ts'
import {
  attrsChange,
  type DeltaInsert,
  deltaLength,
  deltaToUnits,
  implicitMarkers,
  PositionMap,
  readNotesText,
  sameAttrs,
  sameUnit,
  sameWrite,
  type Unit,
  unitKey,
  unitsBetween,
} from './notesUnits.ts'

/** Converts between a notes document and its Y.Text delta (the model's `docToDelta` / `deltaToDoc`). */
export interface NotesCodec {
  /** `newKey` is asked for each container's key in document order. */
  docToDelta(doc: PmNode, newKey: () => string): DeltaInsert[]
  deltaToDoc(delta: readonly DeltaInsert[], schema: Schema): PmNode
}

/** Meta of the transactions that bring a Y.Text change into the editor (never written back, never in history). */
export const notesTextRemoteKey = new PluginKey<unknown>('notesTextRemote')

export interface Range {
  from: number
  to: number
}

/** The range of `tr.doc` that the transaction's steps touched (null when the document did not change). */
export function touchedRange(tr: Transaction): Range | null {
  let range: Range | null = null
  const add = (from: number, to: number) => {
    range = range === null ? { from, to } : { from: Math.min(range.from, from), to: Math.max(range.to, to) }
  }
  tr.steps.forEach((step, i) => {
    const rest = tr.mapping.slice(i + 1)
    step.getMap().forEach((_oldStart, _oldEnd, newStart, newEnd) => {
      add(rest.map(newStart, -1), rest.map(newEnd, 1))
    })
    // Mark and attribute steps change no positions (an empty step map): their own range is what they touched.
    const { from, to, pos } = step as unknown as { from?: unknown; to?: unknown; pos?: unknown }
    if (typeof from === 'number' && typeof to === 'number') add(rest.map(from, -1), rest.map(to, 1))
    else if (typeof pos === 'number') add(rest.map(pos, -1), rest.map(pos + 1, 1))
  })
  return range
}

/**
 * Binds one ProseMirror editor to one notes `Y.Text` (design 2 of #10): local transactions are written as the
 * minimal delete/insert/format of units inside the range their steps touched (a split inserts a marker, a join
 * deletes one, a type change formats one, no text is ever re-inserted), and remote Y.Text changes are rebuilt into a
 * document and applied as ONE transaction replacing only the changed range, with the local selection kept by
 * Y.RelativePositions. Undo is a Y.UndoManager tracking only this binding's writes.
 */
export class NotesTextBinding {
  readonly undoManager: Y.UndoManager
  view: EditorView | null = null
  /** The range of the current document touched by local transactions not yet written to the Y.Text. */
  private pending: Range | null = null
  private applyingRemote = false
  private selection: { anchor: Y.RelativePosition; head: Y.RelativePosition } | null = null
  /** Container keys of the last document the Y.Text agreed with, and the local mapping since. */
  private keys = new Map<number, ContainerKey>()
  private mapping = new Mapping()
  /** The document the Y.Text last agreed with (its unchanged top-level nodes are shared with the editor's). */
  private base: PmNode | null = null

  constructor(
    readonly text: Y.Text,
    readonly codec: NotesCodec,
    private readonly onSelection: (
      selection: { anchor: Y.RelativePosition; head: Y.RelativePosition } | null,
    ) => void = () => {},
    /** Keys of new containers (lists, list items, quotes); tests pass a seeded one. */
    private readonly newKey: () => string = randomKey,
  ) {
    this.undoManager = new Y.UndoManager(text, { trackedOrigins: new Set([this]) })
    text.observe(this.onTextChange)
  }

  get doc(): Y.Doc {
    const doc = this.text.doc
    if (doc === null) throw new Error('the notes Y.Text is not in a document')
    return doc
  }

  /** The document the Y.Text holds, for the editor's initial content (null when the Y.Text is empty). */
  initialDoc(schema: Schema): PmNode | null {
    return this.text.length === 0 ? null : this.codec.deltaToDoc(readNotesText(this.text), schema)
  }

  /** Plugin state `apply`: remembers what a local transaction touched. */
  noteTransaction(tr: Transaction): void {
    if (!tr.docChanged) return
    const mapped =
      this.pending === null
        ? null
        : { from: tr.mapping.map(this.pending.from, -1), to: tr.mapping.map(this.pending.to, 1) }
    if (tr.getMeta(notesTextRemoteKey) !== undefined) {
      this.pending = mapped
      this.rebase(tr.doc)
      return
    }
    this.mapping.appendMapping(tr.mapping)
    const touched = touchedRange(tr)
    if (touched === null) this.pending = mapped
    else if (mapped === null) this.pending = touched
    else this.pending = { from: Math.min(mapped.from, touched.from), to: Math.max(mapped.to, touched.to) }
  }

  attach(view: EditorView): void {
    this.view = view
    this.rebase(view.state.doc)
    this.storeSelection(view.state)
  }

  /** Plugin view `update`: writes local changes, then publishes the selection. */
  update(view: EditorView, prevState: EditorState): void {
    if (this.applyingRemote) return
    if (this.pending !== null) this.flush(view.state.doc)
    if (!prevState.selection.eq(view.state.selection) || !prevState.doc.eq(view.state.doc)) {
      this.storeSelection(view.state)
    }
  }

  destroy(): void {
    this.text.unobserve(this.onTextChange)
    this.undoManager.destroy()
    this.view = null
  }

  /**
   * Writes the difference between the Y.Text and `doc` inside the pending range, in one Y transaction. Only the
   * top-level nodes that are not the very same objects as in the document the Y.Text last agreed with (`base`;
   * ProseMirror shares unchanged nodes) are converted: their range in the Y.Text comes from `base`.
   */
  private flush(doc: PmNode): void {
    const range = this.pending
    this.pending = null
    if (range === null) return
    const base = this.base ?? doc
    const delta = readNotesText(this.text)
    const keys = keysAfter(this.keys, this.mapping, doc, this.newKey)
    this.keys = keys.byPos
    this.mapping = new Mapping()
    this.base = doc
    const bc = base.childCount
    const nc = doc.childCount
    // Without pairing (the Y.Text's blocks do not match base's) the window is the whole document.
    const oldMap = new PositionMap(base, delta)
    let head = 0
    let tail = 0
    if (oldMap.paired) {
      while (head < bc && head < nc && base.child(head) === doc.child(head)) head++
      while (tail < bc - head && tail < nc - head && base.child(bc - 1 - tail) === doc.child(nc - 1 - tail)) {
        tail++
      }
    }
    const childPos = (node: PmNode, index: number) => {
      let pos = 0
      for (let i = 0; i < index; i++) pos += node.child(i).nodeSize
      return pos
    }
    const oldFrom = head === 0 ? 0 : oldMap.toIndex(childPos(base, head))
    const oldTo = tail === 0 ? deltaLength(delta) : oldMap.toIndex(childPos(base, bc - tail))
    const newFromPos = childPos(doc, head)
    const newToPos = childPos(doc, nc - tail)
    const windowKeys: string[] = []
    keys.ordered.forEach((key, i) => {
      const pos = keys.positions[i] as number
      if (pos >= newFromPos && pos < newToPos) windowKeys.push(key)
    })
    const children: PmNode[] = []
    for (let i = head; i < nc - tail; i++) children.push(doc.child(i))
    const window = doc.type.create(doc.attrs, children)
    let nextKey = 0
    const canonical = deltaToUnits(
      this.codec.docToDelta(window, () => windowKeys[nextKey++] ?? this.newKey()),
    )
    const oldUnits = unitsBetween(delta, oldFrom, Math.max(oldFrom, oldTo))
    const implicit = implicitMarkers(oldUnits, canonical, doc.type.schema)
    const newUnits = implicit.size === 0 ? canonical : canonical.filter((_u, i) => !implicit.has(i))
    const positions = new PositionMap(doc)
    const windowStart = positions.toIndex(newFromPos)
    const adjust = (index: number) => {
      const inWindow = Math.max(0, Math.min(canonical.length, index - windowStart))
      return inWindow - [...implicit].filter((i) => i < inWindow).length
    }
    const clampPos = (pos: number) => Math.max(0, Math.min(pos, doc.content.size))
    const startIdx = adjust(positions.toIndex(clampPos(range.from)))
    const endIdx = Math.max(startIdx, adjust(positions.toIndex(clampPos(range.to))))
    let prefix = 0
    const maxPrefix = Math.min(oldUnits.length, newUnits.length, startIdx)
    while (prefix < maxPrefix && sameUnit(oldUnits[prefix] as Unit, newUnits[prefix] as Unit)) prefix++
    let suffix = 0
    const maxSuffix = Math.min(
      oldUnits.length - prefix,
      newUnits.length - prefix,
      Math.max(0, newUnits.length - endIdx),
    )
    while (
      suffix < maxSuffix &&
      sameUnit(oldUnits[oldUnits.length - 1 - suffix] as Unit, newUnits[newUnits.length - 1 - suffix] as Unit)
    ) {
      suffix++
    }
    const oldPart = oldUnits.slice(prefix, oldUnits.length - suffix)
    const newPart = newUnits.slice(prefix, newUnits.length - suffix)
    if (oldPart.length === 0 && newPart.length === 0) return
    this.doc.transact(() => writeDiff(this.text, oldFrom + prefix, oldPart, newPart), this)
  }

  /** `doc` is what the Y.Text holds: its container keys come from the markers. */
  private rebase(doc: PmNode): void {
    this.base = doc
    this.keys = keysFromText(doc, readNotesText(this.text))
    this.mapping = new Mapping()
  }

  private storeSelection(state: EditorState): void {
    const positions = new PositionMap(state.doc, readNotesText(this.text))
    const rel = (pos: number) => Y.createRelativePositionFromTypeIndex(this.text, positions.toIndex(pos), -1)
    this.selection = { anchor: rel(state.selection.anchor), head: rel(state.selection.head) }
    this.onSelection(this.selection)
  }

  private readonly onTextChange = (_event: Y.YTextEvent, transaction: Y.Transaction): void => {
    if (transaction.origin === this) return
    const view = this.view
    if (view === null) return
    const schema = view.state.schema
    const next = this.codec.deltaToDoc(readNotesText(this.text), schema)
    const current = view.state.doc
    let tr = view.state.tr
    const start = current.content.findDiffStart(next.content)
    if (start !== null && start !== undefined) {
      const end = current.content.findDiffEnd(next.content)
      let endA = end?.a ?? current.content.size
      let endB = end?.b ?? next.content.size
      const overlap = start - Math.min(endA, endB)
      if (overlap > 0) {
        endA += overlap
        endB += overlap
      }
      try {
        tr.replace(start, endA, next.slice(start, endB))
      } catch {
        // fall through to the whole-document replacement below
      }
      if (!tr.doc.eq(next)) tr = view.state.tr.replaceWith(0, current.content.size, next.content)
    }
    const selection = this.restoreSelection(tr.doc)
    if (selection !== null) tr.setSelection(selection)
    tr.setMeta(notesTextRemoteKey, true)
    tr.setMeta('addToHistory', false)
    this.applyingRemote = true
    try {
      view.dispatch(tr)
    } finally {
      this.applyingRemote = false
    }
    // Plugins may have appended local changes (e.g. a trailing paragraph): write them now.
    if (this.pending !== null) this.flush(view.state.doc)
    this.storeSelection(view.state)
  }

  private restoreSelection(doc: PmNode): Selection | null {
    const stored = this.selection
    if (stored === null) return null
    const anchor = Y.createAbsolutePositionFromRelativePosition(stored.anchor, this.doc)
    const head = Y.createAbsolutePositionFromRelativePosition(stored.head, this.doc)
    if (anchor === null || head === null || anchor.type !== this.text || head.type !== this.text) return null
    const positions = new PositionMap(doc, readNotesText(this.text))
    const clamp = (pos: number) => Math.max(0, Math.min(pos, doc.content.size))
    try {
      return TextSelection.between(
        doc.resolve(clamp(positions.toPos(anchor.index))),
        doc.resolve(clamp(positions.toPos(head.index))),
      )
    } catch {
      return Selection.atStart(doc)
    }
  }
}

/** Applies the unit diff of `oldPart` → `newPart` at `at` to the Y.Text (inside the caller's transaction). */
function writeDiff(text: Y.Text, at: number, oldPart: Unit[], newPart: Unit[]): void {
  const changes = diffArrays(oldPart, newPart, {
    comparator: (a: Unit, b: Unit) => unitKey(a) === unitKey(b),
  })
  let index = at
  let oi = 0
  let ni = 0
  for (const change of changes) {
    const count = change.count ?? change.value.length
    if (change.removed) {
      text.delete(index, count)
      oi += count
    } else if (change.added) {
      insertUnits(text, index, newPart.slice(ni, ni + count))
      index += count
      ni += count
    } else {
      formatUnits(text, index, oldPart.slice(oi, oi + count), newPart.slice(ni, ni + count))
      index += count
      oi += count
      ni += count
    }
  }
}

function insertUnits(text: Y.Text, at: number, units: Unit[]): void {
  let index = at
  let i = 0
  while (i < units.length) {
    const unit = units[i] as Unit
    if (unit.kind === 'char') {
      let chars = unit.ch
      let j = i + 1
      while (j < units.length) {
        const next = units[j] as Unit
        if (next.kind !== 'char' || !sameAttrs(next.attrs, unit.attrs)) break
        chars += next.ch
        j++
      }
      text.insert(index, chars, { ...unit.attrs })
      index += chars.length
      i = j
    } else {
      text.insertEmbed(index, { ...unit.embed }, { ...unit.attrs })
      index += 1
      i++
    }
  }
}

function formatUnits(text: Y.Text, at: number, olds: Unit[], news: Unit[]): void {
  let runStart = -1
  let runChange: Record<string, unknown> | null = null
  const flushRun = (end: number) => {
    if (runChange !== null && Object.keys(runChange).length > 0)
      text.format(at + runStart, end - runStart, runChange)
    runChange = null
    runStart = -1
  }
  for (let i = 0; i < olds.length; i++) {
    const before = olds[i] as Unit
    const after = news[i] as Unit
    const change = sameAttrs(before.attrs, after.attrs) ? null : attrsChange(before.attrs, after.attrs)
    if (change === null || Object.keys(change).length === 0) {
      flushRun(i)
      continue
    }
    if (runChange !== null && !sameWrite(runChange, change)) flushRun(i)
    if (runChange === null) {
      runChange = change
      runStart = i
    }
  }
  flushRun(olds.length)
}
