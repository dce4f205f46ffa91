import type { HocuspocusProvider } from '@hocuspocus/provider'
import { EditorContent, useEditor } from '@tiptap/react'
import StarterKit from '@tiptap/starter-kit'
import { useEffect, useRef } from 'react'
import type * as Y from 'yjs'
import { useSession } from '../auth/SessionContext.tsx'
import { mentionExtension } from '../handoff/mentionExtension.ts'
import { authorshipExtension } from './authorship.ts'
import { NotesExitAtEnd } from './notesText/exitAtEnd.ts'
import { NotesTextCollaboration } from './notesText/NotesTextCollaboration.ts'
import { notesCodec } from './notesText/notesCodec.ts'

export interface CollaborativeEditorProps {
  doc: Y.Doc
  provider: HocuspocusProvider
  /**
   * The notes `Y.Text` of `doc` the editor is bound to (notes text format v2: `notesText`, `briefText:<handoffId>`;
   * docs/schema.md §3.5.1). The server migrates the old `Y.XmlFragment` into it; this editor never reads or writes
   * the fragment.
   */
  field: string
  user: { name: string; color: string }
  readOnly: boolean
  /** Accessible name of the editable area. */
  label: string
  testId: string
  /** Called with true when the editor takes the focus and false when it loses it (presence). */
  onEditing?: (editing: boolean) => void
}

/**
 * A Tiptap editor bound to one notes `Y.Text` of a shared document (`NotesTextCollaboration`, design 2 of #10), with
 * everyone's carets, @mentions and undo of the user's own changes. Mount only after the document synced (or from an
 * offline copy whose text holds notes, see `mayMountEditor`); it never inserts default content (an empty text stays
 * empty until the user types).
 */
export function CollaborativeEditor({
  doc,
  provider,
  field,
  user,
  readOnly,
  label,
  testId,
  onEditing,
}: CollaborativeEditorProps) {
  const { session } = useSession()
  const members = useRef(session.members)
  members.current = session.members
  const editing = useRef(onEditing)
  editing.current = onEditing
  // NotesTextCollaboration writes this object as the awareness `user`: it must keep the id that presence reads.
  const caretUser = { id: session.user.id, name: user.name, color: user.color }
  const editor = useEditor(
    {
      editable: !readOnly,
      immediatelyRender: true,
      extensions: [
        // Undo/redo come from the binding (only this user's changes). No trailing node: each replica would write
        // its own trailing paragraph into the shared text.
        StarterKit.configure({ undoRedo: false, trailingNode: false }),
        NotesTextCollaboration.configure({
          text: doc.getText(field),
          codec: notesCodec,
          awareness: provider.awareness,
          user: caretUser,
          // The room's notes and its handoff briefs share one awareness: only the focused editor shows a caret.
          onlyWhenFocused: true,
        }),
        // What the trailing node offered: a way out of a last heading, list or quote (ArrowDown at the end).
        NotesExitAtEnd,
        mentionExtension(() => members.current),
        authorshipExtension(doc, field, () => members.current),
      ],
      editorProps: { attributes: { class: 'notes__content', 'aria-label': label } },
      onFocus: () => editing.current?.(true),
      onBlur: () => editing.current?.(false),
    },
    [doc, provider, field],
  )
  useEffect(() => {
    editor?.setEditable(!readOnly)
  }, [editor, readOnly])
  return (
    <div className="notes" data-testid={testId} data-readonly={readOnly || undefined}>
      <EditorContent editor={editor} />
    </div>
  )
}
