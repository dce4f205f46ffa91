import { Hono, type MiddlewareHandler } from 'hono'
import { z } from 'zod'
import type { AccountServices } from '../../auth/accountServices.ts'
import { MIN_PASSWORD_LENGTH } from '../../auth/passwords.ts'
import type { AppEnv } from '../app.ts'
import type { RouteDoc } from '../openapi.ts'
import { readJsonBody } from './auth.ts'

export const PasswordChangeBody = z.object({
  currentPassword: z.string().min(1, 'Enter your current password').max(256, 'Use at most 256 characters'),
  newPassword: z
    .string()
    .min(MIN_PASSWORD_LENGTH, `Use at least ${MIN_PASSWORD_LENGTH} characters`)
    .max(256, 'Use at most 256 characters'),
})

export const InvitationPreviewBody = z.object({ token: z.string().min(10).max(200) })

export const accountRouteDocs: Record<string, RouteDoc> = {
  'POST /api/auth/password': {
    summary: "Change the caller's password; signs out the user's other sessions (cookie session only)",
    body: PasswordChangeBody,
  },
  'GET /api/invitations': { summary: "The workspace's invitations not used yet (admin)" },
  'DELETE /api/invitations/{id}': { summary: 'Cancel an unused invitation: its link stops working (admin)' },
  'GET /api/api-tokens': { summary: "The caller's API tokens in this workspace (revoked too), newest first" },
  'POST /api/invitations/preview': {
    summary: 'The workspace, inviter and email of an invitation, before accepting it (no auth)',
    body: InvitationPreviewBody,
  },
}

/** `/api/auth/password`, `/api/invitations/preview`. */
export function accountRoutes(deps: {
  account: AccountServices
  session: MiddlewareHandler<AppEnv>
}): Hono<AppEnv> {
  const { account, session } = deps
  const routes = new Hono<AppEnv>()

  routes.post('/auth/password', session, async (c) => {
    const body = await readJsonBody(c, PasswordChangeBody)
    await account.changePassword(c.var.session, body.currentPassword, body.newPassword)
    return c.body(null, 204)
  })

  routes.post('/invitations/preview', async (c) => {
    const body = await readJsonBody(c, InvitationPreviewBody)
    return c.json(account.previewInvitation(body.token))
  })

  return routes
}
