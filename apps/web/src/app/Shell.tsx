import { lazy, Suspense, useEffect, useState } from 'react'
import { ConnectionIndicator } from '../collab/ConnectionIndicator.tsx'
import { OfflineBanner } from '../collab/OfflineBanner.tsx'
import { useSession } from '../features/auth/SessionContext.tsx'
import { ContactPage } from '../features/contact/ContactPage.tsx'
import { DealPage } from '../features/deal/DealPage.tsx'
import { DuplicatesPage } from '../features/duplicates/DuplicatesPage.tsx'
import { ImportPage } from '../features/imports/ImportPage.tsx'
import { ImportsHistoryPage } from '../features/imports/ImportsHistoryPage.tsx'
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
import { AppUpdatedBanner } from '../features/workspace/AppUpdatedBanner.tsx'
import { MembersPage } from '../features/workspace/MembersPage.tsx'
import { WorkspaceMenu } from '../features/workspace/WorkspaceMenu.tsx'
import { Avatar } from '../ui/Avatar.tsx'
import { ErrorBoundary } from '../ui/ErrorBoundary.tsx'
import { NotFound } from './NotFound.tsx'
import { NAV_ITEMS, type Route, routeSection } from './route.ts'
import './shell.css'
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

// The dashboard and its charting library (recharts) are one chunk, loaded only when the dashboard opens — at once
// when the app starts on it (while the session check runs), not after the shell has rendered.
type DashboardModule = typeof import('../features/reports/DashboardPage.tsx')
let dashboardChunk: Promise<DashboardModule> | null = null
let loadedDashboard: DashboardModule | null = null
const loadDashboardPage = (): Promise<DashboardModule> => {
  dashboardChunk ??= import('../features/reports/DashboardPage.tsx').then((m) => {
    loadedDashboard = m
    return m
  })
  return dashboardChunk
}
if (typeof window !== 'undefined' && /^#\/dashboard\/?$/.test(window.location.hash)) {
  loadDashboardPage().catch(() => undefined) // a failure shows when the page renders
  import('../features/reports/ReportChart.tsx').catch(() => undefined) // the charts' chunk, side by side
}

/**
 * The dashboard page, without Suspense: React holds a revealed Suspense boundary back for up to 300 ms, which was a
 * third of the dashboard's first paint. A failed chunk load is thrown to the error boundary.
 */
function DashboardRoute() {
  const [loaded, setLoaded] = useState<DashboardModule | null>(loadedDashboard)
  const [failed, setFailed] = useState<unknown>(null)
  useEffect(() => {
    if (loaded) return
    let cancelled = false
    loadDashboardPage().then(
      (m) => !cancelled && setLoaded(m),
      (e: unknown) => !cancelled && setFailed(e ?? new Error('The dashboard could not be loaded.')),
    )
    return () => {
      cancelled = true
    }
  }, [loaded])
  if (failed) throw failed
  return loaded ? <loaded.DashboardPage /> : <div className="empty">Loading dashboard…</div>
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
    case 'dashboard':
      return <DashboardRoute />
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
    case 'import':
      return <ImportPage key={route.kind} kind={route.kind} />
    case 'imports':
      return <ImportsHistoryPage />
    case 'duplicates':
      return <DuplicatesPage />
    case 'notFound':
      return <NotFound path={route.path} />
  }
}

/** Top navigation, connection indicator and the current page. */
export function Shell() {
  const { session, logout } = useSession()
  const route = useHashRoute()
  const section = routeSection(route)
  usePreloadAccountPage()
  // Narrow screens fold the navigation behind a menu button; a new page closes it.
  const [menuOpen, setMenuOpen] = useState(false)
  // biome-ignore lint/correctness/useExhaustiveDependencies: closing on every route change is the point
  useEffect(() => setMenuOpen(false), [route])
  return (
    <div className="shell">
      <header className="topbar">
        <a className="brand" href="#/pipelines">
          <span className="brand__mark">R</span> <span className="brand__name">Rapport</span>
        </a>
        <WorkspaceMenu />
        <button
          type="button"
          className="btn btn--ghost topbar__menu"
          aria-expanded={menuOpen}
          aria-controls="main-nav"
          data-testid="nav-menu"
          onClick={() => setMenuOpen((open) => !open)}
        >
          {menuOpen ? 'Close' : 'Menu'}
        </button>
        <nav id="main-nav" className={`topnav${menuOpen ? ' is-open' : ''}`} aria-label="Main">
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
          <div className="topnav__account">
            <span className="muted">
              {session.user.name} · <span className="capitalize">{session.role}</span>
            </span>
            <button type="button" className="btn" onClick={logout} data-testid="nav-logout">
              Sign out
            </button>
          </div>
        </nav>
        <div className="topbar__right">
          <CommandPalette />
          <ConnectionIndicator />
          <span
            className="topbar__user"
            data-testid="current-user"
            title={`${session.user.name} (${session.role})`}
          >
            <Avatar name={session.user.name} color={session.user.color} size="sm" />
            <span className="topbar__user-name">
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
        <AppUpdatedBanner />
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
