import { newId, type Role, type Team } from '@rapport/model'
import { AppError, conflict, forbidden, notFound } from '../errors.ts'
import { colorFor } from '../meta/members.ts'
import type { InvitationRow } from '../meta/metaSchema.ts'
import { type MetaStore, normalizeEmail } from '../meta/metaStore.ts'
import { hashPassword, verifyPassword } from './passwords.ts'
import { randomSecret, sha256 } from './secrets.ts'

export const INVITATION_TTL_MS = 7 * 24 * 60 * 60 * 1000

export type InvitationView = Omit<InvitationRow, 'tokenHash'>

/** Creates an invitation; the raw token is returned once (there is no mail server) and only its hash is stored. */
export async function createInvitation(
  meta: MetaStore,
  input: { workspaceId: string; email: string; role: Role; team: Team | null; invitedBy: string },
  now: number,
): Promise<{ token: string; invitation: InvitationView }> {
  const email = normalizeEmail(input.email)
  const existing = meta.userByEmail(email)
  if (existing && meta.membership(input.workspaceId, existing.id)) {
    throw conflict('This person is already a member', 'already_member')
  }
  const token = randomSecret()
  const row: InvitationRow = {
    id: newId('inv'),
    workspaceId: input.workspaceId,
    email,
    role: input.role,
    team: input.team,
    tokenHash: sha256(token),
    invitedBy: input.invitedBy,
    expiresAt: now + INVITATION_TTL_MS,
    acceptedAt: null,
  }
  await meta.write((draft) => {
    draft.invitations.push(row)
  })
  const { tokenHash: _hash, ...invitation } = row
  return { token, invitation }
}

/**
 * Accepts an invitation: creates the user (or, for an existing user, checks their password) and adds the
 * membership. Returns the user id and workspace id to log in with.
 */
export async function acceptInvitation(
  meta: MetaStore,
  input: { token: string; name?: string | undefined; password: string },
  now: number,
): Promise<{ userId: string; workspaceId: string }> {
  const tokenHash = sha256(input.token)
  const invitation = meta.data.invitations.find((i) => i.tokenHash === tokenHash)
  if (!invitation || invitation.expiresAt <= now)
    throw notFound('Invitation not found or expired', 'invalid_invitation')
  if (invitation.acceptedAt !== null) throw conflict('Invitation already used', 'invitation_used')
  const existing = meta.userByEmail(invitation.email)
  if (existing && !(await verifyPassword(existing.passwordHash, input.password))) {
    throw forbidden('This email already has an account: use its password', 'wrong_password')
  }
  const name = input.name
  if (!existing && !name) throw new AppError(400, 'invalid_input', 'name: Enter your name')
  const passwordHash = existing ? undefined : await hashPassword(input.password)
  return meta.write((draft) => {
    const row = draft.invitations.find((i) => i.id === invitation.id)
    if (!row || row.acceptedAt !== null) throw conflict('Invitation already used', 'invitation_used')
    row.acceptedAt = now
    let userId = existing?.id
    if (!userId) {
      if (draft.users.some((u) => u.email === invitation.email)) throw conflict('Email taken', 'email_taken')
      userId = newId('usr')
      draft.users.push({
        id: userId,
        email: invitation.email,
        name: name ?? '',
        passwordHash: passwordHash ?? '',
        color: colorFor(userId),
        createdAt: now,
      })
    }
    const uid = userId
    if (!draft.memberships.some((m) => m.workspaceId === invitation.workspaceId && m.userId === uid)) {
      draft.memberships.push({
        workspaceId: invitation.workspaceId,
        userId: uid,
        role: invitation.role,
        team: invitation.team,
      })
    }
    return { userId: uid, workspaceId: invitation.workspaceId }
  })
}

/** A workspace's invitations that can still be accepted (not used, not expired), newest first. */
export function pendingInvitations(meta: MetaStore, workspaceId: string, now: number): InvitationView[] {
  return meta.data.invitations
    .filter((i) => i.workspaceId === workspaceId && i.acceptedAt === null && i.expiresAt > now)
    .map(({ tokenHash: _hash, ...view }) => view)
    .sort((a, b) => b.expiresAt - a.expiresAt || (a.id < b.id ? -1 : 1))
}

/** Cancels an unused invitation of a workspace: its link stops working (404 `invalid_invitation`). */
export async function cancelInvitation(meta: MetaStore, workspaceId: string, id: string): Promise<void> {
  await meta.write((draft) => {
    const row = draft.invitations.find((i) => i.id === id && i.workspaceId === workspaceId)
    if (!row || row.acceptedAt !== null) throw notFound('No such pending invitation', 'invitation_not_found')
    draft.invitations = draft.invitations.filter((i) => i !== row)
  })
}
