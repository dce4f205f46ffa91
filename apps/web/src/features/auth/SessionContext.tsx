import { createContext, type ReactNode, useContext } from 'react'
import type { Session } from './authApi.ts'

export interface SessionContextValue {
  session: Session
  logout: () => void
  /**
   * Ends this session's collaboration (documents, socket; offline copies stay) and starts `next`: a workspace
   * switch or an accepted invitation. Everything re-scopes to `next.workspace`.
   */
  replaceSession?: (next: Session) => void
  /**
   * This workspace is gone for this user (deleted, or left): close its documents and go on in `next`, the session
   * the server moved them to, or to the create-a-workspace page when they have no workspace left.
   */
  leaveWorkspace?: (next: Session | null) => void
  /**
   * Runs the request that deletes or leaves this workspace. While it runs, a closed socket or a refused session does
   * not sign the user out: the server ends this session and closes its sockets before its answer (the session it
   * moves the user to) arrives.
   */
  whileLeaving?: <T>(request: () => Promise<T>) => Promise<T>
}

const Ctx = createContext<SessionContextValue | null>(null)

export function SessionProvider({ value, children }: { value: SessionContextValue; children: ReactNode }) {
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>
}

export function useSession(): SessionContextValue {
  const value = useContext(Ctx)
  if (!value) throw new Error('useSession() outside <SessionProvider>')
  return value
}

/** Display name and colour of a workspace member, with a neutral fallback for unknown ids. */
export function useMemberLookup() {
  const { session } = useSession()
  return (userId: string | null | undefined) => {
    const m = session.members.find((x) => x.userId === userId)
    return m ? { name: m.name, color: m.color } : null
  }
}
