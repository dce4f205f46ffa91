import * as Y from 'yjs'
import { z } from 'zod'
import { ModelError } from '../errors.ts'
import { formatIssues } from '../records/recordBase.ts'
import { deltaToDoc, mentionText } from './notesRead.ts'
import {
  BLOCK_EMBED,
  CONTAINERS,
  type DeltaOp,
  differsFromDefaults,
  isContainer,
  isTextBlock,
  MARKS,
  type NotesMark,
  type NotesNode,
  type NotesSource,
  nodeDefaults,
  parseAttrsJson,
  stableJson,
} from './notesSchema.ts'

export { deltaToDoc, type PathFrame, parsePath } from './notesRead.ts'
export { BLOCK_EMBED, type DeltaOp, type MarkerAttrs, type NotesSource } from './notesSchema.ts'

/*
 * Notes text format, version 2 (docs/schema.md §3.5.1, docs/ARCHITECTURE.md #10 design 2): a notes
 * field is ONE Y.Text. Every block starts with a marker embed `{ block: 1 }` whose format attributes describe it
 * (`b` type, `ba` attrs JSON when not default, `p` container path); text runs carry their marks as attributes;
 * mentions and hard breaks are embeds `{ inline, attrs }`. A split inserts a marker, a join deletes one, a type
 * change formats one: no text is ever copied. Reading is total: any content reads as a valid document.
 */

export interface WriteOptions {
  /** Container keys; injected by tests for deterministic output. Default `newKey`. */
  newKey?: () => string
  /**
   * Markers carry `ba` and `p` even when there are none (`''`), as markers inserted into a text others edit must
   * (see `liveMarkerAttributes` in blockOps.ts). Default false: the first write of a text leaves them out.
   */
  explicit?: boolean
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

/** The embed of an inline atom (`mention`, `hardBreak`): insert it with no attributes (atoms carry no marks). */
export function inlineEmbed(
  type: string,
  attrs: Record<string, unknown> = {},
): { inline: string; attrs: string } {
  return { inline: type, attrs: stableJson(attrs) }
}

function writeInline(node: NotesNode, ops: DeltaOp[]): void {
  if (node.type === 'text') {
    if (!node.text) return
    const attributes = markAttributes(node.marks)
    ops.push(attributes ? { insert: node.text, attributes } : { insert: node.text })
    return
  }
  ops.push({ insert: inlineEmbed(node.type, node.attrs) })
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
      else if (options.explicit) attributes.ba = ''
      if (frames.length > 0) attributes.p = frames.join('/')
      else if (options.explicit) attributes.p = ''
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

/** A mention embed of a notes text with its Yjs item id as `key` (the notifier reports each mention item once). */
export interface NotesMentionRef {
  key: string
  userId: string
}

/** Every mention embed of a notes text that names a user, in order, keyed by its item (the notifier's input). */
export function mentionRefs(ytext: Y.Text): NotesMentionRef[] {
  const out: NotesMentionRef[] = []
  for (let item = ytext._start; item !== null; item = item.right) {
    if (item.deleted || !(item.content instanceof Y.ContentEmbed)) continue
    const embed: unknown = item.content.embed
    if (typeof embed !== 'object' || embed === null || (embed as { inline?: unknown }).inline !== 'mention')
      continue
    const id = parseAttrsJson((embed as { attrs?: unknown }).attrs).id
    if (typeof id === 'string' && id !== '')
      out.push({ key: `${item.id.client}:${item.id.clock}`, userId: id })
  }
  return out
}
