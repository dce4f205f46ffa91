import type { Context } from 'hono'
import { Hono } from 'hono'
import { deleteCookie, setCookie } from 'hono/cookie'
import { z } from 'zod'
import type { AuthServices, LoginResult } from '../../auth/authServices.ts'
import { passwordSchema } from '../../auth/passwords.ts'
import { SESSION_COOKIE } from '../../auth/sessions.ts'
import { badRequest } from '../../errors.ts'
import type { AppEnv } from '../app.ts'
import { sessionMiddleware } from '../sessionMiddleware.ts'

/** Parses a JSON body with a zod schema: malformed JSON → 400 `invalid_json`, schema errors → 400 `invalid_input`. */
export async function readJsonBody<T>(c: Context, schema: z.ZodType<T>): Promise<T> {
  let body: unknown
  try {
    body = await c.req.json()
  } catch {
    throw badRequest('Request body must be JSON', 'invalid_json')
  }
  return schema.parse(body)
}

export const LoginBody = z.object({
  email: z.string().trim().min(3).max(320),
  password: z.string().min(1).max(256),
  workspaceId: z.string().max(64).optional(),
})

export const SignupInviteBody = z.object({
  token: z.string().min(10).max(200),
  /** Required for a new user; ignored when the invited email already has an account. */
  name: z.string().trim().min(1, 'Enter your name').max(100, 'Use at most 100 characters').optional(),
  password: passwordSchema,
})

const isHttps = (c: Context): boolean =>
  c.req.url.startsWith('https:') || c.req.header('x-forwarded-proto') === 'https'

/** Sets the `rapport_session` cookie of a new session (login, sign-up, invitation, workspace switch). */
export const setSessionCookie = (c: Context, result: LoginResult): void => {
  setCookie(c, SESSION_COOKIE, result.sessionId, {
    httpOnly: true,
    sameSite: 'Lax',
    path: '/',
    secure: isHttps(c),
    expires: new Date(result.expiresAt),
  })
}

/** `/api/auth/*`: login, logout, me, collab-token, signup-invite. */
export function authRoutes(auth: AuthServices): Hono<AppEnv> {
  const routes = new Hono<AppEnv>()
  const session = sessionMiddleware(auth)

  routes.post('/auth/login', async (c) => {
    const body = await readJsonBody(c, LoginBody)
    const result = await auth.login(body.email, body.password, body.workspaceId)
    setSessionCookie(c, result)
    return c.json(auth.profile(result.session))
  })

  routes.post('/auth/logout', session, async (c) => {
    await auth.logout(c.var.session)
    deleteCookie(c, SESSION_COOKIE, { path: '/' })
    return c.body(null, 204)
  })

  routes.get('/auth/me', session, (c) => c.json(auth.profile(c.var.session)))

  routes.post('/auth/collab-token', session, (c) => c.json(auth.issueCollabToken(c.var.session)))

  routes.post('/auth/signup-invite', async (c) => {
    const body = await readJsonBody(c, SignupInviteBody)
    const result = await auth.acceptInvitation(body)
    setSessionCookie(c, result)
    return c.json(auth.profile(result.session))
  })

  return routes
}
