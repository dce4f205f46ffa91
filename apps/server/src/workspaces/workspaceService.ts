import type { Hocuspocus } from '@hocuspocus/server'
import { defaultPipelines, docName, initWorkspace, newId, type Role } from '@rapport/model'
import type { AuthServices, LoginResult } from '../auth/authServices.ts'
import { hashPassword } from '../auth/passwords.ts'
import type { SessionInfo } from '../auth/sessionInfo.ts'
import { writeDocument } from '../collab/directWrites.ts'
import { conflict, forbidden } from '../errors.ts'
import { colorFor } from '../meta/members.ts'
import { normalizeEmail } from '../meta/metaStore.ts'

export interface WorkspaceView {
  id: string
  name: string
  role: Role
}

export const EMAIL_TAKEN_MESSAGE =
  'An account with this email already exists. Sign in, then create the new workspace from the workspace menu.'

/**
 * Workspaces a team runs on its own: sign-up (a new user and their workspace), more workspaces for a signed-in
 * user, the list of a user's workspaces, and switching the session's active workspace.
 * A new workspace's document gets ONE pipeline (the first of `defaultPipelines`), no custom fields and
 * `DEFAULT_SLA`, written by the server through a direct connection before anyone can open it; no records.
 */
export function createWorkspaceService(deps: {
  auth: AuthServices
  hocuspocus: Hocuspocus
  now?: () => number
}) {
  const { auth, hocuspocus } = deps
  const now = deps.now ?? Date.now
  const meta = auth.meta

  const initDocuments = (workspaceId: string, name: string): Promise<unknown> =>
    writeDocument(hocuspocus, docName({ workspaceId, kind: 'workspace' }), 'seed', null, (doc, origin) =>
      initWorkspace(doc, { name, pipelines: defaultPipelines().slice(0, 1) }, origin),
    )

  return {
    /** A new user, their new workspace (as its admin) and a session in it. 409 `email_taken` for a known email. */
    async signUp(input: {
      workspaceName: string
      name: string
      email: string
      password: string
    }): Promise<LoginResult> {
      const email = normalizeEmail(input.email)
      if (meta.userByEmail(email)) throw conflict(EMAIL_TAKEN_MESSAGE, 'email_taken')
      const passwordHash = await hashPassword(input.password)
      const workspaceId = newId('ws')
      const userId = newId('usr')
      await initDocuments(workspaceId, input.workspaceName)
      await meta.write((draft) => {
        if (draft.users.some((u) => u.email === email)) throw conflict(EMAIL_TAKEN_MESSAGE, 'email_taken')
        draft.workspaces.push({ id: workspaceId, name: input.workspaceName })
        draft.users.push({
          id: userId,
          email,
          name: input.name,
          passwordHash,
          color: colorFor(userId),
          createdAt: now(),
        })
        draft.memberships.push({ workspaceId, userId, role: 'admin', team: null })
      })
      return auth.startSession(userId, workspaceId)
    },

    /** Another workspace for the caller, who becomes its admin. The session stays where it is. */
    async create(session: SessionInfo, name: string): Promise<WorkspaceView> {
      const workspaceId = newId('ws')
      await initDocuments(workspaceId, name)
      await meta.write((draft) => {
        draft.workspaces.push({ id: workspaceId, name })
        draft.memberships.push({ workspaceId, userId: session.userId, role: 'admin', team: null })
      })
      return { id: workspaceId, name, role: 'admin' }
    },

    /** The caller's workspaces, by name. */
    list(session: SessionInfo): WorkspaceView[] {
      return meta
        .membershipsOf(session.userId)
        .map((m) => ({
          id: m.workspaceId,
          name: meta.data.workspaces.find((w) => w.id === m.workspaceId)?.name ?? m.workspaceId,
          role: m.role,
        }))
        .sort((a, b) => a.name.localeCompare(b.name) || (a.id < b.id ? -1 : 1))
    },

    /**
     * Moves a cookie session to another workspace of the same user: a NEW session there, and the old one is
     * deleted (its sockets are closed, its collab tokens stop working), so nothing stays open in the old one.
     */
    async switchTo(session: SessionInfo, workspaceId: string): Promise<LoginResult> {
      if (session.via !== 'session' || !session.sid) {
        throw forbidden('An API token belongs to one workspace; sign in to switch', 'session_only')
      }
      if (!meta.membership(workspaceId, session.userId)) {
        throw forbidden('You are not a member of that workspace', 'not_a_member')
      }
      const result = await auth.startSession(session.userId, workspaceId)
      await auth.sessions.revoke(session.sid)
      auth.emitAccessChange({ type: 'session', sid: session.sid })
      return result
    },
  }
}

export type WorkspaceService = ReturnType<typeof createWorkspaceService>
