import { loadCharts } from '../features/reports/chartModule.ts'
import { lazyPage } from './lazyPage.tsx'
import type { Route } from './route.ts'

/**
 * The board (dnd-kit, virtualization), the account room (Tiptap), the dashboard (recharts) and the settings, import,
 * duplicates and workspace pages are each their own chunk (or share one with the pages they share code with): a first
 * visit evaluates just what its page needs. The lists and the record pages opened from them stay in the main bundle
 * with React, the model, Yjs, the collaboration client and the shell, so they open offline too (`pageOf`). index.html
 * preloads the first page's chunks while the main bundle loads (`routePreload` in vite.config.ts); `preloadRoute`
 * imports it as soon as the bundle runs.
 */
export const pages = {
  pipelines: lazyPage(() => import('../features/pipeline/PipelinesPage.tsx').then((m) => m.PipelinesPage)),
  dashboard: lazyPage(
    () => import('../features/reports/DashboardPage.tsx').then((m) => m.DashboardPage),
    'Loading dashboard…',
  ),
  settings: lazyPage(() => import('../features/settings/SettingsPage.tsx').then((m) => m.SettingsPage)),
  account: lazyPage(() => import('../features/account/AccountPage.tsx').then((m) => m.AccountPage)),
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

/** The lazy page a route shows (`null` for the pages of the main bundle and the routes the app draws itself). */
export function pageOf(route: Route): Preloadable | null {
  switch (route.name) {
    case 'pipelines':
    case 'dashboard':
    case 'account':
    case 'members':
    case 'tokens':
    case 'profile':
    case 'import':
    case 'imports':
    case 'duplicates':
      return pages[route.name]
    case 'workspaceSettings':
      return pages.settings
    case 'accounts':
    case 'contacts':
    case 'contact':
    case 'deal':
    case 'support':
    case 'ticket':
    case 'inbox':
    case 'tasks':
    case 'trash':
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
 * navigation (and navigation offline) does not wait for a chunk: the board and the account room first. The
 * dashboard (recharts) loads when it opens.
 */
export const IDLE_PRELOADS: readonly Preloadable[] = [
  pages.pipelines,
  pages.account,
  pages.settings,
  pages.members,
  pages.tokens,
  pages.profile,
  pages.imports,
  pages.import,
  pages.duplicates,
]
