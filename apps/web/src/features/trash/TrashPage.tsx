import { useCallback, useEffect, useState } from 'react'
import { ApiError } from '../auth/authApi.ts'
import { useSession } from '../auth/SessionContext.tsx'
import { TRASH_KINDS, type TrashKind, type TrashRow, trashApi, trashLabel } from './trashApi.ts'
import './trash.css'

type Lists = Partial<Record<TrashKind, TrashRow[]>>

/** `#/trash`: archived records by kind, with Restore, and Delete for good for admins. */
export function TrashPage() {
  const { session } = useSession()
  const isAdmin = session.role === 'admin'
  const canRestore = session.role !== 'viewer'
  const [lists, setLists] = useState<Lists>({})
  const [error, setError] = useState<string | null>(null)

  const load = useCallback(() => {
    for (const { kind } of TRASH_KINDS) {
      trashApi.list(kind).then(
        (page) => setLists((prev) => ({ ...prev, [kind]: page.items })),
        () => setLists((prev) => ({ ...prev, [kind]: [] })),
      )
    }
  }, [])
  useEffect(load, [load])

  const act = (action: Promise<unknown>) =>
    action.then(load, (e: unknown) =>
      setError(e instanceof ApiError || e instanceof Error ? e.message : 'That did not work. Try again.'),
    )
  const restore = (kind: TrashKind, id: string) => act(trashApi.restore(kind, id))
  const remove = (kind: TrashKind, row: TrashRow) => {
    if (window.confirm(`Delete “${trashLabel(row)}” for good? This cannot be undone.`))
      act(trashApi.remove(kind, row.id))
  }

  return (
    <div className="list-page trash" data-testid="trash">
      <div className="toolbar">
        <h1 className="page__title">Trash</h1>
        <span className="muted">Archived records. Restore puts them back where they were.</span>
      </div>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
      {TRASH_KINDS.map(({ kind, label }) => {
        const rows = lists[kind]
        return (
          <section key={kind} className="panel trash__group" data-testid={`trash-${kind}`}>
            <h2 className="panel__title">
              {label} {rows ? `(${rows.length})` : ''}
            </h2>
            {!rows && <p className="muted">Loading…</p>}
            {rows?.length === 0 && <p className="muted">Nothing archived.</p>}
            <ul className="trash__list">
              {rows?.map((row) => (
                <li key={row.id} className="trash__row" data-testid={`trash-row-${row.id}`}>
                  <span className="trash__name">{trashLabel(row)}</span>
                  <time className="muted">{new Date(row.updatedAt).toLocaleString()}</time>
                  {canRestore && (
                    <button
                      type="button"
                      className="btn"
                      onClick={() => restore(kind, row.id)}
                      data-testid="restore"
                    >
                      Restore
                    </button>
                  )}
                  {isAdmin && (
                    <button
                      type="button"
                      className="btn btn--ghost trash__delete"
                      onClick={() => remove(kind, row)}
                      data-testid="delete-for-good"
                    >
                      Delete for good
                    </button>
                  )}
                </li>
              ))}
            </ul>
          </section>
        )
      })}
    </div>
  )
}
