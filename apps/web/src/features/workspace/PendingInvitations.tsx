import { useCallback, useEffect, useState } from 'react'
import { ApiError } from '../auth/authApi.ts'
import { formatWhen, ROLE_LABEL } from './labels.ts'
import { type PendingInvitation, workspaceApi } from './workspaceApi.ts'

/** Admins: the invitations nobody has used yet, each with Cancel (its link then stops working). */
export function PendingInvitations({ version }: { version: number }) {
  const [items, setItems] = useState<PendingInvitation[]>([])
  const [error, setError] = useState<string | null>(null)
  const reload = useCallback(() => {
    workspaceApi.invitations().then(setItems, () => setItems([]))
  }, [])
  // biome-ignore lint/correctness/useExhaustiveDependencies: `version` changes when an invitation is created.
  useEffect(reload, [reload, version])
  if (items.length === 0) return null
  return (
    <section className="panel" data-testid="pending-invitations">
      <h2 className="panel__title">Invitations not used yet</h2>
      {error && <p className="notice notice--error">{error}</p>}
      <div className="ws-table-wrap">
        <table className="table ws-table">
          <thead>
            <tr>
              <th>Email</th>
              <th>Role</th>
              <th>Link works until</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {items.map((i) => (
              <tr key={i.id} data-testid={`pending-${i.email}`}>
                <td data-label="Email">{i.email}</td>
                <td data-label="Role">{ROLE_LABEL[i.role]}</td>
                <td data-label="Link works until">{formatWhen(i.expiresAt)}</td>
                <td>
                  <button
                    type="button"
                    className="btn"
                    data-testid="pending-cancel"
                    onClick={() =>
                      workspaceApi
                        .cancelInvitation(i.id)
                        .then(reload, (err: unknown) =>
                          setError(err instanceof ApiError ? err.message : 'Cancelling failed.'),
                        )
                    }
                  >
                    Cancel invitation
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  )
}
