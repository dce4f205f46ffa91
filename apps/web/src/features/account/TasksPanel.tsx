import type * as Y from 'yjs'
import { TaskList } from '../tasks/TaskList.tsx'

/** Tasks of the account room: every task of the account (see `features/tasks/TaskList.tsx`). */
export function TasksPanel({
  doc,
  readOnly,
  accountId,
}: {
  doc: Y.Doc
  readOnly: boolean
  accountId: string
}) {
  return <TaskList scope={{ accountId }} readOnly={readOnly} doc={doc} />
}
