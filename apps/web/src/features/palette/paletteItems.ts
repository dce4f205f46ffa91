import { NAV_ITEMS } from '../../app/route.ts'

/** A search hit as `GET /api/search` returns it (`kind` is the plural search kind: accounts, deals…). */
export interface SearchHitLike {
  kind: string
  id: string
  title: string
  subtitle?: string | null
  accountId?: string | null
}

export type PaletteKind = 'command' | 'account' | 'contact' | 'deal' | 'ticket' | 'note'

export interface PaletteItem {
  kind: PaletteKind
  id: string
  title: string
  subtitle: string
  href: string
}

const KIND_OF: Readonly<Record<string, PaletteKind>> = {
  accounts: 'account',
  contacts: 'contact',
  deals: 'deal',
  tickets: 'ticket',
  notes: 'note',
}

export const KIND_LABEL: Readonly<Record<PaletteKind, string>> = {
  command: 'Go to',
  account: 'Account',
  contact: 'Contact',
  deal: 'Deal',
  ticket: 'Ticket',
  note: 'Notes',
}

/**
 * Where a hit opens: the record itself — an account → its room, a contact → its page, a deal → its page, a ticket →
 * the support board with its drawer open; notes → their account room. Unknown kinds are dropped.
 */
export function hitToItem(hit: SearchHitLike): PaletteItem | null {
  const kind = KIND_OF[hit.kind]
  if (!kind) return null
  let href: string | null
  switch (kind) {
    case 'account':
      href = `#/accounts/${hit.id}`
      break
    case 'note':
      href = hit.accountId ? `#/accounts/${hit.accountId}` : null
      break
    case 'contact':
      href = `#/contacts/${hit.id}`
      break
    case 'deal':
      href = `#/deals/${hit.id}`
      break
    case 'ticket':
      href = `#/support/${hit.id}`
      break
    default:
      href = null
  }
  if (href === null) return null
  return { kind, id: hit.id, title: hit.title, subtitle: hit.subtitle ?? '', href }
}

/** Navigation commands ("Go to Accounts") whose label matches every word of the query. */
export function matchCommands(query: string): PaletteItem[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean)
  return NAV_ITEMS.filter((item) => {
    const text = `go to ${item.label}`.toLowerCase()
    return words.every((w) => text.includes(w))
  }).map((item) => ({
    kind: 'command' as const,
    id: item.name,
    title: `Go to ${item.label}`,
    subtitle: '',
    href: item.href,
  }))
}

/** The palette's list: search hits first (when there is a query), then matching commands. */
export function paletteItems(query: string, hits: readonly SearchHitLike[]): PaletteItem[] {
  const records = query.trim() ? hits.map(hitToItem).filter((i): i is PaletteItem => i !== null) : []
  return [...records, ...matchCommands(query)]
}

/** Arrow-key movement through `count` items, wrapping at both ends; -1 (nothing) when the list is empty. */
export function moveSelection(index: number, delta: number, count: number): number {
  if (count === 0) return -1
  if (index < 0) return delta >= 0 ? 0 : count - 1
  return (((index + delta) % count) + count) % count
}
