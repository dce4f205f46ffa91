import {
  CONTAINERS,
  type DeltaOp,
  EXCLUSIVE_MARK,
  INLINE_ATOMS,
  isContainer,
  isInlineAtom,
  isLeafBlock,
  isTextBlock,
  LIST_TYPES,
  MARK_ORDER,
  MARKS,
  type NotesMark,
  type NotesNode,
  nodeDefaults,
  nodeJson,
  parseAttrsJson,
  stableJson,
  withDefaults,
} from './notesSchema.ts'

/*
 * Reading a notes text (format version 2) as a ProseMirror document. Total and deterministic: ANY delta reads as a
 * valid document of the editor's schema, coerced without writing back (docs/schema.md §3.5.1).
 */

/** One container of a block's path `p`: type, key, attrs (defaults filled in). */
export interface PathFrame {
  type: string
  key: string
  attrs: Record<string, unknown>
}

interface Block {
  type: string
  attrs: Record<string, unknown>
  frames: PathFrame[]
  inline: NotesNode[]
}

/** Index just past the JSON object starting at `start` (string-aware brace matching), or the string's end. */
function jsonEnd(s: string, start: number): number {
  let depth = 0
  let inString = false
  for (let i = start; i < s.length; i++) {
    const c = s[i]
    if (inString) {
      if (c === '\\') i++
      else if (c === '"') inString = false
    } else if (c === '"') inString = true
    else if (c === '{') depth++
    else if (c === '}' && --depth === 0) return i + 1
  }
  return s.length
}

/** The frames of a `p` path (`type#key[#attrsJSON]/…`); unknown container types are left out. */
export function parsePath(path: unknown): PathFrame[] {
  if (typeof path !== 'string') return []
  const frames: PathFrame[] = []
  let i = 0
  while (i < path.length) {
    let j = i
    while (j < path.length && path[j] !== '#' && path[j] !== '/') j++
    const type = path.slice(i, j)
    let key = ''
    let attrs: Record<string, unknown> = {}
    if (path[j] === '#') {
      const keyStart = ++j
      while (j < path.length && path[j] !== '#' && path[j] !== '/') j++
      key = path.slice(keyStart, j)
      if (path[j] === '#') {
        const end = path[j + 1] === '{' ? jsonEnd(path, j + 1) : j + 1
        attrs = parseAttrsJson(path.slice(j + 1, end))
        j = end
      }
    }
    while (j < path.length && path[j] !== '/') j++
    if (isContainer(type)) frames.push({ type, key, attrs: withDefaults(CONTAINERS[type] ?? {}, attrs) })
    i = j + 1
  }
  return frames
}

function readMarks(attributes: Record<string, unknown> | undefined): NotesMark[] {
  if (!attributes) return []
  const present = MARK_ORDER.filter((t) => {
    const v = attributes[t]
    return v !== undefined && v !== null && v !== false
  })
  if (present.includes(EXCLUSIVE_MARK)) return [{ type: EXCLUSIVE_MARK }]
  return present.map((type) => {
    const defaults = MARKS[type] ?? {}
    if (Object.keys(defaults).length === 0) return { type }
    const raw = attributes[type]
    const given =
      typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : parseAttrsJson(raw)
    return { type, attrs: withDefaults(defaults, given) }
  })
}

function addText(block: Block, text: string, marks: NotesMark[]): void {
  if (text === '') return
  const kept = block.type === 'codeBlock' ? [] : marks
  const last = block.inline[block.inline.length - 1]
  if (last?.type === 'text' && stableJson(last.marks ?? []) === stableJson(kept)) {
    last.text = `${last.text ?? ''}${text}`
    return
  }
  block.inline.push(kept.length > 0 ? { type: 'text', marks: kept, text } : { type: 'text', text })
}

function addAtom(block: Block, type: string, attrs: Record<string, unknown>): void {
  if (block.type !== 'codeBlock') {
    block.inline.push(nodeJson(type, attrs))
    return
  }
  // A code block holds plain text only.
  if (type === 'hardBreak') addText(block, '\n', [])
  else addText(block, mentionText(attrs), [])
}

export function mentionText(attrs: Record<string, unknown>): string {
  const label = attrs.label ?? attrs.id
  return typeof label === 'string' && label !== '' ? `@${label}` : ''
}

function readMarker(attributes: Record<string, unknown> | undefined): Block {
  const b = attributes?.b
  const known = typeof b === 'string' && (isTextBlock(b) || isLeafBlock(b))
  const type = known ? b : 'paragraph'
  const attrs = withDefaults(nodeDefaults(type), known ? parseAttrsJson(attributes?.ba) : {})
  return { type, attrs, frames: parsePath(attributes?.p), inline: [] }
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

function readBlocks(delta: readonly DeltaOp[]): Block[] {
  const blocks: Block[] = []
  let current: Block | undefined
  const open = (): Block => {
    if (current && !isLeafBlock(current.type)) return current
    // Text before the first marker, or after a leaf block: an implicit paragraph (beside the leaf).
    current = { type: 'paragraph', attrs: {}, frames: current?.frames ?? [], inline: [] }
    blocks.push(current)
    return current
  }
  for (const op of delta) {
    const insert: unknown = op.insert
    if (typeof insert === 'string') {
      if (insert !== '') addText(open(), insert, readMarks(op.attributes))
    } else if (isObject(insert)) {
      if ('block' in insert) {
        current = readMarker(op.attributes)
        blocks.push(current)
      } else if (typeof insert.inline === 'string' && isInlineAtom(insert.inline)) {
        const type = insert.inline
        addAtom(open(), type, withDefaults(INLINE_ATOMS[type] ?? {}, parseAttrsJson(insert.attrs)))
      }
    }
  }
  return blocks
}

interface OpenContainer {
  frame: PathFrame
  node: NotesNode & { content: NotesNode[] }
}

/** Nests blocks by their paths: consecutive blocks share a container while their frames' type and key match. */
function nest(blocks: readonly Block[]): NotesNode[] {
  const root: NotesNode[] = []
  const stack: OpenContainer[] = []
  for (const block of blocks) {
    let common = 0
    while (
      common < stack.length &&
      common < block.frames.length &&
      stack[common]?.frame.type === block.frames[common]?.type &&
      stack[common]?.frame.key === block.frames[common]?.key
    ) {
      common++
    }
    stack.length = common
    for (const frame of block.frames.slice(common)) {
      const node = { type: frame.type, attrs: frame.attrs, content: [] as NotesNode[] }
      ;(stack[stack.length - 1]?.node.content ?? root).push(node)
      stack.push({ frame, node })
    }
    const node = isLeafBlock(block.type)
      ? nodeJson(block.type, block.attrs)
      : nodeJson(block.type, block.attrs, block.inline)
    ;(stack[stack.length - 1]?.node.content ?? root).push(node)
  }
  return root
}

const emptyParagraph = (): NotesNode => ({ type: 'paragraph' })

/** Content of a `block+` node: stray list items are wrapped in a bullet list, containers made valid. */
function normalizeBlocks(nodes: readonly NotesNode[]): NotesNode[] {
  const out: NotesNode[] = []
  let items: NotesNode[] = []
  const flush = () => {
    if (items.length > 0) out.push(nodeJson('bulletList', {}, items))
    items = []
  }
  for (const node of nodes) {
    if (node.type === 'listItem') {
      items.push(normalizeItem(node.content ?? []))
      continue
    }
    flush()
    if (LIST_TYPES.has(node.type)) out.push(normalizeList(node))
    else if (node.type === 'blockquote') {
      const content = normalizeBlocks(node.content ?? [])
      out.push(nodeJson('blockquote', {}, content.length > 0 ? content : [emptyParagraph()]))
    } else out.push(node)
  }
  flush()
  return out
}

/** A list's content is `listItem+`: other blocks in it are gathered into list items. */
function normalizeList(list: NotesNode): NotesNode {
  const items: NotesNode[] = []
  let loose: NotesNode[] = []
  const flush = () => {
    if (loose.length > 0) items.push(normalizeItem(loose))
    loose = []
  }
  for (const node of list.content ?? []) {
    if (node.type === 'listItem') {
      flush()
      items.push(normalizeItem(node.content ?? []))
    } else loose.push(node)
  }
  flush()
  return nodeJson(list.type, list.attrs ?? {}, items.length > 0 ? items : [normalizeItem([])])
}

/** A list item's content is `paragraph block*`: an empty paragraph goes first when another block does. */
function normalizeItem(content: readonly NotesNode[]): NotesNode {
  const blocks = normalizeBlocks(content)
  if (blocks[0]?.type !== 'paragraph') blocks.unshift(emptyParagraph())
  return nodeJson('listItem', {}, blocks)
}

/** The ProseMirror document (as `toJSON` writes it) of a notes delta. Total: any delta reads as a valid doc. */
export function deltaToDoc(delta: readonly DeltaOp[]): NotesNode {
  const content = normalizeBlocks(nest(readBlocks(delta)))
  return { type: 'doc', content: content.length > 0 ? content : [emptyParagraph()] }
}
