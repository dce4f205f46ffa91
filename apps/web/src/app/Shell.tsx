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
import { PipelinesPage } from '../features/pipeline/PipelinesPage.tsx'
import { SupportPage } from '../features/support/SupportPage.tsx'
import { MyTasksPage } from '../features/tasks/MyTasksPage.tsx'
import { TrashPage } from '../features/trash/TrashPage.tsx'
import { AppUpdatedBanner } from '../features/workspace/AppUpdatedBanner.tsx'
import { WorkspaceMenu } from '../features/workspace/WorkspaceMenu.tsx'
import { Avatar } from '../ui/Avatar.tsx'
import { ErrorBoundary } from '../ui/ErrorBoundary.tsx'
import { NotFound } from './NotFound.tsx'
import { type PageChunk, pageChunk, usePageChunk } from './pageChunk.ts'
import {
  type ImportKind,
  NAV_ITEMS,
  parseRoute,
  type Route,
  routeSection,
  type SettingsSection,
} from './route.ts'
import './shell.css'
import { useHashRoute } from './useHashRoute.ts'

// Pages in chunks of their own, rendered without Suspense (`usePageChunk`). The account room (Tiptap) and the
// dashboard (recharts) are large; settings, imports, duplicates and the workspace pages are rarely a first visit. The
// board, the lists and the record pages stay in the main bundle: the board's first paint must not wait for a chunk,
// and the lists and record pages open offline before any chunk has loaded.
const chunks = {
  account: pageChunk(() => import('../features/account/AccountPage.tsx')),
  dashboard: pageChunk(() => import('../features/reports/DashboardPage.tsx')),
  settings: pageChunk(() => import('../features/settings/SettingsPage.tsx')),
  import: pageChunk(() => import('../features/imports/ImportPage.tsx')),
  imports: pageChunk(() => import('../features/imports/ImportsHistoryPage.tsx')),
  duplicates: pageChunk(() => import('../features/duplicates/DuplicatesPage.tsx')),
  members: pageChunk(() => import('../features/workspace/MembersPage.tsx')),
  tokens: pageChunk(() => import('../features/workspace/ApiTokensPage.tsx')),
  profile: pageChunk(() => import('../features/workspace/AccountSettingsPage.tsx')),
}

// The dashboard's chunks load as soon as the main bundle runs, while the session check answers. Not the account room's:
// index.html has already fetched it beside the main bundle, and evaluating it is better left until the session has
// started the room's document (App), so that the room's sync runs while the chunk evaluates.
if (typeof window !== 'undefined' && parseRoute(window.location.hash).name === 'dashboard') {
  chunks.dashboard.load().catch(() => undefined) // a failure shows when the page renders
  import('../features/reports/ReportChart.tsx').catch(() => undefined) // the charts' chunk, side by side
}

const loading = (what: string) => <div className="empty">{`Loading ${what}…`}</div>

function AccountRoute({ accountId }: { accountId: string }) {
  const m = usePageChunk(chunks.account)
  return m ? <m.AccountPage accountId={accountId} /> : loading('account')
}

function DashboardRoute() {
  const m = usePageChunk(chunks.dashboard)
  return m ? <m.DashboardPage /> : loading('dashboard')
}

function SettingsRoute({ section }: { section: SettingsSection }) {
  const m = usePageChunk(chunks.settings)
  return m ? <m.SettingsPage section={section} /> : loading('settings')
}

function ImportRoute({ kind }: { kind: ImportKind }) {
  const m = usePageChunk(chunks.import)
  return m ? <m.ImportPage kind={kind} /> : loading('import')
}

function ImportsRoute() {
  const m = usePageChunk(chunks.imports)
  return m ? <m.ImportsHistoryPage /> : loading('imports')
}

function DuplicatesRoute() {
  const m = usePageChunk(chunks.duplicates)
  return m ? <m.DuplicatesPage /> : loading('duplicates')
}

function MembersRoute() {
  const m = usePageChunk(chunks.members)
  return m ? <m.MembersPage /> : loading('members')
}

function TokensRoute() {
  const m = usePageChunk(chunks.tokens)
  return m ? <m.ApiTokensPage /> : loading('API tokens')
}

function ProfileRoute() {
  const m = usePageChunk(chunks.profile)
  return m ? <m.AccountSettingsPage /> : loading('your account')
}

/**
 * Fetches the page chunks one by one when the browser is idle after sign-in, the account room first, so in-app
 * navigation (and navigation offline) seldom waits for one.
 */
function usePreloadPages(): void {
  useEffect(() => {
    // Not the dashboard: recharts takes a long task to evaluate, which could land in the middle of a board's sync.
    const { dashboard: _notPreloaded, ...rest } = chunks
    const queue: Array<PageChunk<unknown>> = Object.values(rest)
    let cancel = () => {}
    const next = () => {
      const chunk = queue.shift()
      if (!chunk) return
      const run = () => void chunk.load().then(next, next)
      if (typeof window.requestIdleCallback === 'function') {
        const id = window.requestIdleCallback(run, { timeout: 5_000 })
        cancel = () => window.cancelIdleCallback(id)
      } else {
        const timer = setTimeout(run, 2_000)
        cancel = () => clearTimeout(timer)
      }
    }
    next()
    return () => {
      queue.length = 0
      cancel()
    }
  }, [])
}

function Page({ route }: { route: Route }) {
  switch (route.name) {
    case 'pipelines':
      return <PipelinesPage pipelineId={route.pipelineId} />
    case 'dashboard':
      return <DashboardRoute />
    case 'workspaceSettings':
      return <SettingsRoute section={route.section} />
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
      return <MembersRoute />
    case 'tokens':
      return <TokensRoute />
    case 'profile':
      return <ProfileRoute />
    case 'signup':
      return <div className="empty">You are signed in: create another workspace from the workspace menu.</div>
    case 'invite':
      return null // App shows the invitation page outside the shell
    case 'import':
      return <ImportRoute key={route.kind} kind={route.kind} />
    case 'imports':
      return <ImportsRoute />
    case 'duplicates':
      return <DuplicatesRoute />
    case 'notFound':
      return <NotFound path={route.path} />
  }
}

/** Top navigation, connection indicator and the current page. */
export function Shell() {
  const { session, logout } = useSession()
  const route = useHashRoute()
  const section = routeSection(route)
  usePreloadPages()
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
