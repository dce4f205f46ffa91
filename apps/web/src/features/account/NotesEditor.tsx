import type { HocuspocusProvider } from '@hocuspocus/provider'
import { NOTES_TEXT_FIELD } from '@rapport/model'
import type * as Y from 'yjs'
import { CollaborativeEditor } from './CollaborativeEditor.tsx'

export interface NotesEditorProps {
  doc: Y.Doc
  provider: HocuspocusProvider
  user: { name: string; color: string }
  readOnly: boolean
  field?: string
  /** Focus in and out of the notes (presence). */
  onEditing?: (editing: boolean) => void
}

/** The account room's shared notes. Mount only after the room synced. */
export function NotesEditor({ field = NOTES_TEXT_FIELD, ...props }: NotesEditorProps) {
  return <CollaborativeEditor {...props} field={field} label="Account notes" testId="notes-editor" />
}
