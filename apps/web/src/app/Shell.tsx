import { lazy, Suspense, useEffect } from 'react'
import { ConnectionIndicator } from '../collab/ConnectionIndicator.tsx'
import { OfflineBanner } from '../collab/OfflineBanner.tsx'
import { useSession } from '../features/auth/SessionContext.tsx'
import { ContactPage } from '../features/contact/ContactPage.tsx'
import { DealPage } from '../features/deal/DealPage.tsx'
import { InboxBadge } from '../features/inbox/InboxBadge.tsx'
import { InboxPage } from '../features/inbox/InboxPage.tsx'
import { AccountsList } from '../features/lists/AccountsList.tsx'
import { ContactsList } from '../features/lists/ContactsList.tsx'
import { CommandPalette } from '../features/palette/CommandPalette.tsx'
import { PipelinesPage } from '../features/pipeline/PipelinesPage.tsx'
import { SettingsPage } from '../features/settings/SettingsPage.tsx'
import { SupportPage } from '../features/support/SupportPage.tsx'
import { MyTasksPage } from '../features/tasks/MyTasksPage.tsx'
import { TrashPage } from '../features/trash/TrashPage.tsx'
import { AccountSettingsPage } from '../features/workspace/AccountSettingsPage.tsx'
import { ApiTokensPage } from '../features/workspace/ApiTokensPage.tsx'
import { MembersPage } from '../features/workspace/MembersPage.tsx'
import { WorkspaceMenu } from '../features/workspace/WorkspaceMenu.tsx'
import { Avatar } from '../ui/Avatar.tsx'
import { ErrorBoundary } from '../ui/ErrorBoundary.tsx'
import { NAV_ITEMS, type Route, routeSection } from './route.ts'
import { useHashRoute } from './useHashRoute.ts'

// Tiptap is large: the account room is its own chunk, preloaded once the browser is idle after sign-in.
type AccountPageModule = typeof import('../features/account/AccountPage.tsx')
let loadedAccountPage: AccountPageModule | null = null
const loadAccountPage = () =>
  import('../features/account/AccountPage.tsx').then((m) => {
    loadedAccountPage = m
    return m
  })
const LazyAccountPage = lazy(() => loadAccountPage().then((m) => ({ default: m.AccountPage })))

/**
 * The account room: rendered directly once its chunk is loaded. Through `lazy` only before that — a lazy component
 * suspends on its first render even when its chunk is already loaded, and React holds a revealed Suspense boundary
 * back for up to 300 ms, which was most of an in-app navigation to the room.
 */
function AccountRoute({ accountId }: { accountId: string }) {
  const Loaded = loadedAccountPage?.AccountPage
  return Loaded ? <Loaded accountId={accountId} /> : <LazyAccountPage accountId={accountId} />
}

/** Fetches the account-room chunk when the browser is idle, so the first visit does not wait for it. */
function usePreloadAccountPage(): void {
  useEffect(() => {
    const preload = () => void loadAccountPage().catch(() => undefined)
    if (typeof window.requestIdleCallback === 'function') {
      const id = window.requestIdleCallback(preload, { timeout: 5_000 })
      return () => window.cancelIdleCallback(id)
    }
    const timer = setTimeout(preload, 2_000)
    return () => clearTimeout(timer)
  }, [])
}

function Page({ route }: { route: Route }) {
  switch (route.name) {
    case 'pipelines':
      return <PipelinesPage pipelineId={route.pipelineId} />
    case 'workspaceSettings':
      return <SettingsPage section={route.section} />
    case 'accounts':
      return <AccountsList />
    case 'account':
      return <AccountRoute accountId={route.accountId} />
    case 'contacts':
      return <ContactsList />
    case 'contact':
      return <ContactPage contactId={route.contactId} />
    case 'deal':
      return <DealPage dealId={route.dealId} />
    case 'support':
      return <SupportPage />
    case 'ticket':
      return <SupportPage ticketId={route.ticketId} />
    case 'inbox':
      return <InboxPage />
    case 'tasks':
      return <MyTasksPage />
    case 'trash':
      return <TrashPage />
    case 'members':
      return <MembersPage />
    case 'tokens':
      return <ApiTokensPage />
    case 'profile':
      return <AccountSettingsPage />
    case 'signup':
      return <div className="empty">You are signed in: create another workspace from the workspace menu.</div>
    case 'invite':
      return null // App shows the invitation page outside the shell
    case 'notFound':
      return (
        <div className="empty" data-testid="not-found">
          Nothing lives at <code>{route.path}</code>.
        </div>
      )
  }
}

/** Top navigation, connection indicator and the current page. */
export function Shell() {
  const { session, logout } = useSession()
  const route = useHashRoute()
  const section = routeSection(route)
  usePreloadAccountPage()
  return (
    <div className="shell">
      <header className="topbar">
        <a className="brand" href="#/pipelines">
          <span className="brand__mark">R</span> Rapport
        </a>
        <WorkspaceMenu />
        <nav className="topnav" aria-label="Main">
          {NAV_ITEMS.map((item) => (
            <a
              key={item.name}
              href={item.href}
              className={`topnav__link${section === item.name ? ' is-active' : ''}`}
              aria-current={section === item.name ? 'page' : undefined}
              data-testid={`nav-${item.name}`}
            >
              {item.label}
              {item.name === 'inbox' && <InboxBadge />}
            </a>
          ))}
        </nav>
        <div className="topbar__right">
          <CommandPalette />
          <ConnectionIndicator />
          <span className="topbar__user" data-testid="current-user">
            <Avatar name={session.user.name} color={session.user.color} size="sm" />
            <span>
              {session.user.name}
              <small className="role">{session.role}</small>
            </span>
          </span>
          <button type="button" className="btn btn--ghost" onClick={logout} data-testid="logout">
            Sign out
          </button>
        </div>
      </header>
      <main className="page">
        <OfflineBanner />
        <ErrorBoundary key={`${route.name}`}>
          <Suspense fallback={<div className="empty">Loading…</div>}>
            <Page route={route} />
          </Suspense>
        </ErrorBoundary>
      </main>
    </div>
  )
}
