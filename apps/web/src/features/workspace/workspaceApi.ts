import { Role, Team } from '@rapport/model'
import { z } from 'zod'
import { request, Session, SessionMember } from '../auth/authApi.ts'

export const WorkspaceSummary = z.object({ id: z.string(), name: z.string(), role: Role })
export type WorkspaceSummary = z.infer<typeof WorkspaceSummary>

export const InvitationPreview = z.object({
  workspace: z.object({ id: z.string(), name: z.string() }),
  invitedBy: z.object({ name: z.string() }),
  email: z.string(),
  role: Role,
  team: Team.nullable(),
  expiresAt: z.number(),
  existingUser: z.boolean(),
})
export type InvitationPreview = z.infer<typeof InvitationPreview>

export const API_TOKEN_SCOPES = ['read', 'read-write'] as const
export type ApiTokenScope = (typeof API_TOKEN_SCOPES)[number]

export const ApiToken = z.object({
  id: z.string(),
  name: z.string(),
  scope: z.enum(API_TOKEN_SCOPES),
  createdAt: z.number(),
  lastUsedAt: z.number().nullable(),
  revokedAt: z.number().nullable(),
})
export type ApiToken = z.infer<typeof ApiToken>

export const PendingInvitation = z.object({
  id: z.string(),
  email: z.string(),
  role: Role,
  team: Team.nullable(),
  expiresAt: z.number(),
})
export type PendingInvitation = z.infer<typeof PendingInvitation>

/** After a delete or leave: the session the server moved the caller to, or null (no workspace left). */
const Landing = z.object({ session: Session.nullable() })

const post = (body: unknown): RequestInit => ({ method: 'POST', body: JSON.stringify(body) })
const Member = SessionMember

/** The REST calls of sign-up, workspaces, members, invitations, API tokens and password (docs/schema.md §5). */
export const workspaceApi = {
  signUp: (input: { workspaceName: string; name: string; email: string; password: string }) =>
    request('/api/auth/signup', Session, post(input)),
  workspaces: () =>
    request('/api/workspaces', z.object({ workspaces: z.array(WorkspaceSummary) })).then((r) => r.workspaces),
  createWorkspace: (name: string) =>
    request(
      '/api/workspaces',
      z.object({ workspace: z.object({ id: z.string(), name: z.string() }) }),
      post({ name }),
    ),
  renameWorkspace: (workspaceId: string, name: string) =>
    request(
      `/api/workspaces/${encodeURIComponent(workspaceId)}`,
      z.object({ workspace: z.object({ id: z.string(), name: z.string() }) }),
      { method: 'PATCH', body: JSON.stringify({ name }) },
    ),
  /** Deletes a workspace (admins; `confirmName` = its name): the caller's next session, or null when none is left. */
  deleteWorkspace: (workspaceId: string, confirmName: string) =>
    request(`/api/workspaces/${encodeURIComponent(workspaceId)}`, Landing, {
      method: 'DELETE',
      body: JSON.stringify({ confirmName }),
    }).then((r) => r.session),
  /** Leaves a workspace (never its last admin): the caller's next session, or null when none is left. */
  leaveWorkspace: (workspaceId: string) =>
    request(`/api/workspaces/${encodeURIComponent(workspaceId)}/leave`, Landing, { method: 'POST' }).then(
      (r) => r.session,
    ),
  switchWorkspace: (workspaceId: string) =>
    request('/api/auth/switch-workspace', Session, post({ workspaceId })),
  previewInvitation: (token: string) =>
    request('/api/invitations/preview', InvitationPreview, post({ token })),
  acceptInvitation: (input: { token: string; name?: string; password: string }) =>
    request('/api/auth/signup-invite', Session, post(input)),
  members: () => request('/api/members', z.object({ members: z.array(Member) })).then((r) => r.members),
  updateMember: (userId: string, patch: { role?: Role; team?: Team | null }) =>
    request(`/api/members/${encodeURIComponent(userId)}`, z.object({ member: Member }), {
      method: 'PATCH',
      body: JSON.stringify(patch),
    }),
  removeMember: (userId: string) =>
    request(`/api/members/${encodeURIComponent(userId)}`, z.unknown(), { method: 'DELETE' }),
  invite: (input: { email: string; role: Role; team: Team | null }) =>
    request('/api/invitations', z.object({ link: z.string() }), post(input)),
  invitations: () =>
    request('/api/invitations', z.object({ invitations: z.array(PendingInvitation) })).then(
      (r) => r.invitations,
    ),
  cancelInvitation: (id: string) =>
    request(`/api/invitations/${encodeURIComponent(id)}`, z.unknown(), { method: 'DELETE' }),
  apiTokens: () =>
    request('/api/api-tokens', z.object({ apiTokens: z.array(ApiToken) })).then((r) => r.apiTokens),
  createApiToken: (input: { name: string; scope: ApiTokenScope }) =>
    request('/api/api-tokens', z.object({ token: z.string(), apiToken: ApiToken }), post(input)),
  revokeApiToken: (id: string) =>
    request(`/api/api-tokens/${encodeURIComponent(id)}`, z.unknown(), { method: 'DELETE' }),
  changePassword: (input: { currentPassword: string; newPassword: string }) =>
    request('/api/auth/password', z.unknown(), post(input)),
}
