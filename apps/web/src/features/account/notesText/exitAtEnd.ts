import { Extension } from '@tiptap/core'
import type { Node as PmNode } from '@tiptap/pm/model'

/** The position at the end of the document's last text block's content, or null when it has none. */
function lastTextblockEnd(doc: PmNode): number | null {
  let end: number | null = null
  doc.descendants((node, pos) => {
    if (node.isTextblock) {
      end = pos + 1 + node.content.size
      return false
    }
    return true
  })
  return end
}

/**
 * ArrowDown at the very end of notes that do not end with a top-level paragraph (a heading, a list, a quote, a code
 * block) adds an empty paragraph after them and moves the caret into it. This replaces StarterKit's trailing node,
 * which is off on the Y.Text binding: it keeps a paragraph at the end in EVERY editor that sees the document, so
 * each replica would write its own. Here only the user who asks for the paragraph writes it.
 */
export const NotesExitAtEnd = Extension.create({
  name: 'notesExitAtEnd',

  addKeyboardShortcuts() {
    return {
      ArrowDown: () => {
        const { state } = this.editor
        const { selection, doc } = state
        if (!selection.empty || !this.editor.isEditable) return false
        const last = doc.lastChild
        if (last === null || last.type.name === 'paragraph') return false
        if (selection.head !== lastTextblockEnd(doc)) return false
        const paragraph = state.schema.nodes.paragraph
        if (paragraph === undefined) return false
        const end = doc.content.size
        return this.editor
          .chain()
          .insertContentAt(end, { type: 'paragraph' })
          .setTextSelection(end + 1)
          .scrollIntoView()
          .run()
      },
    }
  },
})
