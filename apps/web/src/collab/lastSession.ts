import { z } from 'zod'

const KEY = 'rapport:last-session'
const LastSession = z.object({ userId: z.string().min(1), workspaceId: z.string().min(1) })
export type LastSession = z.infer<typeof LastSession>

function storage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage
  } catch {
    return null
  }
}

/**
 * Remembers who this browser's session cookie signs in, and to which workspace: a page that loads after that
 * workspace was deleted (or the user removed from it) gets a 401 that names no ids, and still has to drop the
 * workspace's offline copies.
 */
export function rememberSession(session: LastSession): void {
  storage()?.setItem(KEY, JSON.stringify(session))
}

/** The session remembered by `rememberSession`, or null. */
export function lastSession(): LastSession | null {
  const raw = storage()?.getItem(KEY)
  if (!raw) return null
  try {
    const parsed = LastSession.safeParse(JSON.parse(raw))
    return parsed.success ? parsed.data : null
  } catch {
    return null
  }
}
