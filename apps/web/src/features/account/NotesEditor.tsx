import type { HocuspocusProvider } from '@hocuspocus/provider'
import { NOTES_FIELD } from '@rapport/model'
import Collaboration from '@tiptap/extension-collaboration'
import CollaborationCaret from '@tiptap/extension-collaboration-caret'
import { EditorContent, useEditor } from '@tiptap/react'
import StarterKit from '@tiptap/starter-kit'
import { useEffect, useRef } from 'react'
import type * as Y from 'yjs'
import { useSession } from '../auth/SessionContext.tsx'
import { mentionExtension } from '../handoff/mentionExtension.ts'

export interface NotesEditorProps {
  doc: Y.Doc
  provider: HocuspocusProvider
  user: { name: string; color: string }
  readOnly: boolean
  field?: string
}

/**
 * Shared Tiptap notes bound to a fragment of the account room. Mount only after the document synced; never
 * inserts default content (an empty fragment stays empty).
 */
export function NotesEditor({ doc, provider, user, readOnly, field = NOTES_FIELD }: NotesEditorProps) {
  const { session } = useSession()
  const members = useRef(session.members)
  members.current = session.members
  const editor = useEditor(
    {
      editable: !readOnly,
      immediatelyRender: true,
      extensions: [
        StarterKit.configure({ undoRedo: false }),
        Collaboration.configure({ document: doc, field }),
        CollaborationCaret.configure({ provider, user }),
        mentionExtension(() => members.current),
      ],
      editorProps: { attributes: { class: 'notes__content', 'aria-label': 'Account notes' } },
    },
    [doc, provider, field],
  )
  useEffect(() => {
    editor?.setEditable(!readOnly)
  }, [editor, readOnly])
  return (
    <div className="notes" data-testid="notes-editor" data-readonly={readOnly || undefined}>
      <EditorContent editor={editor} />
    </div>
  )
}
