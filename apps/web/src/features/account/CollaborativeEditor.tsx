import type { HocuspocusProvider } from '@hocuspocus/provider'
import Collaboration from '@tiptap/extension-collaboration'
import CollaborationCaret from '@tiptap/extension-collaboration-caret'
import { EditorContent, useEditor } from '@tiptap/react'
import StarterKit from '@tiptap/starter-kit'
import { useEffect, useRef } from 'react'
import type * as Y from 'yjs'
import { useSession } from '../auth/SessionContext.tsx'
import { mentionExtension } from '../handoff/mentionExtension.ts'
import { authorshipExtension } from './authorship.ts'

export interface CollaborativeEditorProps {
  doc: Y.Doc
  provider: HocuspocusProvider
  /** The `Y.XmlFragment` of `doc` the editor is bound to. */
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
 * A Tiptap editor bound to one fragment of a shared document, with everyone's carets and @mentions. Mount only
 * after the document synced; it never inserts default content (an empty fragment stays empty).
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
  // CollaborationCaret writes this object as the awareness `user`: it must keep the id that presence reads.
  const caretUser = { id: session.user.id, name: user.name, color: user.color }
  const editor = useEditor(
    {
      editable: !readOnly,
      immediatelyRender: true,
      extensions: [
        StarterKit.configure({ undoRedo: false }),
        Collaboration.configure({ document: doc, field }),
        CollaborationCaret.configure({ provider, user: caretUser }),
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
