import { AppError, forbidden, notFound } from '../errors.ts'
import type { MetaStore } from '../meta/metaStore.ts'
import type { AuthServices } from './authServices.ts'
import { hashPassword, verifyPassword } from './passwords.ts'
import { sha256 } from './secrets.ts'
import type { SessionInfo } from './sessionInfo.ts'

/** What the invitation page shows before the invitee accepts (`POST /api/invitations/preview`). */
export interface InvitationPreview {
  workspace: { id: string; name: string }
  invitedBy: { name: string }
  email: string
  role: string
  team: string | null
  expiresAt: number
  /** True when the invited email already has an account: the invitee signs in with its password to join. */
  existingUser: boolean
}

const tooMany = (wait: number): AppError =>
  new AppError(429, 'too_many_attempts', `Too many attempts. Try again in ${Math.ceil(wait / 60_000)} min.`)

/** A user's own account: password change and the invitation preview. Built on the auth services. */
export function createAccountServices(auth: AuthServices, now: () => number = Date.now) {
  const meta: MetaStore = auth.meta

  return {
    /**
     * Changes the caller's password after checking the current one (wrong answers count against the same
     * limiter as logins), then signs out every OTHER session of the user, in every workspace; the calling
     * session stays. API tokens are not affected. Only from a cookie session.
     */
    async changePassword(session: SessionInfo, currentPassword: string, newPassword: string): Promise<void> {
      if (session.via !== 'session' || !session.sid) {
        throw forbidden('Change a password from a signed-in session, not with an API token', 'session_only')
      }
      const key = `password:${session.userId}`
      const wait = auth.limiter.retryAfter(key)
      if (wait > 0) throw tooMany(wait)
      const user = meta.userById(session.userId)
      if (!user || !(await verifyPassword(user.passwordHash, currentPassword))) {
        auth.limiter.fail(key)
        throw forbidden('Your current password is not right', 'wrong_password')
      }
      auth.limiter.reset(key)
      const passwordHash = await hashPassword(newPassword)
      const keep = session.sid
      const signedOut = await meta.write((draft) => {
        const row = draft.users.find((u) => u.id === session.userId)
        if (row) row.passwordHash = passwordHash
        const others = draft.sessions.filter((s) => s.userId === session.userId && s.idHash !== keep)
        draft.sessions = draft.sessions.filter((s) => !others.includes(s))
        return others.map((s) => s.idHash)
      })
      for (const sid of signedOut) auth.emitAccessChange({ type: 'session', sid })
    },

    /** The workspace, inviter and email of an unused, unexpired invitation; 404/409 like accepting it. */
    previewInvitation(token: string): InvitationPreview {
      const tokenHash = sha256(token)
      const row = meta.data.invitations.find((i) => i.tokenHash === tokenHash)
      if (!row || row.expiresAt <= now()) {
        throw notFound('This invitation link is not valid or has expired', 'invalid_invitation')
      }
      if (row.acceptedAt !== null) {
        throw new AppError(409, 'invitation_used', 'This invitation has already been used')
      }
      const workspace = meta.data.workspaces.find((w) => w.id === row.workspaceId)
      return {
        workspace: workspace ?? { id: row.workspaceId, name: row.workspaceId },
        invitedBy: { name: meta.userById(row.invitedBy)?.name ?? 'An admin' },
        email: row.email,
        role: row.role,
        team: row.team,
        expiresAt: row.expiresAt,
        existingUser: meta.userByEmail(row.email) !== undefined,
      }
    },
  }
}

export type AccountServices = ReturnType<typeof createAccountServices>
