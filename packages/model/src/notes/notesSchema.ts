import type * as Y from 'yjs'

/*
 * The notes editor's ProseMirror schema as plain data (StarterKit v3 + the mention node, see
 * apps/web/src/features/account/CollaborativeEditor.tsx): which node and mark types exist, their attributes with
 * defaults, and the order ProseMirror keeps marks in. The model imports no ProseMirror, so the notes text format
 * (notesText.ts) reads and writes against this table; a change of the editor's extensions must update it.
 */

/** A ProseMirror node as `Node.toJSON()` writes it. */
export interface NotesNode {
  type: string
  attrs?: Record<string, unknown>
  content?: NotesNode[]
  marks?: NotesMark[]
  text?: string
}

/** A ProseMirror mark as `Mark.toJSON()` writes it. */
export interface NotesMark {
  type: string
  attrs?: Record<string, unknown>
}

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

type Defaults = Readonly<Record<string, unknown>>

/** Text blocks (marker + inline content) and leaf blocks (marker only), with their attribute defaults. */
export const TEXT_BLOCKS: Readonly<Record<string, Defaults>> = {
  paragraph: {},
  heading: { level: 1 },
  codeBlock: { language: null },
}
export const LEAF_BLOCKS: Readonly<Record<string, Defaults>> = { horizontalRule: {} }

/** Containers: they have no marker of their own, they are the frames of their blocks' path. */
export const CONTAINERS: Readonly<Record<string, Defaults>> = {
  blockquote: {},
  bulletList: {},
  orderedList: { start: 1, type: null },
  listItem: {},
}
export const LIST_TYPES: ReadonlySet<string> = new Set(['bulletList', 'orderedList'])

/** Inline atoms, stored as embeds `{ inline, attrs }`. */
export const INLINE_ATOMS: Readonly<Record<string, Defaults>> = {
  mention: { id: null, label: null, mentionSuggestionChar: '@' },
  hardBreak: {},
}

/** Mark types in ProseMirror's rank order (the order `toJSON` lists a node's marks in), with their defaults. */
export const MARK_ORDER = ['link', 'bold', 'code', 'italic', 'strike', 'underline'] as const
export const MARKS: Readonly<Record<string, Defaults>> = {
  link: { href: null, target: '_blank', rel: 'noopener noreferrer nofollow', class: null, title: null },
  bold: {},
  code: {},
  italic: {},
  strike: {},
  underline: {},
}
/** `code` excludes every other mark (Tiptap's `excludes: '_'`). */
export const EXCLUSIVE_MARK = 'code'

const has = (table: Readonly<Record<string, unknown>>, key: string): boolean => Object.hasOwn(table, key)

export const isTextBlock = (type: string): boolean => has(TEXT_BLOCKS, type)
export const isLeafBlock = (type: string): boolean => has(LEAF_BLOCKS, type)
export const isContainer = (type: string): boolean => has(CONTAINERS, type)
export const isInlineAtom = (type: string): boolean => has(INLINE_ATOMS, type)
export const isMark = (type: string): boolean => has(MARKS, type)

/** The attribute defaults of a known node type (`{}` for an unknown one). */
export function nodeDefaults(type: string): Defaults {
  return TEXT_BLOCKS[type] ?? LEAF_BLOCKS[type] ?? CONTAINERS[type] ?? INLINE_ATOMS[type] ?? {}
}

/** JSON with object keys sorted at every level, so equal attributes always give the same string. */
export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : v,
  )
}

/** Whether `attrs` (as given) differ from `defaults`: missing keys count as their default. */
export function differsFromDefaults(attrs: Record<string, unknown> | undefined, defaults: Defaults): boolean {
  if (attrs === undefined) return false
  const keys = new Set([...Object.keys(attrs), ...Object.keys(defaults)])
  for (const key of keys) {
    const value = Object.hasOwn(attrs, key) ? attrs[key] : defaults[key]
    if (stableJson(value) !== stableJson(defaults[key])) return true
  }
  return false
}

/** A JSON object parsed from `raw`, or `{}` for anything else (not a string, bad JSON, not an object). */
export function parseAttrsJson(raw: unknown): Record<string, unknown> {
  if (typeof raw !== 'string') return {}
  try {
    const value: unknown = JSON.parse(raw)
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {}
  } catch {
    return {}
  }
}

/** `defaults` overridden by the known keys of `given` (unknown keys dropped: ProseMirror rejects them). */
export function withDefaults(defaults: Defaults, given: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...defaults }
  for (const key of Object.keys(defaults)) if (Object.hasOwn(given, key)) out[key] = given[key]
  return out
}

/** A node's JSON the way ProseMirror's `toJSON` writes it: `attrs` iff its type has any, `content` iff non-empty. */
export function nodeJson(type: string, attrs: Record<string, unknown>, content: NotesNode[] = []): NotesNode {
  const node: NotesNode = { type }
  if (Object.keys(nodeDefaults(type)).length > 0) node.attrs = attrs
  if (content.length > 0) node.content = content
  return node
}
