import { type FormEvent, useEffect, useRef, useState } from 'react'
import { z } from 'zod'
import { useDoc } from '../../collab/useDoc.ts'
import { ApiError } from '../auth/authApi.ts'
import { useSession } from '../auth/SessionContext.tsx'
import { useWorkspaceSettings } from '../pipeline/useWorkspaceSettings.ts'
import { validateForm, workspaceNameField } from './formErrors.ts'
import { ROLE_LABEL } from './labels.ts'
import { type WorkspaceSummary, workspaceApi } from './workspaceApi.ts'
import './workspace.css'

const CreateForm = z.object({ name: workspaceNameField })

/**
 * The header's workspace switcher: the user's workspaces (switching moves the session and re-opens everything
 * in the other workspace), "Create a workspace", and the workspace's settings pages.
 */
export function WorkspaceMenu() {
  const { session, replaceSession } = useSession()
  // The name lives in `W/workspace`: a rename shows at once for every member.
  const workspaceDoc = useDoc({ workspaceId: session.workspace.id, kind: 'workspace' })
  const liveName = useWorkspaceSettings(workspaceDoc.ready ? workspaceDoc.doc : null)?.name
  const workspaceName = liveName || session.workspace.name
  const [open, setOpen] = useState(false)
  const [workspaces, setWorkspaces] = useState<WorkspaceSummary[]>([])
  const [name, setName] = useState('')
  const [error, setError] = useState<string | null>(null)
  const root = useRef<HTMLDivElement>(null)

  useEffect(() => {
    if (!open) return
    workspaceApi.workspaces().then(setWorkspaces, () => setWorkspaces([]))
    const close = (e: MouseEvent | KeyboardEvent) => {
      if (e instanceof KeyboardEvent ? e.key === 'Escape' : !root.current?.contains(e.target as Node))
        setOpen(false)
    }
    const navigated = () => setOpen(false)
    window.addEventListener('hashchange', navigated)
    document.addEventListener('mousedown', close)
    document.addEventListener('keydown', close)
    return () => {
      document.removeEventListener('mousedown', close)
      document.removeEventListener('keydown', close)
      window.removeEventListener('hashchange', navigated)
    }
  }, [open])

  const fail = (err: unknown) =>
    setError(err instanceof ApiError ? err.message : 'That did not work. Please try again.')
  const switchTo = (workspaceId: string) => {
    setError(null)
    workspaceApi.switchWorkspace(workspaceId).then((next) => {
      setOpen(false)
      window.location.hash = '#/pipelines'
      replaceSession?.(next)
    }, fail)
  }
  const create = (e: FormEvent) => {
    e.preventDefault()
    const checked = validateForm(CreateForm, { name })
    if (!checked.ok) return setError(checked.errors.name ?? null)
    workspaceApi.createWorkspace(checked.data.name).then((r) => {
      setName('')
      switchTo(r.workspace.id)
    }, fail)
  }

  return (
    <div className="ws-menu" ref={root}>
      <button
        type="button"
        className="btn btn--ghost ws-menu__button"
        aria-haspopup="true"
        aria-expanded={open}
        title={workspaceName}
        onClick={() => setOpen((o) => !o)}
        data-testid="workspace-menu"
      >
        {workspaceName} ▾
      </button>
      {open && (
        <div className="ws-menu__list" data-testid="workspace-menu-list">
          <div className="ws-menu__heading">Workspaces</div>
          {workspaces
            .map((w) => ({ ...w, name: w.id === session.workspace.id ? workspaceName : w.name }))
            .map((w) => (
              <button
                key={w.id}
                type="button"
                className={`ws-menu__item${w.id === session.workspace.id ? ' is-current' : ''}`}
                aria-current={w.id === session.workspace.id ? 'true' : undefined}
                onClick={() => (w.id === session.workspace.id ? setOpen(false) : switchTo(w.id))}
                data-testid="workspace-option"
              >
                <span>{w.name}</span>
                <span className="muted">{ROLE_LABEL[w.role]}</span>
              </button>
            ))}
          <form className="ws-menu__create" onSubmit={create} noValidate>
            <input
              className="btn"
              aria-label="New workspace name"
              placeholder="New workspace name"
              value={name}
              onChange={(e) => setName(e.target.value)}
              data-testid="workspace-create-name"
            />
            <button type="submit" className="btn" data-testid="workspace-create">
              Create a workspace
            </button>
          </form>
          {error && (
            <p className="field__error" role="alert" data-testid="workspace-menu-error">
              {error}
            </p>
          )}
          <div className="ws-menu__heading">This workspace</div>
          <a className="ws-menu__item" href="#/members" data-testid="menu-members">
            Members
          </a>
          <a className="ws-menu__item" href="#/tokens" data-testid="menu-tokens">
            API tokens
          </a>
          <a className="ws-menu__item" href="#/profile" data-testid="menu-profile">
            Your account
          </a>
          <a className="ws-menu__item" href="#/settings/workspace" data-testid="menu-workspace-settings">
            Rename, leave or delete
          </a>
        </div>
      )}
    </div>
  )
}
