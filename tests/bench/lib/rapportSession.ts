import { z } from 'zod'

/** The demo user the seed creates on an empty data dir (docs/schema.md, apps/server/src/seed). */
export const DEMO_LOGIN = { email: 'sales@rapport.dev', password: 'rapport-demo' }

const Profile = z.object({
  user: z.object({ id: z.string() }),
  workspace: z.object({ id: z.string() }),
  role: z.string(),
})

export type RapportSession = { cookie: string; userId: string; workspaceId: string; role: string }

/** Logs in through the real API (`POST /api/auth/login`) and keeps the session cookie. */
export async function login(url: string, email: string, password: string): Promise<RapportSession> {
  const res = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  })
  if (!res.ok) throw new Error(`login ${email}: ${res.status} ${await res.text()}`)
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ')
  const profile = Profile.parse(await res.json())
  return { cookie, userId: profile.user.id, workspaceId: profile.workspace.id, role: profile.role }
}

/** `POST /api/auth/collab-token` → the token a Hocuspocus client sends in its Auth message. */
export async function collabToken(url: string, session: RapportSession): Promise<string> {
  const res = await fetch(`${url}/api/auth/collab-token`, {
    method: 'POST',
    headers: { cookie: session.cookie },
  })
  if (!res.ok) throw new Error(`collab-token: ${res.status} ${await res.text()}`)
  return z.object({ token: z.string() }).parse(await res.json()).token
}

/** GET with the session cookie; returns status, bytes and parsed JSON. */
export async function apiGet(
  url: string,
  session: RapportSession,
  path: string,
): Promise<{ status: number; bytes: number; body: unknown }> {
  const res = await fetch(`${url}${path}`, { headers: { cookie: session.cookie } })
  const text = await res.text()
  let body: unknown = text
  try {
    body = JSON.parse(text)
  } catch {
    // not JSON
  }
  return { status: res.status, bytes: text.length, body }
}
