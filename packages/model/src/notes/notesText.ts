import * as Y from 'yjs'
import { z } from 'zod'
import { ModelError } from '../errors.ts'
import { formatIssues } from '../records/recordBase.ts'
import {
  CONTAINERS,
  differsFromDefaults,
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
 * Notes text format, version 2 (docs/schema.md "Notes text format", docs/ARCHITECTURE.md #10 design 2): a notes
 * field is ONE Y.Text. Every block starts with a marker embed `{ block: 1 }` whose format attributes describe it
 * (`b` type, `ba` attrs JSON when not default, `p` container path); text runs carry their marks as attributes;
 * mentions and hard breaks are embeds `{ inline, attrs }`. A split inserts a marker, a join deletes one, a type
 * change formats one: no text is ever copied. Reading is total: any content reads as a valid document.
 */

/** One op of a Yjs delta as `Y.Text#toDelta` returns it and `applyDelta` takes it (inserts only here). */
export interface DeltaOp {
  insert: string | Record<string, unknown>
  attributes?: Record<string, unknown>
}

/** The embed content of every block marker. */
export const BLOCK_EMBED: Readonly<{ block: 1 }> = Object.freeze({ block: 1 })

/** A marker's format attributes: node type, its attrs as JSON when not default, its container path. */
export interface MarkerAttrs {
  b: string
  ba?: string
  p?: string
}

/** A notes Y.Text or its delta. */
export type NotesSource = Y.Text | readonly DeltaOp[]

export interface WriteOptions {
  /** Container keys; injected by tests for deterministic output. Default `newKey`. */
  newKey?: () => string
}

declare const crypto: { getRandomValues<T extends Uint8Array>(array: T): T }
const KEY_ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz'
const KEY_PATTERN = /^[A-Za-z0-9_-]+$/

/** A short random container key (6 base-36 characters). */
export function newKey(): string {
  const bytes = new Uint8Array(6)
  crypto.getRandomValues(bytes)
  let out = ''
  for (const b of bytes) out += KEY_ALPHABET[b % KEY_ALPHABET.length]
  return out
}

const attrsInput = z.record(z.string(), z.unknown())
const NotesNodeInput: z.ZodType<NotesNode> = z.lazy(() =>
  z.object({
    type: z.string().min(1),
    attrs: attrsInput.optional(),
    content: z.array(NotesNodeInput).optional(),
    marks: z.array(z.object({ type: z.string().min(1), attrs: attrsInput.optional() })).optional(),
    text: z.string().optional(),
  }),
)

// ---------------------------------------------------------------------------------------------------- writing

function markAttributes(marks: readonly NotesMark[] | undefined): Record<string, unknown> | undefined {
  if (!marks || marks.length === 0) return undefined
  const out: Record<string, unknown> = {}
  for (const mark of marks) {
    const hasAttrs = Object.keys(MARKS[mark.type] ?? mark.attrs ?? {}).length > 0
    out[mark.type] = hasAttrs ? stableJson(mark.attrs ?? {}) : true
  }
  return out
}

function writeInline(node: NotesNode, ops: DeltaOp[]): void {
  if (node.type === 'text') {
    if (!node.text) return
    const attributes = markAttributes(node.marks)
    ops.push(attributes ? { insert: node.text, attributes } : { insert: node.text })
    return
  }
  ops.push({ insert: { inline: node.type, attrs: stableJson(node.attrs ?? {}) } })
}

/**
 * The Y.Text delta of a ProseMirror document (`doc.toJSON()`): one marker per text or leaf block, then its inline
 * content. Containers (lists, list items, blockquotes) get a fresh key each and appear in their blocks' `p`.
 * Throws `invalid_input` when `doc` is not node JSON at all.
 */
export function docToDelta(doc: NotesNode, options: WriteOptions = {}): DeltaOp[] {
  const parsed = NotesNodeInput.safeParse(doc)
  if (!parsed.success) {
    throw new ModelError(
      'invalid_input',
      'notes document is not ProseMirror JSON',
      formatIssues(parsed.error),
    )
  }
  const makeKey = options.newKey ?? newKey
  const ops: DeltaOp[] = []
  const writeBlocks = (nodes: readonly NotesNode[], frames: readonly string[]): void => {
    for (const node of nodes) {
      if (isContainer(node.type)) {
        const key = makeKey()
        if (!KEY_PATTERN.test(key))
          throw new ModelError('invalid_input', `container key "${key}" is not [A-Za-z0-9_-]+`)
        const attrs = differsFromDefaults(node.attrs, CONTAINERS[node.type] ?? {})
          ? `#${stableJson(node.attrs)}`
          : ''
        writeBlocks(node.content ?? [], [...frames, `${node.type}#${key}${attrs}`])
        continue
      }
      const attributes: Record<string, unknown> = { b: node.type }
      if (differsFromDefaults(node.attrs, nodeDefaults(node.type))) attributes.ba = stableJson(node.attrs)
      if (frames.length > 0) attributes.p = frames.join('/')
      ops.push({ insert: { ...BLOCK_EMBED }, attributes })
      for (const child of node.content ?? []) writeInline(child, ops)
    }
  }
  writeBlocks(parsed.data.content ?? [], [])
  return ops
}

/** Writes `doc` into an EMPTY notes text (the first write of a field, or a migration). */
export function writeDocToText(ytext: Y.Text, doc: NotesNode, options: WriteOptions = {}): void {
  if (ytext.length > 0)
    throw new ModelError('conflict', 'the notes text is not empty: a document is written only once')
  ytext.applyDelta(docToDelta(doc, options))
}

// ---------------------------------------------------------------------------------------------------- reading

interface Frame {
  type: string
  key: string
  attrs: Record<string, unknown>
}

interface Block {
  type: string
  attrs: Record<string, unknown>
  frames: Frame[]
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
export function parsePath(path: unknown): Frame[] {
  if (typeof path !== 'string') return []
  const frames: Frame[] = []
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

function mentionText(attrs: Record<string, unknown>): string {
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
  frame: Frame
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

function deltaOf(source: NotesSource): readonly DeltaOp[] {
  return source instanceof Y.Text ? (source.toDelta() as DeltaOp[]) : source
}

/** The ProseMirror document of a notes Y.Text. */
export function notesTextToDoc(ytext: Y.Text): NotesNode {
  return deltaToDoc(deltaOf(ytext))
}

function walk(nodes: readonly NotesNode[], visit: (node: NotesNode) => boolean): void {
  for (const node of nodes) if (visit(node)) walk(node.content ?? [], visit)
}

/** Plain text: one line per text block (mentions as `@label`, hard breaks as line breaks); rules give none. */
export function notesPlainText(source: NotesSource): string {
  const lines: string[] = []
  walk(deltaToDoc(deltaOf(source)).content ?? [], (node) => {
    if (!isTextBlock(node.type)) return true
    let line = ''
    for (const child of node.content ?? []) {
      if (child.type === 'text') line += child.text ?? ''
      else if (child.type === 'hardBreak') line += '\n'
      else if (child.type === 'mention') line += mentionText(child.attrs ?? {})
    }
    lines.push(line)
    return false
  })
  return lines.join('\n')
}

export interface NotesMention {
  id: string | null
  label: string | null
}

/** The mentions of a notes text in document order (the mention notifier's input). */
export function mentionsIn(source: NotesSource): NotesMention[] {
  const out: NotesMention[] = []
  const str = (v: unknown) => (typeof v === 'string' ? v : null)
  walk(deltaToDoc(deltaOf(source)).content ?? [], (node) => {
    if (node.type === 'mention') out.push({ id: str(node.attrs?.id), label: str(node.attrs?.label) })
    return true
  })
  return out
}
