import { ID_PATTERN } from '@rapport/model'

export type Route =
  | { name: 'pipelines'; pipelineId: string | null }
  | { name: 'dashboard' }
  | { name: 'workspaceSettings'; section: SettingsSection }
  | { name: 'accounts' }
  | { name: 'account'; accountId: string }
  | { name: 'contacts' }
  | { name: 'contact'; contactId: string }
  | { name: 'deal'; dealId: string }
  | { name: 'support' }
  | { name: 'ticket'; ticketId: string }
  | { name: 'inbox' }
  | { name: 'tasks' }
  | { name: 'trash' }
  | { name: 'members' }
  | { name: 'tokens' }
  | { name: 'profile' }
  | { name: 'signup' }
  | { name: 'invite'; token: string }
  | { name: 'import'; kind: ImportKind }
  | { name: 'imports' }
  | { name: 'duplicates' }
  | { name: 'notFound'; path: string }

/** The record kinds the import wizard takes (`#/import/<kind>`). */
export const IMPORT_ROUTE_KINDS = ['accounts', 'contacts', 'deals', 'tickets'] as const
export type ImportKind = (typeof IMPORT_ROUTE_KINDS)[number]
const isImportKind = (id: string): id is ImportKind => (IMPORT_ROUTE_KINDS as readonly string[]).includes(id)

export const NAV_ITEMS = [
  { name: 'pipelines', label: 'Pipelines', href: '#/pipelines' },
  { name: 'dashboard', label: 'Dashboard', href: '#/dashboard' },
  { name: 'accounts', label: 'Accounts', href: '#/accounts' },
  { name: 'contacts', label: 'Contacts', href: '#/contacts' },
  { name: 'support', label: 'Support', href: '#/support' },
  { name: 'tasks', label: 'My tasks', href: '#/tasks' },
  { name: 'inbox', label: 'Inbox', href: '#/inbox' },
  { name: 'trash', label: 'Trash', href: '#/trash' },
  { name: 'workspaceSettings', label: 'Settings', href: '#/settings/pipelines' },
] as const

/** The pages of the workspace settings (`#/settings/<section>`; `#/settings` alone is the user's own account). */
export const SETTINGS_SECTIONS = ['pipelines', 'fields', 'sla', 'currency', 'workspace'] as const
export type SettingsSection = (typeof SETTINGS_SECTIONS)[number]
const isSettingsSection = (id: string): id is SettingsSection =>
  (SETTINGS_SECTIONS as readonly string[]).includes(id)

/** Parses a location hash (`#/accounts/acc_1`) into a route. Unknown or malformed paths become `notFound`. */
export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '').replace(/\/+$/, '') || '/pipelines'
  const parts = path.split('/').filter(Boolean)
  const [section, id, ...rest] = parts
  if (rest.length > 0) return { name: 'notFound', path }
  if (section === 'settings' && id !== undefined)
    return isSettingsSection(id) ? { name: 'workspaceSettings', section: id } : { name: 'notFound', path }
  if (id !== undefined && !ID_PATTERN.test(id)) return { name: 'notFound', path }
  switch (section) {
    case 'pipelines':
      return { name: 'pipelines', pipelineId: id ?? null }
    case 'accounts':
      return id ? { name: 'account', accountId: id } : { name: 'accounts' }
    case 'contacts':
      return id ? { name: 'contact', contactId: id } : { name: 'contacts' }
    case 'deals':
      return id ? { name: 'deal', dealId: id } : { name: 'notFound', path }
    case 'support':
      return id ? { name: 'ticket', ticketId: id } : { name: 'support' }
    case 'dashboard':
    case 'inbox':
    case 'tasks':
    case 'trash':
      return id ? { name: 'notFound', path } : { name: section }
    case 'members':
    case 'tokens':
    case 'profile':
    case 'signup':
      return id ? { name: 'notFound', path } : { name: section }
    case 'settings': // `#/settings` alone: the user's own account
      return id ? { name: 'notFound', path } : { name: 'profile' }
    case 'invite':
      return id ? { name: 'invite', token: id } : { name: 'notFound', path }
    case 'import':
      return id && isImportKind(id) ? { name: 'import', kind: id } : { name: 'notFound', path }
    case 'imports':
    case 'duplicates':
      return id ? { name: 'notFound', path } : { name: section }
    default:
      return { name: 'notFound', path }
  }
}

export function routeHref(route: Route): string {
  switch (route.name) {
    case 'pipelines':
      return route.pipelineId ? `#/pipelines/${route.pipelineId}` : '#/pipelines'
    case 'workspaceSettings':
      return `#/settings/${route.section}`
    case 'account':
      return `#/accounts/${route.accountId}`
    case 'contact':
      return `#/contacts/${route.contactId}`
    case 'deal':
      return `#/deals/${route.dealId}`
    case 'ticket':
      return `#/support/${route.ticketId}`
    case 'invite':
      return `#/invite/${route.token}`
    case 'import':
      return `#/import/${route.kind}`
    case 'notFound':
      return `#${route.path}`
    default:
      return `#/${route.name}`
  }
}

const SECTION_OF: Partial<Record<Route['name'], string>> = {
  account: 'accounts',
  contact: 'contacts',
  deal: 'pipelines',
  ticket: 'support',
  imports: 'workspaceSettings',
  duplicates: 'workspaceSettings',
}

/** The top-nav section a route belongs to. */
export function routeSection(route: Route): string {
  return SECTION_OF[route.name] ?? route.name
}
