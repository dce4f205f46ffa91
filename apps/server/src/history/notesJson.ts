import * as Y from 'yjs'

export interface PmNode {
  type: string
  attrs?: Record<string, unknown>
  content?: PmNode[]
  text?: string
  marks?: Array<{ type: string; attrs?: Record<string, unknown> }>
}

/** y-prosemirror names a mark that may overlap itself `name--hash`. */
const markName = (key: string): string => key.split('--')[0] ?? key

const markList = (attributes: Record<string, unknown> | undefined) =>
  attributes
    ? Object.entries(attributes).map(([key, value]) =>
        value && typeof value === 'object' && Object.keys(value).length > 0
          ? { type: markName(key), attrs: value as Record<string, unknown> }
          : { type: markName(key) },
      )
    : []

function children(node: Y.XmlFragment | Y.XmlElement): PmNode[] {
  const out: PmNode[] = []
  for (const child of node.toArray()) {
    if (child instanceof Y.XmlText) {
      for (const op of child.toDelta() as Array<{ insert?: unknown; attributes?: Record<string, unknown> }>) {
        if (typeof op.insert !== 'string' || op.insert === '') continue
        const marks = markList(op.attributes)
        out.push(
          marks.length > 0 ? { type: 'text', text: op.insert, marks } : { type: 'text', text: op.insert },
        )
      }
    } else if (child instanceof Y.XmlElement) {
      const attrs = child.getAttributes() as Record<string, unknown>
      const content = children(child)
      out.push({
        type: child.nodeName,
        ...(Object.keys(attrs).length > 0 ? { attrs } : {}),
        ...(content.length > 0 ? { content } : {}),
      })
    }
  }
  return out
}

/**
 * The ProseMirror JSON (`{ type: 'doc', content }`) of a Tiptap fragment, read straight from the Yjs structure the
 * way y-tiptap writes it: an element per node (attributes = attrs), text with its marks as delta attributes.
 */
export function notesJson(fragment: Y.XmlFragment): PmNode {
  return { type: 'doc', content: children(fragment) }
}
