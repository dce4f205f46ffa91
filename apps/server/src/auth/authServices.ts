import { newId, type Role, type Team } from '@rapport/model'
import { AppError, forbidden, notFound, unauthorized } from '../errors.ts'
import type { Logger } from '../log/logger.ts'
import {
  colorFor,
  listMembers,
  type MemberView,
  removeMembership,
  updateMembership,
} from '../meta/members.ts'
import type { ApiTokenScope } from '../meta/metaSchema.ts'
import { type MetaStore, normalizeEmail } from '../meta/metaStore.ts'
import { type ApiTokens, type ApiTokenView, createApiTokens } from './apiTokens.ts'
import type { CollabContext } from './collabContext.ts'
import {
  COLLAB_TOKEN_TTL_MS,
  type CollabTokenPayload,
  signCollabToken,
  verifyCollabTokenSignature,
} from './collabTokens.ts'
import {
  acceptInvitation,
  cancelInvitation,
  createInvitation,
  type InvitationView,
  pendingInvitations,
} from './invitations.ts'
import { createLoginLimiter, type LoginLimiter } from './loginLimiter.ts'
import { hashPassword, verifyAgainstDummy, verifyPassword } from './passwords.ts'
import { sha256 } from './secrets.ts'
import type { SessionInfo } from './sessionInfo.ts'
import { createSessions, type Sessions } from './sessions.ts'

/** Something that changes what a user may open: the auth extension closes the matching connections. */
export type AccessChange =
  | { type: 'member'; workspaceId: string; userId: string }
  | { type: 'session'; sid: string }
  | { type: 'workspace'; workspaceId: string }

export interface LoginResult {
  sessionId: string
  expiresAt: number
  session: SessionInfo
}

export interface Profile {
  user: { id: string; email: string; name: string; color: string }
  workspace: { id: string; name: string }
  role: Role
  members: MemberView[]
}

export interface AuthServicesDeps {
  meta: MetaStore
  secret: string
  now?: () => number
  logger: Logger
  collabTokenTtlMs?: number
}

const API_SID_PREFIX = 'tok:'

/** Login of a user whose every workspace was deleted or left: sign-up with the same email creates the next one. */
export const NO_WORKSPACE_MESSAGE =
  'You are not in any workspace now. Create one on the sign-up page with this email and password.'

/** Authentication, sessions, collab tokens, API tokens, members and invitations, over the metadata store. */
/** Why a session ended for its holder: told on its next request as a 401 with this code and sentence. */
export interface SessionEnd {
  message: string
  code: 'workspace_deleted' | 'membership_removed'
}

export function createAuthServices(deps: AuthServicesDeps) {
  const { meta, secret, logger } = deps
  const now = deps.now ?? Date.now
  const sessions: Sessions = createSessions(meta, now)
  const apiTokens: ApiTokens = createApiTokens(meta, now)
  const limiter: LoginLimiter = createLoginLimiter(now)
  const listeners = new Set<(change: AccessChange) => void>()
  const verified = new Map<string, CollabTokenPayload>()

  const emit = (change: AccessChange): void => {
    for (const listener of listeners) listener(change)
  }

  const sessionInfo = (
    userId: string,
    workspaceId: string,
    extra: Partial<SessionInfo>,
  ): SessionInfo | undefined => {
    const membership = meta.membership(workspaceId, userId)
    const user = meta.userById(userId)
    if (!membership || !user) return undefined
    return { userId, workspaceId, role: membership.role, name: user.name, ...extra }
  }

  const startSession = async (userId: string, workspaceId: string): Promise<LoginResult> => {
    const created = await sessions.create(userId, workspaceId)
    const session = sessionInfo(userId, workspaceId, { via: 'session', sid: created.idHash })
    if (!session) throw unauthorized()
    return { sessionId: created.id, expiresAt: created.expiresAt, session }
  }

  const requireAdmin = (session: SessionInfo): void => {
    const current = meta.membership(session.workspaceId, session.userId)
    if (current?.role !== 'admin') throw forbidden('Admins only', 'admin_only')
  }

  /** Session or API token still valid, and the user still a member. */
  const sidIsLive = (sid: string, userId: string, workspaceId: string): boolean => {
    if (sid.startsWith(API_SID_PREFIX)) {
      const token = apiTokens.byId(sid.slice(API_SID_PREFIX.length))
      return (
        token !== undefined &&
        token.revokedAt === null &&
        token.userId === userId &&
        token.workspaceId === workspaceId
      )
    }
    const row = meta.data.sessions.find((s) => s.idHash === sid)
    return (
      row !== undefined && row.expiresAt > now() && row.userId === userId && row.workspaceId === workspaceId
    )
  }

  /**
   * Why sessions ended that their holders did not end themselves (their workspace was deleted, or an admin removed
   * them from it): sid hash → a sentence for the sign-in page and its code. In memory and bounded (after a restart
   * such a cookie reads as expired, as before).
   */
  const endedSessions = new Map<string, SessionEnd>()
  const ENDED_SESSIONS_MAX = 10_000

  const noteSessionsEnded = (
    idHashes: readonly string[],
    reason: string,
    code: SessionEnd['code'] = 'workspace_deleted',
  ): void => {
    for (const idHash of idHashes) {
      endedSessions.delete(idHash)
      endedSessions.set(idHash, { message: reason, code })
    }
    for (const oldest of endedSessions.keys()) {
      if (endedSessions.size <= ENDED_SESSIONS_MAX) break
      endedSessions.delete(oldest)
    }
  }

  return {
    meta,
    sessions,
    apiTokens,
    limiter,

    /** Remembers why these sessions ended, for `whySessionEnded` (their cookies then get that sentence and code). */
    noteSessionsEnded,

    /** The sentence and code noted for the session of this cookie, when it was ended for its holder. */
    whySessionEnded(cookie: string): SessionEnd | undefined {
      return cookie.length > 0 && cookie.length < 200 ? endedSessions.get(sha256(cookie)) : undefined
    },

    onAccessChange(listener: (change: AccessChange) => void): () => void {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },

    async createWorkspace(input: { id?: string; name: string }): Promise<{ id: string; name: string }> {
      const workspace = { id: input.id ?? newId('ws'), name: input.name }
      await meta.write((draft) => {
        if (!draft.workspaces.some((w) => w.id === workspace.id)) draft.workspaces.push(workspace)
      })
      return workspace
    },

    /** Creates a user (or reuses one by email) and adds them to a workspace. For seeding and tests. */
    async createUser(input: {
      email: string
      name: string
      password: string
      workspaceId: string
      role: Role
      team?: Team | null
      id?: string
    }): Promise<{ id: string; email: string }> {
      const email = normalizeEmail(input.email)
      const passwordHash = await hashPassword(input.password)
      return meta.write((draft) => {
        let user = draft.users.find((u) => u.email === email)
        if (!user) {
          const id = input.id ?? newId('usr')
          user = { id, email, name: input.name, passwordHash, color: colorFor(id), createdAt: now() }
          draft.users.push(user)
        }
        const userId = user.id
        if (!draft.memberships.some((m) => m.workspaceId === input.workspaceId && m.userId === userId)) {
          draft.memberships.push({
            workspaceId: input.workspaceId,
            userId,
            role: input.role,
            team: input.team ?? null,
          })
        }
        return { id: user.id, email }
      })
    },

    async login(emailInput: string, password: string, workspaceId?: string): Promise<LoginResult> {
      const email = normalizeEmail(emailInput)
      const wait = limiter.retryAfter(email)
      if (wait > 0) {
        throw new AppError(
          429,
          'too_many_attempts',
          `Too many attempts; retry in ${Math.ceil(wait / 1000)} s`,
        )
      }
      const user = meta.userByEmail(email)
      const ok = user ? await verifyPassword(user.passwordHash, password) : await verifyAgainstDummy(password)
      if (!user || !ok) {
        limiter.fail(email)
        logger.info('login failed', { email })
        throw unauthorized('Wrong email or password', 'invalid_credentials')
      }
      const membership = workspaceId
        ? meta.membership(workspaceId, user.id)
        : (meta.membershipsOf(user.id)[0] ?? undefined)
      if (!membership && !workspaceId && meta.membershipsOf(user.id).length === 0) {
        throw forbidden(NO_WORKSPACE_MESSAGE, 'no_workspace')
      }
      if (!membership) throw forbidden('Not a member of this workspace', 'not_a_member')
      limiter.reset(email)
      return startSession(user.id, membership.workspaceId)
    },

    async logout(session: SessionInfo): Promise<void> {
      if (session.via !== 'session' || !session.sid) return
      await sessions.revoke(session.sid)
      emit({ type: 'session', sid: session.sid })
    },

    sessionFromCookie(id: string): SessionInfo | undefined {
      const row = sessions.resolve(id)
      return row ? sessionInfo(row.userId, row.workspaceId, { via: 'session', sid: row.idHash }) : undefined
    },

    sessionFromApiToken(token: string): SessionInfo | undefined {
      const row = apiTokens.resolve(token)
      if (!row) return undefined
      const session = sessionInfo(row.userId, row.workspaceId, {
        via: 'apiToken',
        sid: `${API_SID_PREFIX}${row.id}`,
        ...(row.scope === 'read' ? { readOnly: true } : {}),
      })
      if (session) apiTokens.touch(row.id)
      return session
    },

    /** Starts a cookie session of a member (sign-up, workspace switch). */
    startSession,

    /** Tells the auth extension to close the sockets of a session or a member. */
    emitAccessChange: emit,

    profile(session: SessionInfo): Profile {
      const user = meta.userById(session.userId)
      const workspace = meta.data.workspaces.find((w) => w.id === session.workspaceId)
      if (!user) throw unauthorized()
      return {
        user: { id: user.id, email: user.email, name: user.name, color: user.color },
        workspace: workspace ?? { id: session.workspaceId, name: session.workspaceId },
        role: session.role,
        members: listMembers(meta, session.workspaceId),
      }
    },

    issueCollabToken(session: SessionInfo): { token: string; expiresAt: number } {
      if (!session.sid) throw unauthorized()
      const expiresAt = now() + (deps.collabTokenTtlMs ?? COLLAB_TOKEN_TTL_MS)
      const token = signCollabToken(
        { uid: session.userId, wid: session.workspaceId, exp: expiresAt, sid: session.sid },
        secret,
      )
      return { token, expiresAt }
    },

    /**
     * The connection context for a collab token, or null when the token is forged, expired, of a revoked
     * session/API token, or of a user who is no longer a member. The signature check is cached per token
     * until it expires; session and membership are looked up every time (in memory), so the current role applies.
     */
    authenticateCollab(token: string): CollabContext | null {
      let payload = verified.get(token)
      if (!payload) {
        payload = verifyCollabTokenSignature(token, secret, now()) ?? undefined
        if (!payload) return null
        if (verified.size > 10_000) {
          for (const [key, value] of verified) if (value.exp <= now()) verified.delete(key)
        }
        verified.set(token, payload)
      }
      if (payload.exp <= now()) {
        verified.delete(token)
        return null
      }
      if (!sidIsLive(payload.sid, payload.uid, payload.wid)) return null
      const membership = meta.membership(payload.wid, payload.uid)
      const user = meta.userById(payload.uid)
      if (!membership || !user) return null
      const readOnly =
        payload.sid.startsWith(API_SID_PREFIX) &&
        apiTokens.byId(payload.sid.slice(API_SID_PREFIX.length))?.scope === 'read'
      return {
        userId: user.id,
        workspaceId: payload.wid,
        role: membership.role,
        name: user.name,
        color: user.color,
        sid: payload.sid,
        ...(readOnly ? { readOnly: true } : {}),
      }
    },

    listMembers: (session: SessionInfo): MemberView[] => listMembers(meta, session.workspaceId),

    async invite(
      session: SessionInfo,
      input: { email: string; role: Role; team?: Team | null },
    ): Promise<{ token: string; invitation: InvitationView }> {
      requireAdmin(session)
      const result = await createInvitation(
        meta,
        {
          workspaceId: session.workspaceId,
          email: input.email,
          role: input.role,
          team: input.team ?? null,
          invitedBy: session.userId,
        },
        now(),
      )
      // There is no mail server: the invite link is returned to the admin and logged for the operator.
      logger.info('invitation created', {
        email: result.invitation.email,
        workspaceId: session.workspaceId,
        link: `/#/invite/${encodeURIComponent(result.token)}`,
      })
      return result
    },

    async acceptInvitation(input: {
      token: string
      name?: string | undefined
      password: string
    }): Promise<LoginResult> {
      const { userId, workspaceId } = await acceptInvitation(meta, input, now())
      return startSession(userId, workspaceId)
    },

    /** Invitations not used yet (admin). */
    pendingInvitations(session: SessionInfo): InvitationView[] {
      requireAdmin(session)
      return pendingInvitations(meta, session.workspaceId, now())
    },

    async cancelInvitation(session: SessionInfo, id: string): Promise<void> {
      requireAdmin(session)
      await cancelInvitation(meta, session.workspaceId, id)
    },

    async updateMember(
      session: SessionInfo,
      userId: string,
      patch: { role?: Role; team?: Team | null },
    ): Promise<MemberView> {
      requireAdmin(session)
      const { before, after } = await updateMembership(meta, session.workspaceId, userId, patch)
      if (before.role !== after.role) emit({ type: 'member', workspaceId: session.workspaceId, userId })
      const view = listMembers(meta, session.workspaceId).find((m) => m.userId === userId)
      if (!view) throw notFound('No such member', 'member_not_found')
      return view
    },

    async removeMember(session: SessionInfo, userId: string): Promise<void> {
      requireAdmin(session)
      // The removed member's open pages learn why they were signed out (and drop their offline copies of it).
      const ended = meta.data.sessions
        .filter(
          (x) => x.workspaceId === session.workspaceId && x.userId === userId && x.idHash !== session.sid,
        )
        .map((x) => x.idHash)
      const name = meta.data.workspaces.find((w) => w.id === session.workspaceId)?.name ?? ''
      await removeMembership(meta, session.workspaceId, userId, now())
      noteSessionsEnded(
        ended,
        `An admin removed you from the workspace "${name}". Sign in to go on in another workspace, or create one.`,
        'membership_removed',
      )
      emit({ type: 'member', workspaceId: session.workspaceId, userId })
    },

    createApiToken(
      session: SessionInfo,
      input: { name: string; scope: ApiTokenScope },
    ): Promise<{ token: string; apiToken: ApiTokenView }> {
      return apiTokens.create({ workspaceId: session.workspaceId, userId: session.userId, ...input })
    },

    listApiTokens: (session: SessionInfo): ApiTokenView[] =>
      apiTokens.listOf(session.workspaceId, session.userId),

    async revokeApiToken(session: SessionInfo, id: string): Promise<void> {
      const row = apiTokens.byId(id)
      const mine = row?.workspaceId === session.workspaceId && row.userId === session.userId
      const admin =
        row?.workspaceId === session.workspaceId &&
        meta.membership(session.workspaceId, session.userId)?.role === 'admin'
      if (!row || !(mine || admin)) throw notFound('No such API token', 'api_token_not_found')
      await apiTokens.revoke(id)
      emit({ type: 'session', sid: `${API_SID_PREFIX}${id}` })
    },
  }
}

export type AuthServices = ReturnType<typeof createAuthServices>
