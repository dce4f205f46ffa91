import { accessTo, docName, parseDocName } from '@rapport/model'
import { useCallback, useEffect, useRef, useState } from 'react'
import { clearDocument } from 'y-indexeddb'
import { type CollabContextValue, CollabProvider } from '../collab/CollabContext.tsx'
import { DocRegistry } from '../collab/DocRegistry.ts'
import { lastSession, rememberSession } from '../collab/lastSession.ts'
import { OfflineIndex } from '../collab/offlineDbName.ts'
import { TokenSource } from '../collab/TokenSource.ts'
import { AcceptInvitePage } from '../features/auth/AcceptInvitePage.tsx'
import { ApiError, authApi, type Session } from '../features/auth/authApi.ts'
import { takeEarlyResponse } from '../features/auth/earlyRequests.ts'
import { LoginPage } from '../features/auth/LoginPage.tsx'
import { SessionProvider } from '../features/auth/SessionContext.tsx'
import { SignupPage } from '../features/auth/SignupPage.tsx'
import { parseRoute } from './route.ts'
import { Shell } from './Shell.tsx'
import { useHashRoute } from './useHashRoute.ts'

type AppState =
  | { kind: 'loading' }
  | { kind: 'unreachable' }
  | { kind: 'login'; notice: string | null }
  | { kind: 'ready'; session: Session; collab: CollabContextValue }

/** 401 codes that mean the session's workspace is gone for this user: its offline copies must go too. */
const WORKSPACE_GONE = new Set(['workspace_deleted', 'membership_removed'])

/** What to delete from this browser when a session ends: nothing, all of the user's offline copies, or one workspace's. */
type OfflineClear = { clearOffline: boolean; clearWorkspace?: string }
const KEEP_OFFLINE: OfflineClear = { clearOffline: false }

/**
 * The state of an account room that index.html asked for on a first visit to that room (`GET
 * /api/accounts/{id}/room-state`, docs/schema.md), or null: DocRegistry applies it before the socket syncs. Only
 * when the server says it is the state of `name` (the workspace of the session that asked may not be this one's).
 */
function earlyRoomState(name: string): Promise<Uint8Array | null> | null {
  const ref = parseDocName(name)
  if (ref?.kind !== 'account') return null
  const response = takeEarlyResponse(`/api/accounts/${ref.accountId}/room-state`)
  if (!response) return null
  return response
    .then(async (r) =>
      r.ok && r.headers.get('x-document-name') === name ? new Uint8Array(await r.arrayBuffer()) : null,
    )
    .catch(() => null)
}

function collabUrl(): string {
  const proto = window.location.protocol === 'https:' ? 'wss' : 'ws'
  return `${proto}://${window.location.host}/collab`
}

/** Session lifecycle: check the cookie, log in, build the per-session collaboration registry, log out. */
export function App() {
  const [state, setState] = useState<AppState>({ kind: 'loading' })
  const route = useHashRoute()
  const stateRef = useRef(state)
  stateRef.current = state
  // True while this user's own request deleting or leaving the workspace runs (see `whileLeaving`).
  const leavingRef = useRef(false)

  const endSession = useCallback((notice: string | null, clear: OfflineClear) => {
    const prev = stateRef.current
    if (prev.kind === 'ready') void prev.collab.registry.destroy(clear)
    setState({ kind: 'login', notice })
  }, [])

  const startSession = useCallback(
    (session: Session) => {
      leavingRef.current = false
      const tokens = new TokenSource(() => authApi.collabToken())
      rememberSession({ userId: session.user.id, workspaceId: session.workspace.id })
      // Why the session ended, when the server says (its workspace was deleted, or an admin removed this user from
      // it: then its offline copies are deleted too); else it expired.
      let lostNotice = 'Your session has expired. Please sign in again.'
      let lostClear = KEEP_OFFLINE
      const registry = new DocRegistry({
        url: collabUrl(),
        user: { id: session.user.id, name: session.user.name, color: session.user.color },
        tokens,
        earlyState: earlyRoomState,
        checkSession: () =>
          authApi.me().then(
            () => true,
            (e: unknown) => {
              // The server ended this session for the workspace this user is deleting or leaving; its answer moves
              // them on (leaveWorkspace), so this is not a lost session.
              if (leavingRef.current) return true
              if (!(e instanceof ApiError && e.kind === 'unauthorized')) return true
              if (WORKSPACE_GONE.has(e.code)) {
                lostNotice = e.message
                lostClear = { clearOffline: false, clearWorkspace: session.workspace.id }
              }
              return false
            },
          ),
        onSessionLost: () => endSession(lostNotice, lostClear),
      })
      const member = { userId: session.user.id, workspaceId: session.workspace.id, role: session.role }
      // A first visit to an account room: the room's document and the token it needs are on the way to an editable
      // note, so start them now, while the shell renders and the room's code loads.
      tokens.get().catch(() => undefined) // a failure is retried when a document asks
      const first = parseRoute(window.location.hash)
      if (first.name === 'account') {
        const ref = {
          workspaceId: session.workspace.id,
          kind: 'account' as const,
          accountId: first.accountId,
        }
        if (accessTo(member, ref) !== 'none') registry.openAhead(docName(ref))
      }
      setState({ kind: 'ready', session, collab: { registry, member } })
    },
    [endSession],
  )

  const load = useCallback(
    (isCancelled: () => boolean) => {
      setState({ kind: 'loading' })
      authApi.me().then(
        (s) => {
          if (!isCancelled()) startSession(s)
        },
        (e: unknown) => {
          if (isCancelled()) return
          if (e instanceof ApiError && e.kind === 'unreachable') {
            setState({ kind: 'unreachable' })
            return
          }
          const gone = e instanceof ApiError && WORKSPACE_GONE.has(e.code)
          const last = gone ? lastSession() : null
          if (last) void new OfflineIndex(last.userId).clearWorkspace(last.workspaceId, clearDocument)
          setState({ kind: 'login', notice: gone ? (e as ApiError).message : null })
        },
      )
    },
    [startSession],
  )

  useEffect(() => {
    let cancelled = false
    load(() => cancelled)
    return () => {
      cancelled = true
    }
  }, [load])

  const logout = useCallback(() => {
    authApi.logout().catch(() => undefined)
    endSession(null, { clearOffline: true })
  }, [endSession])

  // A workspace switch or an accepted invitation: close this session's documents (offline copies stay, they are
  // per user and workspace) and start the new one; the keyed provider below remounts every screen.
  const switchSession = useCallback(
    (next: Session, clear: OfflineClear) => {
      const prev = stateRef.current
      if (prev.kind === 'ready') void prev.collab.registry.destroy(clear)
      startSession(next)
    },
    [startSession],
  )
  const replaceSession = useCallback((next: Session) => switchSession(next, KEEP_OFFLINE), [switchSession])

  // This workspace was deleted or left: its offline copies go, and on to the next workspace the server chose, or to
  // "Create a workspace".
  const leaveWorkspace = useCallback(
    (next: Session | null) => {
      const prev = stateRef.current
      const clear: OfflineClear =
        prev.kind === 'ready'
          ? { clearOffline: false, clearWorkspace: prev.session.workspace.id }
          : KEEP_OFFLINE
      if (next) {
        window.location.hash = '#/pipelines'
        switchSession(next, clear)
        return
      }
      window.location.hash = '#/signup'
      endSession(null, clear)
    },
    [switchSession, endSession],
  )

  const whileLeaving = useCallback(async <T,>(request: () => Promise<T>): Promise<T> => {
    leavingRef.current = true
    try {
      return await request()
    } catch (error) {
      leavingRef.current = false
      throw error
    }
  }, [])

  if (route.name === 'invite' && (state.kind === 'login' || state.kind === 'ready'))
    return <AcceptInvitePage token={route.token} onJoined={replaceSession} />
  if (state.kind === 'loading') return <div className="splash">Loading Rapport…</div>
  if (state.kind === 'unreachable')
    return (
      <div className="splash" data-testid="server-unreachable">
        <p className="notice notice--error">The Rapport server cannot be reached.</p>
        <button type="button" className="btn" onClick={() => load(() => false)}>
          Try again
        </button>
      </div>
    )
  if (state.kind === 'login')
    return route.name === 'signup' ? (
      <SignupPage onSignedUp={startSession} />
    ) : (
      <LoginPage notice={state.notice} onLoggedIn={startSession} />
    )
  return (
    <SessionProvider
      key={`${state.session.user.id}/${state.session.workspace.id}`}
      value={{ session: state.session, logout, replaceSession, leaveWorkspace, whileLeaving }}
    >
      <CollabProvider value={state.collab}>
        <Shell />
      </CollabProvider>
    </SessionProvider>
  )
}
