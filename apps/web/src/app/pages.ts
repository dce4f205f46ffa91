import { loadCharts } from '../features/reports/chartModule.ts'
import { lazyPage } from './lazyPage.tsx'
import type { Route } from './route.ts'

/**
 * Every page is its own chunk (or shares one with the pages it shares code with): the main bundle holds React, the
 * model, Yjs, the collaboration client and the shell only, so a first visit evaluates just what its page needs. The
 * account room (Tiptap) and the board (dnd-kit, virtualization) no longer pay for each other, nor for settings,
 * imports or duplicates. index.html preloads the first page's chunks while the main bundle loads
 * (`routePreload` in vite.config.ts); `preloadRoute` imports it as soon as the bundle runs.
 */
export const pages = {
  pipelines: lazyPage(() => import('../features/pipeline/PipelinesPage.tsx').then((m) => m.PipelinesPage)),
  dashboard: lazyPage(
    () => import('../features/reports/DashboardPage.tsx').then((m) => m.DashboardPage),
    'Loading dashboard…',
  ),
  settings: lazyPage(() => import('../features/settings/SettingsPage.tsx').then((m) => m.SettingsPage)),
  accounts: lazyPage(() => import('../features/lists/AccountsList.tsx').then((m) => m.AccountsList)),
  account: lazyPage(() => import('../features/account/AccountPage.tsx').then((m) => m.AccountPage)),
  contacts: lazyPage(() => import('../features/lists/ContactsList.tsx').then((m) => m.ContactsList)),
  contact: lazyPage(() => import('../features/contact/ContactPage.tsx').then((m) => m.ContactPage)),
  deal: lazyPage(() => import('../features/deal/DealPage.tsx').then((m) => m.DealPage)),
  support: lazyPage<{ ticketId?: string | null }>(() =>
    import('../features/support/SupportPage.tsx').then((m) => m.SupportPage),
  ),
  inbox: lazyPage(() => import('../features/inbox/InboxPage.tsx').then((m) => m.InboxPage)),
  tasks: lazyPage(() => import('../features/tasks/MyTasksPage.tsx').then((m) => m.MyTasksPage)),
  trash: lazyPage(() => import('../features/trash/TrashPage.tsx').then((m) => m.TrashPage)),
  members: lazyPage(() => import('../features/workspace/MembersPage.tsx').then((m) => m.MembersPage)),
  tokens: lazyPage(() => import('../features/workspace/ApiTokensPage.tsx').then((m) => m.ApiTokensPage)),
  profile: lazyPage(() =>
    import('../features/workspace/AccountSettingsPage.tsx').then((m) => m.AccountSettingsPage),
  ),
  import: lazyPage(() => import('../features/imports/ImportPage.tsx').then((m) => m.ImportPage)),
  imports: lazyPage(() =>
    import('../features/imports/ImportsHistoryPage.tsx').then((m) => m.ImportsHistoryPage),
  ),
  duplicates: lazyPage(() =>
    import('../features/duplicates/DuplicatesPage.tsx').then((m) => m.DuplicatesPage),
  ),
}

/** What the preloads need of a page. */
type Preloadable = { preload(): Promise<unknown> }

/** The lazy page a route shows (`null` for the routes the shell or the app draws itself). */
export function pageOf(route: Route): Preloadable | null {
  switch (route.name) {
    case 'pipelines':
    case 'dashboard':
    case 'accounts':
    case 'account':
    case 'contacts':
    case 'contact':
    case 'deal':
    case 'support':
    case 'inbox':
    case 'tasks':
    case 'trash':
    case 'members':
    case 'tokens':
    case 'profile':
    case 'import':
    case 'imports':
    case 'duplicates':
      return pages[route.name]
    case 'ticket':
      return pages.support
    case 'workspaceSettings':
      return pages.settings
    case 'signup':
    case 'invite':
    case 'notFound':
      return null
  }
}

/**
 * Starts loading the chunks of `route`'s page (the dashboard's charts too). Called once when the app starts, before
 * the session check answers, so the page is evaluated by the time the shell renders.
 */
export function preloadRoute(route: Route): void {
  pageOf(route)
    ?.preload()
    .catch(() => undefined) // a failure shows when the page renders
  if (route.name === 'dashboard') loadCharts().catch(() => undefined)
}

/**
 * The pages fetched and evaluated one by one when the browser is idle after the first page, so that in-app
 * navigation does not wait for a chunk: the account room first. The dashboard (recharts) loads when it opens.
 */
export const IDLE_PRELOADS: readonly Preloadable[] = [
  pages.account,
  pages.pipelines,
  pages.accounts,
  pages.contacts,
  pages.contact,
  pages.deal,
  pages.support,
  pages.tasks,
  pages.inbox,
  pages.trash,
  pages.settings,
  pages.members,
  pages.tokens,
  pages.profile,
  pages.imports,
  pages.import,
  pages.duplicates,
]
