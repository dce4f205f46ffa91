import type { HocuspocusProvider } from '@hocuspocus/provider'
import { briefField } from '@rapport/model'
import Collaboration from '@tiptap/extension-collaboration'
import CollaborationCaret from '@tiptap/extension-collaboration-caret'
import { EditorContent, useEditor } from '@tiptap/react'
import StarterKit from '@tiptap/starter-kit'
import { useEffect, useRef } from 'react'
import type * as Y from 'yjs'
import { useSession } from '../auth/SessionContext.tsx'
import { mentionExtension } from './mentionExtension.ts'
import '../support/support.css'

export interface BriefEditorProps {
  doc: Y.Doc
  provider: HocuspocusProvider
  handoffId: string
  user: { name: string; color: string }
  readOnly: boolean
}

/**
 * The co-edited brief of a handoff (`brief:<id>` in the account room), with everyone's carets. The server wrote
 * the template when it created the handoff; the client never inserts content. Mount after the room synced.
 */
export function BriefEditor({ doc, provider, handoffId, user, readOnly }: BriefEditorProps) {
  const { session } = useSession()
  const members = useRef(session.members)
  members.current = session.members
  const editor = useEditor(
    {
      editable: !readOnly,
      immediatelyRender: true,
      extensions: [
        StarterKit.configure({ undoRedo: false }),
        Collaboration.configure({ document: doc, field: briefField(handoffId) }),
        CollaborationCaret.configure({ provider, user }),
        mentionExtension(() => members.current),
      ],
      editorProps: { attributes: { class: 'notes__content', 'aria-label': 'Handoff brief' } },
    },
    [doc, provider, handoffId],
  )
  useEffect(() => {
    editor?.setEditable(!readOnly)
  }, [editor, readOnly])
  return (
    <div className="notes" data-testid="handoff-brief" data-readonly={readOnly || undefined}>
      <EditorContent editor={editor} />
    </div>
  )
}
