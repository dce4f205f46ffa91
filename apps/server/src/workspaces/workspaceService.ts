import type { Hocuspocus } from '@hocuspocus/server'
import { defaultPipelines, docName, initWorkspace, newId, type Role, setWorkspaceName } from '@rapport/model'
import type { AuthServices, LoginResult } from '../auth/authServices.ts'
import { hashPassword, verifyPassword } from '../auth/passwords.ts'
import type { SessionInfo } from '../auth/sessionInfo.ts'
import { writeDocument } from '../collab/directWrites.ts'
import { badRequest, conflict, forbidden, notFound } from '../errors.ts'
import { colorFor, removeMembership } from '../meta/members.ts'
import { normalizeEmail } from '../meta/metaStore.ts'

export interface WorkspaceView {
  id: string
  name: string
  role: Role
}

export const EMAIL_TAKEN_MESSAGE =
  'An account with this email already exists. Sign in, then create the new workspace from the workspace menu.'

export const LAST_ADMIN_LEAVE_MESSAGE =
  'You are the last admin of this workspace. Make another member an admin first, or delete the workspace.'

/**
 * Workspaces a team runs on its own: sign-up (a new user and their workspace), more workspaces for a signed-in
 * user, the list of a user's workspaces, switching the session's active workspace, and renaming, deleting and
 * leaving a workspace.
 * A new workspace's document gets ONE pipeline (the first of `defaultPipelines`), no custom fields and
 * `DEFAULT_SLA`, written by the server through a direct connection before anyone can open it; no records.
 */
export function createWorkspaceService(deps: {
  auth: AuthServices
  hocuspocus: Hocuspocus
  now?: () => number
  /** Removes a deleted workspace's documents, versions and server state (run after its metadata is gone). */
  purge?: (workspaceId: string) => Promise<void>
}) {
  const { auth, hocuspocus } = deps
  const now = deps.now ?? Date.now
  const meta = auth.meta

  /**
   * The caller's membership of `workspaceId`: 404 for a workspace they are not in (its existence is not revealed);
   * an API token acts only on its own workspace.
   */
  const membershipFor = (session: SessionInfo, workspaceId: string) => {
    const membership = meta.membership(workspaceId, session.userId)
    if (!membership || !meta.data.workspaces.some((w) => w.id === workspaceId)) {
      throw notFound('No such workspace', 'workspace_not_found')
    }
    if (session.via === 'apiToken' && session.workspaceId !== workspaceId) {
      throw forbidden('An API token acts only on its own workspace', 'token_workspace')
    }
    return membership
  }
  const requireAdminOf = (session: SessionInfo, workspaceId: string): void => {
    if (membershipFor(session, workspaceId).role !== 'admin') throw forbidden('Admins only', 'admin_only')
  }

  const initDocuments = (workspaceId: string, name: string): Promise<unknown> =>
    writeDocument(hocuspocus, docName({ workspaceId, kind: 'workspace' }), 'seed', null, (doc, origin) =>
      initWorkspace(doc, { name, pipelines: defaultPipelines().slice(0, 1) }, origin),
    )

  /** Another workspace for the caller, who becomes its admin. */
  const create = async (session: Pick<SessionInfo, 'userId'>, name: string): Promise<WorkspaceView> => {
    const workspaceId = newId('ws')
    await initDocuments(workspaceId, name)
    await meta.write((draft) => {
      draft.workspaces.push({ id: workspaceId, name })
      draft.memberships.push({ workspaceId, userId: session.userId, role: 'admin', team: null })
    })
    return { id: workspaceId, name, role: 'admin' }
  }

  /** The user's workspaces, by name. */
  const list = (session: Pick<SessionInfo, 'userId'>): WorkspaceView[] =>
    meta
      .membershipsOf(session.userId)
      .map((m) => ({
        id: m.workspaceId,
        name: meta.data.workspaces.find((w) => w.id === m.workspaceId)?.name ?? m.workspaceId,
        role: m.role,
      }))
      .sort((a, b) => a.name.localeCompare(b.name) || (a.id < b.id ? -1 : 1))

  return {
    /**
     * A new user, their new workspace (as its admin) and a session in it. 409 `email_taken` for a known email,
     * unless that user is in no workspace any more and gives their password: then the workspace is theirs.
     */
    async signUp(input: {
      workspaceName: string
      name: string
      email: string
      password: string
    }): Promise<LoginResult> {
      const email = normalizeEmail(input.email)
      const known = meta.userByEmail(email)
      if (known) {
        // A user whose every workspace was deleted or left starts the next one here, with their own password.
        const homeless = meta.membershipsOf(known.id).length === 0
        if (!homeless || !(await verifyPassword(known.passwordHash, input.password))) {
          throw conflict(EMAIL_TAKEN_MESSAGE, 'email_taken')
        }
        const created = await create({ userId: known.id }, input.workspaceName)
        return auth.startSession(known.id, created.id)
      }
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
    create,

    /** The caller's workspaces, by name. */
    list,

    /** Renames a workspace (admins): its row in every member's list and the name in `W/workspace`, live. */
    async rename(session: SessionInfo, workspaceId: string, name: string): Promise<WorkspaceView> {
      requireAdminOf(session, workspaceId)
      const actor = meta.userById(session.userId)
      await writeDocument(
        hocuspocus,
        docName({ workspaceId, kind: 'workspace' }),
        'rest',
        actor ? { userId: actor.id, name: actor.name } : null,
        (doc, origin) => setWorkspaceName(doc, name, origin),
      )
      await meta.write((draft) => {
        const row = draft.workspaces.find((w) => w.id === workspaceId)
        if (row) row.name = name
      })
      return { id: workspaceId, name, role: 'admin' }
    },

    /**
     * Deletes a workspace (admins; `confirmName` must be its name). Its metadata goes first in one write: members,
     * invitations, sessions and API tokens, so every request and socket of it is refused from then on; the
     * workspace is recorded as removed (its documents are never stored again); its open sockets are closed; then
     * `purge` removes its documents, room versions and server state.
     */
    async remove(session: SessionInfo, workspaceId: string, confirmName: string): Promise<void> {
      requireAdminOf(session, workspaceId)
      const row = meta.data.workspaces.find((w) => w.id === workspaceId)
      if (!row || confirmName.trim() !== row.name.trim()) {
        throw badRequest(
          `Type the workspace's name exactly as it is shown to delete it.`,
          'confirmation_mismatch',
        )
      }
      // Its members' open pages learn why they were signed out (the admin who deletes it lands elsewhere).
      const ended = meta.data.sessions
        .filter((x) => x.workspaceId === workspaceId && x.idHash !== session.sid)
        .map((x) => x.idHash)
      auth.noteSessionsEnded(
        ended,
        `The workspace "${row.name}" was deleted by an admin. Sign in to go on in another workspace, or create one.`,
      )
      await meta.write((draft) => {
        draft.workspaces = draft.workspaces.filter((w) => w.id !== workspaceId)
        draft.memberships = draft.memberships.filter((m) => m.workspaceId !== workspaceId)
        draft.invitations = draft.invitations.filter((i) => i.workspaceId !== workspaceId)
        draft.sessions = draft.sessions.filter((s) => s.workspaceId !== workspaceId)
        draft.apiTokens = draft.apiTokens.filter((t) => t.workspaceId !== workspaceId)
        if (!draft.removedWorkspaces.includes(workspaceId)) draft.removedWorkspaces.push(workspaceId)
      })
      auth.emitAccessChange({ type: 'workspace', workspaceId })
      await deps.purge?.(workspaceId)
    },

    /** The caller leaves a workspace (any role; never its last admin). Their sessions and tokens there end. */
    async leave(session: SessionInfo, workspaceId: string): Promise<void> {
      membershipFor(session, workspaceId)
      try {
        await removeMembership(meta, workspaceId, session.userId, now())
      } catch (error) {
        if (error instanceof Error && 'code' in error && error.code === 'last_admin') {
          throw conflict(LAST_ADMIN_LEAVE_MESSAGE, 'last_admin')
        }
        throw error
      }
      auth.emitAccessChange({ type: 'member', workspaceId, userId: session.userId })
    },

    /**
     * Where a cookie session goes after its workspace was deleted or left: a new session in the first of the
     * user's other workspaces (by name), or none (the user has no workspace left).
     */
    async landing(session: SessionInfo): Promise<LoginResult | null> {
      const next = list(session)[0]
      return next ? auth.startSession(session.userId, next.id) : null
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
