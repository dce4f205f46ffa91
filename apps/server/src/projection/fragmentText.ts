import * as Y from 'yjs'

/**
 * Plain text of a Tiptap `XmlFragment` (notes, handoff briefs): the text of every block, one block per line.
 * Formatting marks are dropped; only string inserts of text nodes count.
 */
export function fragmentText(fragment: Y.XmlFragment | Y.XmlElement): string {
  const lines: string[] = []
  const walk = (node: Y.XmlFragment | Y.XmlElement): string => {
    let inline = ''
    for (const child of node.toArray()) {
      if (child instanceof Y.XmlText) {
        for (const op of child.toDelta() as Array<{ insert?: unknown }>) {
          if (typeof op.insert === 'string') inline += op.insert
        }
      } else if (child instanceof Y.XmlElement) {
        const text = walk(child)
        if (text) lines.push(text)
      }
    }
    return inline
  }
  const rest = walk(fragment)
  if (rest) lines.push(rest)
  return lines.join('\n')
}
