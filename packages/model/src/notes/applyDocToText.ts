import type * as Y from 'yjs'
import { type DeltaOp, type NotesNode, stableJson } from './notesSchema.ts'
import { docToDelta } from './notesText.ts'

/*
 * Writing a whole document over a LIVE notes text (format version 2) as the smallest set of Y.Text edits: restoring
 * a past version, appending merged notes. Text that reads the same in both keeps its items (authors, concurrent
 * edits made inside it); a block whose type or attrs changed gets its marker formatted, not rewritten.
 */

/** One unit of a notes text: a code point of a text run or one embed, with its (normalized) format attributes. */
interface Unit {
  /** Content identity: `t<char>` or `e<embed JSON>` (attributes excluded: a re-format is not a rewrite). */
  key: string
  insert: string | Record<string, unknown>
  attrs: Record<string, unknown>
  /** UTF-16 length in the Y.Text (a code point outside the BMP counts 2, an embed 1). */
  length: number
}

const isMarker = (insert: unknown): boolean =>
  typeof insert === 'object' && insert !== null && 'block' in insert

/** Markers always read with all three attributes (`''` = none), as `liveMarkerAttributes` writes them. */
function normalized(insert: DeltaOp['insert'], attributes: Record<string, unknown> | undefined) {
  const attrs: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(attributes ?? {}))
    if (value !== null && value !== undefined) attrs[key] = value
  if (isMarker(insert)) {
    attrs.ba ??= ''
    attrs.p ??= ''
  }
  return attrs
}

function unitsOf(delta: readonly DeltaOp[]): Unit[] {
  const out: Unit[] = []
  for (const op of delta) {
    const attrs = normalized(op.insert, op.attributes)
    if (typeof op.insert === 'string') {
      for (const char of op.insert) out.push({ key: `t${char}`, insert: char, attrs, length: char.length })
    } else out.push({ key: `e${stableJson(op.insert)}`, insert: op.insert, attrs, length: 1 })
  }
  return out
}

/** The format that turns attributes `from` into `to` (`null` removes), or null when they are the same. */
function formatChange(
  from: Record<string, unknown>,
  to: Record<string, unknown>,
): Record<string, unknown> | null {
  const change: Record<string, unknown> = {}
  let any = false
  for (const [key, value] of Object.entries(to)) {
    if (stableJson(from[key]) !== stableJson(value)) {
      change[key] = value
      any = true
    }
  }
  for (const key of Object.keys(from)) {
    if (!(key in to)) {
      change[key] = null
      any = true
    }
  }
  return any ? change : null
}

type Step = { op: 'keep'; from: Unit; to: Unit } | { op: 'delete'; from: Unit } | { op: 'insert'; to: Unit }

/** Above this many LCS cells (current × target units left after the common prefix and suffix), the middle is replaced. */
const MAX_LCS_CELLS = 4_000_000

/** Pairs [i, j] of a longest common subsequence of two key lists (suffix-length table, O(n·m) cells). */
function commonPairs(a: readonly string[], b: readonly string[]): Array<[number, number]> {
  const n = a.length
  const m = b.length
  const table = new Uint32Array((n + 1) * (m + 1))
  const at = (i: number, j: number): number => table[i * (m + 1) + j] ?? 0
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      table[i * (m + 1) + j] = a[i] === b[j] ? at(i + 1, j + 1) + 1 : Math.max(at(i + 1, j), at(i, j + 1))
  const pairs: Array<[number, number]> = []
  let i = 0
  let j = 0
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      pairs.push([i, j])
      i++
      j++
    } else if (at(i + 1, j) >= at(i, j + 1)) i++
    else j++
  }
  return pairs
}

/** Units split into blocks: each block starts at a marker (text before the first marker is a block of its own). */
function blocksOf(units: Unit[]): Unit[][] {
  const blocks: Unit[][] = []
  for (const unit of units) {
    if (blocks.length === 0 || isMarker(unit.insert)) blocks.push([])
    blocks[blocks.length - 1]?.push(unit)
  }
  return blocks
}

/**
 * An edit script from `a` to `b` in two levels, as a line diff does: blocks whose content is the same in both are
 * matched first (a longest common subsequence of block contents), then each stretch of unmatched blocks is diffed
 * unit by unit — so two edits far apart in a long text never make the text between them look changed.
 */
function editScript(a: Unit[], b: Unit[]): Step[] {
  const blocksA = blocksOf(a)
  const blocksB = blocksOf(b)
  const keyOf = (block: Unit[]) => block.map((u) => u.key).join('')
  const pairs =
    (blocksA.length + 1) * (blocksB.length + 1) <= MAX_LCS_CELLS
      ? commonPairs(blocksA.map(keyOf), blocksB.map(keyOf))
      : []
  const steps: Step[] = []
  let i = 0
  let j = 0
  for (const [pi, pj] of [...pairs, [blocksA.length, blocksB.length] as [number, number]]) {
    steps.push(...unitScript(blocksA.slice(i, pi).flat(), blocksB.slice(j, pj).flat()))
    const kept = blocksA[pi]
    const into = blocksB[pj]
    if (kept && into)
      kept.forEach((from, k) => {
        steps.push({ op: 'keep', from, to: into[k] as Unit })
      })
    i = pi + 1
    j = pj + 1
  }
  return steps
}

/** A unit edit script from `a` to `b`: common prefix and suffix, then a longest common subsequence of the middle. */
function unitScript(a: Unit[], b: Unit[]): Step[] {
  let start = 0
  while (start < a.length && start < b.length && a[start]?.key === b[start]?.key) start++
  let endA = a.length
  let endB = b.length
  while (endA > start && endB > start && a[endA - 1]?.key === b[endB - 1]?.key) {
    endA--
    endB--
  }
  const steps: Step[] = []
  for (let i = 0; i < start; i++) steps.push({ op: 'keep', from: a[i] as Unit, to: b[i] as Unit })
  const n = endA - start
  const m = endB - start
  if (n > 0 && m > 0 && (n + 1) * (m + 1) <= MAX_LCS_CELLS) {
    // Suffix LCS lengths of the middle, row-major (n + 1) × (m + 1).
    const table = new Uint32Array((n + 1) * (m + 1))
    const at = (i: number, j: number): number => table[i * (m + 1) + j] ?? 0
    for (let i = n - 1; i >= 0; i--)
      for (let j = m - 1; j >= 0; j--)
        table[i * (m + 1) + j] =
          a[start + i]?.key === b[start + j]?.key
            ? at(i + 1, j + 1) + 1
            : Math.max(at(i + 1, j), at(i, j + 1))
    let i = 0
    let j = 0
    while (i < n || j < m) {
      const from = a[start + i] as Unit
      const to = b[start + j] as Unit
      if (i < n && j < m && from.key === to.key) {
        steps.push({ op: 'keep', from, to })
        i++
        j++
      } else if (j >= m || (i < n && at(i + 1, j) >= at(i, j + 1))) {
        steps.push({ op: 'delete', from })
        i++
      } else {
        steps.push({ op: 'insert', to })
        j++
      }
    }
  } else {
    for (let i = start; i < endA; i++) steps.push({ op: 'delete', from: a[i] as Unit })
    for (let j = start; j < endB; j++) steps.push({ op: 'insert', to: b[j] as Unit })
  }
  for (let i = endA, j = endB; i < a.length; i++, j++)
    steps.push({ op: 'keep', from: a[i] as Unit, to: b[j] as Unit })
  return steps
}

/** What an edit changed, in units (code points and embeds). */
export interface TextEditStats {
  kept: number
  deleted: number
  inserted: number
  /** Kept units whose format attributes changed (a block type or attrs, a mark). */
  reformatted: number
}

/**
 * Makes the notes text `ytext` read exactly like `target` (a notes text delta, e.g. another version's
 * `toDelta()`), with the fewest edits: unchanged runs keep their items, changed attributes are formatted, only
 * what differs is deleted or inserted. Inserted content carries explicit attributes (nothing is inherited from
 * its left), inserted markers all three (`liveMarkerAttributes`). Call inside a transaction to send one update.
 */
export function applyDeltaToText(ytext: Y.Text, target: readonly DeltaOp[]): TextEditStats {
  const steps = editScript(unitsOf(ytext.toDelta() as DeltaOp[]), unitsOf(target))
  const stats: TextEditStats = { kept: 0, deleted: 0, inserted: 0, reformatted: 0 }
  let index = 0
  let k = 0
  while (k < steps.length) {
    const step = steps[k] as Step
    if (step.op === 'delete') {
      let length = 0
      for (; k < steps.length && steps[k]?.op === 'delete'; k++) {
        length += (steps[k] as { from: Unit }).from.length
        stats.deleted++
      }
      ytext.delete(index, length)
    } else if (step.op === 'insert') {
      const unit = step.to
      if (typeof unit.insert !== 'string') {
        ytext.insertEmbed(index, unit.insert, { ...unit.attrs })
        index += 1
        stats.inserted++
        k++
        continue
      }
      // A run of characters with the same attributes is one insert.
      const attrsJson = stableJson(unit.attrs)
      let run = ''
      for (; k < steps.length; k++) {
        const next = steps[k] as Step
        if (
          next.op !== 'insert' ||
          typeof next.to.insert !== 'string' ||
          stableJson(next.to.attrs) !== attrsJson
        )
          break
        run += next.to.insert
        stats.inserted++
      }
      ytext.insert(index, run, { ...unit.attrs })
      index += run.length
    } else {
      const change = formatChange(step.from.attrs, step.to.attrs)
      stats.kept++
      if (!change) {
        index += step.from.length
        k++
        continue
      }
      // Consecutive kept units needing the same change are formatted at once.
      const changeJson = stableJson(change)
      let length = step.from.length
      stats.reformatted++
      for (k++; k < steps.length; k++) {
        const next = steps[k] as Step
        if (next.op !== 'keep') break
        const nextChange = formatChange(next.from.attrs, next.to.attrs)
        if (!nextChange || stableJson(nextChange) !== changeJson) break
        length += next.from.length
        stats.kept++
        stats.reformatted++
      }
      ytext.format(index, length, change)
      index += length
    }
  }
  return stats
}

/**
 * Makes the notes text read like the ProseMirror document `doc` with the fewest edits (`applyDeltaToText`). Its
 * containers get fresh keys: prefer `applyDeltaToText` with a notes text's own delta when there is one.
 */
export function applyDocToText(ytext: Y.Text, doc: NotesNode): TextEditStats {
  return applyDeltaToText(ytext, docToDelta(doc, { explicit: true }))
}

/** Appends the blocks of `doc` to the end of a live notes text as new blocks (explicit marker attributes). */
export function appendDocToText(ytext: Y.Text, doc: NotesNode): void {
  const delta = docToDelta(doc, { explicit: true })
  if (delta.length === 0) return
  ytext.applyDelta(ytext.length > 0 ? [{ retain: ytext.length }, ...delta] : delta)
}
