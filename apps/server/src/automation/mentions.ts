import { mentionRefs } from '@rapport/model'
import * as Y from 'yjs'
import { isNotesField, liveNotesText, notesFieldOf } from '../notes/roomNotes.ts'

/** Tiptap's Mention node name (`@tiptap/extension-mention`); its `id` attribute holds the member's user id. */
export const MENTION_NODE = 'mention'

/** A mention node in a fragment: `key` identifies the node itself (its Yjs item id), not the user. */
export interface MentionRef {
  key: string
  userId: string
}

/**
 * Whether a top-level shared type name is a notes field that may hold mentions (notes, handoff briefs), in either
 * layout: a Tiptap fragment (`notes`, `brief:H`) or notes text v2 (`notesText`, `briefText:H`).
 */
export function isMentionField(name: string): boolean {
  return isNotesField(name)
}

function walk(node: Y.XmlFragment | Y.XmlElement, out: MentionRef[]): void {
  for (const child of node.toArray()) {
    if (!(child instanceof Y.XmlElement)) continue
    if (child.nodeName === MENTION_NODE) {
      const userId = child.getAttribute('id')
      const item = child._item
      if (typeof userId === 'string' && userId !== '' && item) {
        out.push({ key: `${item.id.client}:${item.id.clock}`, userId })
      }
      continue
    }
    walk(child, out)
  }
}

/** Every mention node in a Tiptap (y-prosemirror) fragment, in document order. */
export function collectMentions(fragment: Y.XmlFragment): MentionRef[] {
  const out: MentionRef[] = []
  walk(fragment, out)
  return out
}

/**
 * Remembers the mention nodes of one account room and reports the ones a transaction added. A node counts once:
 * editing around it, or the server restarting (the tracker starts from the loaded state), never reports it again.
 */
export class MentionTracker {
  private readonly seen = new Set<string>()

  constructor(private readonly doc: Y.Doc) {
    for (const name of this.fieldNames()) this.diff(name)
  }

  /** The mention fields among the root types a transaction changed (directly or anywhere below them). */
  changedFields(transaction: Y.Transaction): string[] {
    const roots = new Set<unknown>()
    for (const type of transaction.changed.keys()) {
      let root: { _item: Y.Item | null; _start: Y.Item | null } = type
      while (root._item) root = root._item.parent as typeof root
      roots.add(root)
      // A root that arrived untyped and was typed since (a reader asked for `getText(name)`) is a new object in
      // `doc.share`; its items, also the first one, now name the new object as their parent.
      if (root._start) roots.add(root._start.parent)
    }
    const names: string[] = []
    for (const [name, type] of this.doc.share) {
      if (isMentionField(name) && roots.has(type)) names.push(name)
    }
    return names
  }

  /**
   * Mentions in `field` (a root name of either layout) not seen before (and remembers them). A fragment whose v2
   * text holds content is not read (the text wins): what is written there reports nothing, but is remembered.
   */
  diff(field: string): MentionRef[] {
    const fragmentField = notesFieldOf(field)
    if (fragmentField === null) return []
    const isText = field !== fragmentField
    const text = liveNotesText(this.doc, fragmentField)
    const mentions = isText
      ? text
        ? mentionRefs(text)
        : []
      : collectMentions(this.doc.getXmlFragment(field))
    const added: MentionRef[] = []
    for (const mention of mentions) {
      if (this.seen.has(mention.key)) continue
      this.seen.add(mention.key)
      added.push(mention)
    }
    return !isText && text ? [] : added
  }

  private fieldNames(): string[] {
    return [...this.doc.share.keys()].filter(isMentionField)
  }
}
