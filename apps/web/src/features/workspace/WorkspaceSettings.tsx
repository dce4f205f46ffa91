import { type FormEvent, useState } from 'react'
import { z } from 'zod'
import { FieldError } from '../../ui/FieldError.tsx'
import { ApiError } from '../auth/authApi.ts'
import { useSession } from '../auth/SessionContext.tsx'
import { validateForm, workspaceNameField } from './formErrors.ts'
import { workspaceApi } from './workspaceApi.ts'
import './workspace.css'

const RenameForm = z.object({ name: workspaceNameField })

const failure = (error: unknown): string =>
  error instanceof ApiError ? error.message : 'That did not work. Please try again.'

/**
 * The workspace itself (`#/settings/workspace`): its name (admins rename it; every member sees the new name at
 * once), leaving it (anyone but the last admin), and deleting it with everything in it (admins, after typing its
 * name). After leaving or deleting, the app goes on in the user's next workspace, or to "Create a workspace".
 */
export function WorkspaceSettings({ name, isAdmin }: { name: string; isAdmin: boolean }) {
  const { session, leaveWorkspace, whileLeaving } = useSession()
  const guarded = whileLeaving ?? (<T,>(request: () => Promise<T>) => request())
  const workspaceId = session.workspace.id
  const [draft, setDraft] = useState<string | null>(null)
  const [renameError, setRenameError] = useState<string | null>(null)
  const [renamed, setRenamed] = useState(false)
  const [leaving, setLeaving] = useState(false)
  const [leaveError, setLeaveError] = useState<string | null>(null)
  const [deleting, setDeleting] = useState(false)
  const [confirm, setConfirm] = useState('')
  const [deleteError, setDeleteError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)

  const rename = async (e: FormEvent) => {
    e.preventDefault()
    const checked = validateForm(RenameForm, { name: draft ?? name })
    setRenamed(false)
    if (!checked.ok) return setRenameError(checked.errors.name ?? null)
    setRenameError(null)
    try {
      await workspaceApi.renameWorkspace(workspaceId, checked.data.name)
      setDraft(null)
      setRenamed(true)
    } catch (error) {
      setRenameError(failure(error))
    }
  }
  const leave = async () => {
    setBusy(true)
    setLeaveError(null)
    try {
      leaveWorkspace?.(await guarded(() => workspaceApi.leaveWorkspace(workspaceId)))
    } catch (error) {
      setLeaveError(failure(error))
      setBusy(false)
    }
  }
  const remove = async (e: FormEvent) => {
    e.preventDefault()
    if (confirm.trim() !== name.trim()) {
      setDeleteError(`Type the workspace's name, ${name}, to delete it.`)
      return
    }
    setBusy(true)
    setDeleteError(null)
    try {
      leaveWorkspace?.(await guarded(() => workspaceApi.deleteWorkspace(workspaceId, confirm)))
    } catch (error) {
      setDeleteError(failure(error))
      setBusy(false)
    }
  }

  return (
    <div className="settings__stack ws-settings" data-testid="workspace-settings">
      <form className="panel" onSubmit={rename} aria-label="Workspace name" noValidate>
        <h2 className="panel__title">Name</h2>
        <label className="setting-input">
          <span className="setting-input__label">Workspace name</span>
          <input
            value={draft ?? name}
            readOnly={!isAdmin}
            maxLength={200}
            aria-invalid={renameError ? true : undefined}
            onChange={(e) => {
              setDraft(e.target.value)
              setRenamed(false)
            }}
            data-testid="workspace-name"
          />
          <FieldError message={renameError} />
        </label>
        {isAdmin && (
          <div className="settings__actions">
            <button type="submit" className="btn btn--primary" data-testid="workspace-rename">
              Rename
            </button>
            {renamed && (
              <span className="muted" role="status">
                Renamed for everyone.
              </span>
            )}
          </div>
        )}
      </form>

      <section className="panel" aria-label="Leave the workspace">
        <h2 className="panel__title">Leave</h2>
        <p className="muted">You lose access to {name} at once. An admin can invite you again.</p>
        {!leaving ? (
          <div className="settings__actions">
            <button
              type="button"
              className="btn"
              onClick={() => setLeaving(true)}
              data-testid="workspace-leave"
            >
              Leave workspace
            </button>
          </div>
        ) : (
          <div className="settings__actions">
            <button
              type="button"
              className="btn btn--danger"
              disabled={busy}
              onClick={() => void leave()}
              data-testid="workspace-leave-confirm"
            >
              Leave {name}
            </button>
            <button type="button" className="btn btn--ghost" onClick={() => setLeaving(false)}>
              Cancel
            </button>
          </div>
        )}
        <FieldError message={leaveError} />
      </section>

      {isAdmin && (
        <form className="panel ws-danger" onSubmit={remove} aria-label="Delete the workspace" noValidate>
          <h2 className="panel__title">Delete workspace</h2>
          <p className="muted">
            Deletes {name} and everything in it — accounts, contacts, deals, tickets, notes, tasks, settings —
            for every member, at once. This cannot be undone.
          </p>
          {!deleting ? (
            <div className="settings__actions">
              <button
                type="button"
                className="btn btn--danger"
                onClick={() => setDeleting(true)}
                data-testid="workspace-delete"
              >
                Delete workspace…
              </button>
            </div>
          ) : (
            <>
              <label className="setting-input">
                <span className="setting-input__label">
                  Type <strong>{name}</strong> to confirm
                </span>
                <input
                  value={confirm}
                  autoComplete="off"
                  aria-invalid={deleteError ? true : undefined}
                  onChange={(e) => setConfirm(e.target.value)}
                  data-testid="workspace-delete-name"
                />
                <FieldError message={deleteError} />
              </label>
              <div className="settings__actions">
                <button
                  type="submit"
                  className="btn btn--danger"
                  disabled={busy || confirm.trim() !== name.trim()}
                  data-testid="workspace-delete-confirm"
                >
                  Delete for everyone
                </button>
                <button
                  type="button"
                  className="btn btn--ghost"
                  onClick={() => {
                    setDeleting(false)
                    setConfirm('')
                    setDeleteError(null)
                  }}
                >
                  Cancel
                </button>
              </div>
            </>
          )}
        </form>
      )}
    </div>
  )
}
