import { idString, Role, Team } from '@rapport/model'
import { Hono } from 'hono'
import { z } from 'zod'
import type { AuthServices } from '../../auth/authServices.ts'
import { ApiTokenScope } from '../../meta/metaSchema.ts'
import type { AppEnv } from '../app.ts'
import { sessionMiddleware } from '../sessionMiddleware.ts'
import { readJsonBody } from './auth.ts'

export const InvitationBody = z.object({
  email: z.email().max(320),
  role: Role,
  team: Team.nullable().optional(),
})

export const MemberPatchBody = z
  .object({ role: Role.optional(), team: Team.nullable().optional() })
  .refine((patch) => patch.role !== undefined || patch.team !== undefined, 'role or team is required')

export const ApiTokenBody = z.object({
  name: z.string().trim().min(1, 'Enter a name for the token').max(100, 'Use at most 100 characters'),
  scope: ApiTokenScope.default('read-write'),
})

/** `/api/members`, `/api/invitations`, `/api/api-tokens`. Admin-only operations are checked by the services. */
export function memberRoutes(auth: AuthServices): Hono<AppEnv> {
  const routes = new Hono<AppEnv>()
  const session = sessionMiddleware(auth)

  routes.get('/members', session, (c) => c.json({ members: auth.listMembers(c.var.session) }))

  routes.post('/invitations', session, async (c) => {
    const body = await readJsonBody(c, InvitationBody)
    const { token, invitation } = await auth.invite(c.var.session, body)
    const link = `${new URL(c.req.url).origin}/#/invite/${encodeURIComponent(token)}`
    return c.json({ invitation, token, link }, 201)
  })

  routes.get('/invitations', session, (c) => c.json({ invitations: auth.pendingInvitations(c.var.session) }))

  routes.delete('/invitations/:id', session, async (c) => {
    await auth.cancelInvitation(c.var.session, idString.parse(c.req.param('id')))
    return c.body(null, 204)
  })

  routes.patch('/members/:userId', session, async (c) => {
    const userId = idString.parse(c.req.param('userId'))
    const body = await readJsonBody(c, MemberPatchBody)
    return c.json({ member: await auth.updateMember(c.var.session, userId, body) })
  })

  routes.delete('/members/:userId', session, async (c) => {
    const userId = idString.parse(c.req.param('userId'))
    await auth.removeMember(c.var.session, userId)
    return c.body(null, 204)
  })

  routes.post('/api-tokens', session, async (c) => {
    const body = await readJsonBody(c, ApiTokenBody)
    return c.json(await auth.createApiToken(c.var.session, body), 201)
  })

  routes.get('/api-tokens', session, (c) => c.json({ apiTokens: auth.listApiTokens(c.var.session) }))

  routes.delete('/api-tokens/:id', session, async (c) => {
    const id = idString.parse(c.req.param('id'))
    await auth.revokeApiToken(c.var.session, id)
    return c.body(null, 204)
  })

  return routes
}
