import type { BoardLayout } from '@rapport/model'
import { PresenceAvatars } from '../presence/PresenceAvatars.tsx'
import type { Kanban } from './useKanban.ts'

/** Undo/redo of our own moves, the read-only badge and who is on the board: the board's toolbar end. */
export function BoardToolbarActions<T, L extends BoardLayout>({ kanban }: { kanban: Kanban<T, L> }) {
  const { undo, readOnly, peers } = kanban
  return (
    <>
      {!readOnly && (
        <span className="toolbar__undo">
          {(['undo', 'redo'] as const).map((action) => (
            <button
              key={action}
              type="button"
              className="btn btn--ghost"
              disabled={action === 'undo' ? !undo.canUndo : !undo.canRedo}
              onClick={undo[action]}
              data-testid={action}
            >
              {action === 'undo' ? 'Undo' : 'Redo'}
            </button>
          ))}
        </span>
      )}
      {readOnly && (
        <span className="badge" data-testid="read-only">
          Read only
        </span>
      )}
      <span className="toolbar__spacer" />
      <PresenceAvatars peers={peers} label="On this board" />
    </>
  )
}
