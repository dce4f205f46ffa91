import { getConnInfo } from '@hono/node-server/conninfo'
import { idString } from '@rapport/model'
import type { Context, MiddlewareHandler } from 'hono'
import { Hono } from 'hono'
import { deleteCookie } from 'hono/cookie'
import { z } from 'zod'
import type { AuthServices } from '../auth/authServices.ts'
import { createLoginLimiter } from '../auth/loginLimiter.ts'
import { MIN_PASSWORD_LENGTH } from '../auth/passwords.ts'
import { SESSION_COOKIE } from '../auth/sessions.ts'
import { AppError } from '../errors.ts'
import type { AppEnv } from '../http/app.ts'
import type { RouteDoc } from '../http/openapi.ts'
import { readJsonBody, setSessionCookie } from '../http/routes/auth.ts'
import type { WorkspaceService } from './workspaceService.ts'

const workspaceName = z
  .string()
  .trim()
  .min(1, 'Enter a name for the workspace')
  .max(200, 'Use at most 200 characters')

export const SignupBody = z.object({
  workspaceName,
  name: z.string().trim().min(1, 'Enter your name').max(100, 'Use at most 100 characters'),
  email: z.email('Enter an email address like name@company.com').max(320, 'Use at most 320 characters'),
  password: z
    .string()
    .min(MIN_PASSWORD_LENGTH, `Use at least ${MIN_PASSWORD_LENGTH} characters`)
    .max(256, 'Use at most 256 characters'),
})

export const WorkspaceCreateBody = z.object({ name: workspaceName })
export const WorkspaceRenameBody = z.object({ name: workspaceName })
export const WorkspaceDeleteBody = z.object({
  confirmName: z.string().max(200, 'Use at most 200 characters'),
})
export const WorkspaceSwitchBody = z.object({ workspaceId: idString })

/** Sign-up attempts per client address (valid or not) in `SIGNUP_WINDOW_MS`. */
export const SIGNUP_ATTEMPTS = 10
export const SIGNUP_WINDOW_MS = 10 * 60 * 1000

export const workspaceRouteDocs: Record<string, RouteDoc> = {
  'POST /api/auth/signup': {
    summary:
      'Create a workspace and its first admin, and sign in (no auth; 10 attempts per 10 min per address)',
    body: SignupBody,
  },
  'GET /api/workspaces': { summary: "The caller's workspaces with their role in each" },
  'POST /api/workspaces': {
    summary: 'Create another workspace; the caller becomes its admin',
    body: WorkspaceCreateBody,
  },
  'PATCH /api/workspaces/{id}': {
    summary: 'Rename a workspace (admins); every member sees the new name at once',
    body: WorkspaceRenameBody,
  },
  'DELETE /api/workspaces/{id}': {
    summary:
      "Delete a workspace and everything in it (admins; confirmName = its name). Answers the caller's next session",
    body: WorkspaceDeleteBody,
  },
  'POST /api/workspaces/{id}/leave': {
    summary: "Leave a workspace (never its last admin). Answers the caller's next session",
  },
  'POST /api/auth/switch-workspace': {
    summary: "Move the session to another of the caller's workspaces (new cookie)",
    body: WorkspaceSwitchBody,
  },
}

const clientAddress = (c: Context): string => {
  try {
    return getConnInfo(c).remote.address ?? 'unknown'
  } catch {
    return 'unknown'
  }
}

/** `/api/auth/signup`, `/api/workspaces` (list, create, rename, delete, leave), `/api/auth/switch-workspace`. */
export function workspaceRoutes(deps: {
  auth: AuthServices
  workspaces: WorkspaceService
  session: MiddlewareHandler<AppEnv>
  now?: () => number
}): Hono<AppEnv> {
  const { auth, workspaces, session } = deps
  const routes = new Hono<AppEnv>()
  const limiter = createLoginLimiter(deps.now ?? Date.now, {
    maxFailures: SIGNUP_ATTEMPTS,
    windowMs: SIGNUP_WINDOW_MS,
  })

  routes.post('/auth/signup', async (c) => {
    const key = clientAddress(c)
    const wait = limiter.retryAfter(key)
    if (wait > 0) {
      throw new AppError(
        429,
        'too_many_attempts',
        `Too many sign-ups from this address. Try again in ${Math.ceil(wait / 60_000)} min.`,
      )
    }
    limiter.fail(key)
    const body = await readJsonBody(c, SignupBody)
    const result = await workspaces.signUp(body)
    setSessionCookie(c, result)
    return c.json(auth.profile(result.session), 201)
  })

  routes.get('/workspaces', session, (c) => c.json({ workspaces: workspaces.list(c.var.session) }))

  routes.post('/workspaces', session, async (c) => {
    const body = await readJsonBody(c, WorkspaceCreateBody)
    const created = await workspaces.create(c.var.session, body.name)
    return c.json({ workspace: { id: created.id, name: created.name }, role: created.role }, 201)
  })

  routes.patch('/workspaces/:id', session, async (c) => {
    const body = await readJsonBody(c, WorkspaceRenameBody)
    const renamed = await workspaces.rename(c.var.session, c.req.param('id'), body.name)
    return c.json({ workspace: { id: renamed.id, name: renamed.name }, role: renamed.role })
  })

  /**
   * After a delete or leave: the caller's session, moved to their next workspace when it was in the one that went
   * (new cookie), or `null` when they have none left (cookie cleared) or called with that workspace's API token.
   */
  const land = async (c: Context<AppEnv>, gone: string) => {
    const caller = c.var.session
    if (caller.workspaceId !== gone) return c.json({ session: auth.profile(caller) })
    const next = caller.via === 'session' ? await workspaces.landing(caller) : null
    if (next) setSessionCookie(c, next)
    else if (caller.via === 'session') deleteCookie(c, SESSION_COOKIE, { path: '/' })
    return c.json({ session: next ? auth.profile(next.session) : null })
  }

  routes.delete('/workspaces/:id', session, async (c) => {
    const body = await readJsonBody(c, WorkspaceDeleteBody)
    const id = c.req.param('id')
    await workspaces.remove(c.var.session, id, body.confirmName)
    return land(c, id)
  })

  routes.post('/workspaces/:id/leave', session, async (c) => {
    const id = c.req.param('id')
    await workspaces.leave(c.var.session, id)
    return land(c, id)
  })

  routes.post('/auth/switch-workspace', session, async (c) => {
    const body = await readJsonBody(c, WorkspaceSwitchBody)
    const result = await workspaces.switchTo(c.var.session, body.workspaceId)
    setSessionCookie(c, result)
    return c.json(auth.profile(result.session))
  })

  return routes
}
