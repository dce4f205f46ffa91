import { useEffect, useState } from 'react'
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
import { SupportPage } from '../features/support/SupportPage.tsx'
import { MyTasksPage } from '../features/tasks/MyTasksPage.tsx'
import { TrashPage } from '../features/trash/TrashPage.tsx'
import { AppUpdatedBanner } from '../features/workspace/AppUpdatedBanner.tsx'
import { WorkspaceMenu } from '../features/workspace/WorkspaceMenu.tsx'
import { Avatar } from '../ui/Avatar.tsx'
import { ErrorBoundary } from '../ui/ErrorBoundary.tsx'
import { NotFound } from './NotFound.tsx'
import { IDLE_PRELOADS, pages } from './pages.ts'
import { NAV_ITEMS, type Route, routeSection } from './route.ts'
import './shell.css'
import { useHashRoute } from './useHashRoute.ts'

/** How long after the shell mounts the other pages' chunks start loading (the first page's work goes first). */
const IDLE_PRELOAD_DELAY_MS = 1_500

/**
 * Fetches and evaluates the other pages' chunks one by one when the browser is idle after the first page, so in-app
 * navigation (and navigation offline) does not wait for them: the board and the account room first. Not at once: the first
 * page is still waiting for its document then, and an idle moment in that wait is not a moment to spare.
 */
function useIdlePreloads(): void {
  useEffect(() => {
    let cancelled = false
    let cancel = () => {}
    const next = (i: number) => {
      const page = IDLE_PRELOADS[i]
      if (cancelled || !page) return
      const run = () => {
        page
          .preload()
          .catch(() => undefined)
          .then(() => next(i + 1))
      }
      if (typeof window.requestIdleCallback === 'function') {
        const id = window.requestIdleCallback(run, { timeout: 5_000 })
        cancel = () => window.cancelIdleCallback(id)
      } else {
        const timer = setTimeout(run, 50)
        cancel = () => clearTimeout(timer)
      }
    }
    const timer = setTimeout(() => next(0), IDLE_PRELOAD_DELAY_MS)
    cancel = () => clearTimeout(timer)
    return () => {
      cancelled = true
      cancel()
    }
  }, [])
}

function Page({ route }: { route: Route }) {
  switch (route.name) {
    case 'pipelines':
      return <pages.pipelines.Page pipelineId={route.pipelineId} />
    case 'dashboard':
      return <pages.dashboard.Page />
    case 'workspaceSettings':
      return <pages.settings.Page section={route.section} />
    case 'accounts':
      return <AccountsList />
    case 'account':
      return <pages.account.Page accountId={route.accountId} />
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
      return <pages.members.Page />
    case 'tokens':
      return <pages.tokens.Page />
    case 'profile':
      return <pages.profile.Page />
    case 'signup':
      return <div className="empty">You are signed in: create another workspace from the workspace menu.</div>
    case 'invite':
      return null // App shows the invitation page outside the shell
    case 'import':
      return <pages.import.Page key={route.kind} kind={route.kind} />
    case 'imports':
      return <pages.imports.Page />
    case 'duplicates':
      return <pages.duplicates.Page />
    case 'notFound':
      return <NotFound path={route.path} />
  }
}

/** Top navigation, connection indicator and the current page. */
export function Shell() {
  const { session, logout } = useSession()
  const route = useHashRoute()
  const section = routeSection(route)
  useIdlePreloads()
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
          <Page route={route} />
        </ErrorBoundary>
      </main>
    </div>
  )
}
