import { ID_PATTERN } from '@rapport/model'

export type Route =
  | { name: 'pipelines'; pipelineId: string | null }
  | { name: 'accounts' }
  | { name: 'account'; accountId: string }
  | { name: 'contacts' }
  | { name: 'support' }
  | { name: 'inbox' }
  | { name: 'notFound'; path: string }

export const NAV_ITEMS = [
  { name: 'pipelines', label: 'Pipelines', href: '#/pipelines' },
  { name: 'accounts', label: 'Accounts', href: '#/accounts' },
  { name: 'contacts', label: 'Contacts', href: '#/contacts' },
  { name: 'support', label: 'Support', href: '#/support' },
  { name: 'inbox', label: 'Inbox', href: '#/inbox' },
] as const

/** Parses a location hash (`#/accounts/acc_1`) into a route. Unknown or malformed paths become `notFound`. */
export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '').replace(/\/+$/, '') || '/pipelines'
  const parts = path.split('/').filter(Boolean)
  const [section, id, ...rest] = parts
  if (rest.length > 0) return { name: 'notFound', path }
  if (id !== undefined && !ID_PATTERN.test(id)) return { name: 'notFound', path }
  switch (section) {
    case 'pipelines':
      return { name: 'pipelines', pipelineId: id ?? null }
    case 'accounts':
      return id ? { name: 'account', accountId: id } : { name: 'accounts' }
    case 'contacts':
    case 'support':
    case 'inbox':
      return id ? { name: 'notFound', path } : { name: section }
    default:
      return { name: 'notFound', path }
  }
}

export function routeHref(route: Route): string {
  switch (route.name) {
    case 'pipelines':
      return route.pipelineId ? `#/pipelines/${route.pipelineId}` : '#/pipelines'
    case 'account':
      return `#/accounts/${route.accountId}`
    case 'notFound':
      return `#${route.path}`
    default:
      return `#/${route.name}`
  }
}

/** The top-nav section a route belongs to. */
export function routeSection(route: Route): string {
  return route.name === 'account' ? 'accounts' : route.name
}
