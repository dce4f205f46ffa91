import { parsePath } from '@rapport/model'
import type { Node as PmNode } from '@tiptap/pm/model'
import type { Mapping } from '@tiptap/pm/transform'
import type { DeltaInsert } from './notesUnits.ts'

/**
 * Container keys (the `#key` of a marker's `p` path) must survive local edits: the model's `docToDelta` gives every
 * container a fresh key, so without this every keystroke in a list would re-format all its markers. The keys of a
 * document the Y.Text agrees with are read from its markers; after local transactions, a container whose start
 * position maps to a container of the same type in the new document keeps its key.
 */
export interface ContainerKey {
  type: string
  key: string
}

function isContainer(node: PmNode): boolean {
  return node.isBlock && !node.isTextblock && !node.isLeaf
}

function isBlock(node: PmNode): boolean {
  return node.isTextblock || (node.isBlock && node.isLeaf)
}

/** Position → key of the containers of `doc`, read from the markers of the Y.Text that `doc` shows. */
export function keysFromText(doc: PmNode, delta: readonly DeltaInsert[]): Map<number, ContainerKey> {
  const markers = delta.filter((op) => typeof op.insert === 'object' && 'block' in op.insert)
  const out = new Map<number, ContainerKey>()
  let blocks = 0
  let waiting: { pos: number; depth: number; type: string }[] = []
  doc.descendants((node, pos, _parent) => {
    if (isContainer(node)) {
      waiting.push({ pos, depth: doc.resolve(pos).depth, type: node.type.name })
      return true
    }
    if (isBlock(node)) {
      const frames = parsePath(markers[blocks]?.attributes?.p)
      for (const c of waiting) {
        // the container's depth among containers = its ProseMirror depth (containers nest only in containers)
        const frame = frames[c.depth]
        if (frame !== undefined && frame.type === c.type && frame.key !== '')
          out.set(c.pos, { type: c.type, key: frame.key })
      }
      waiting = []
      blocks++
      return false
    }
    return true
  })
  return out
}

/**
 * The keys of `next`'s containers in document order (the order `docToDelta` asks for them): a container keeps the
 * key of the base container whose start maps onto its start, others get `fresh()`.
 */
export function keysAfter(
  base: ReadonlyMap<number, ContainerKey>,
  mapping: Mapping,
  next: PmNode,
  fresh: () => string,
): { ordered: string[]; positions: number[]; byPos: Map<number, ContainerKey> } {
  const mapped = new Map<number, ContainerKey>()
  for (const [pos, key] of base) {
    const result = mapping.mapResult(pos, 1)
    if (!result.deleted) mapped.set(result.pos, key)
  }
  const ordered: string[] = []
  const positions: number[] = []
  const byPos = new Map<number, ContainerKey>()
  const used = new Set<string>()
  next.descendants((node, pos) => {
    if (!isContainer(node)) return !isBlock(node)
    const kept = mapped.get(pos)
    const key = kept !== undefined && kept.type === node.type.name && !used.has(kept.key) ? kept.key : fresh()
    used.add(key)
    ordered.push(key)
    positions.push(pos)
    byPos.set(pos, { type: node.type.name, key })
    return true
  })
  return { ordered, positions, byPos }
}
