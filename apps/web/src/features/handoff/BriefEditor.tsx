import type { HocuspocusProvider } from '@hocuspocus/provider'
import { briefTextField } from '@rapport/model'
import type * as Y from 'yjs'
import { CollaborativeEditor } from '../account/CollaborativeEditor.tsx'
import '../support/support.css'

export interface BriefEditorProps {
  doc: Y.Doc
  provider: HocuspocusProvider
  handoffId: string
  user: { name: string; color: string }
  readOnly: boolean
}

/**
 * The co-edited brief of a handoff (`briefText:<id>` in the account room, notes text format v2), with everyone's carets. The server wrote
 * the template when it created the handoff; the client never inserts content. Mount after the room synced.
 */
export function BriefEditor({ handoffId, ...props }: BriefEditorProps) {
  return (
    <CollaborativeEditor
      {...props}
      field={briefTextField(handoffId)}
      label="Handoff brief"
      testId="handoff-brief"
    />
  )
}
