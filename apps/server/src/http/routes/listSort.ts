import type { Hocuspocus } from '@hocuspocus/server'
import type { CustomFieldEntity } from '@rapport/model'
import { badRequest } from '../../errors.ts'
import { customSortType, type IndexListQuery } from '../../recordIndex/RecordIndex.ts'
import { readWorkspaceSettings } from '../../settings/SettingsService.ts'
import type { ListKind } from './recordQueries.ts'

const ENTITY: Readonly<Record<ListKind, CustomFieldEntity>> = {
  accounts: 'account',
  contacts: 'contact',
  deals: 'deal',
  tickets: 'ticket',
}

/** Sorts by a member (`owner`, `assignee`): they order by the member's display name. */
const MEMBER_SORTS = new Set(['owner', 'assignee'])

/**
 * What the record index needs besides `sort` for `GET /api/<kind>?sort=…` (RecordIndex.ts `IndexListQuery`): the
 * members' display names for `owner` / `assignee` / a member custom field, and for `cf.<fieldId>` how the field's
 * definition sorts (`customSortType`). A `cf.` sort naming no custom field of this kind answers 400 in plain words.
 * The workspace document is read only for a `cf.` sort.
 */
export async function listSortOptions(
  hocuspocus: Hocuspocus,
  workspaceId: string,
  kind: ListKind,
  sort: string | undefined,
  memberNames: () => Readonly<Record<string, string>> | undefined,
): Promise<Pick<IndexListQuery, 'customSort' | 'memberNames'>> {
  if (!sort) return {}
  const field = sort.startsWith('-') ? sort.slice(1) : sort
  if (MEMBER_SORTS.has(field)) return { memberNames: memberNames() ?? {} }
  if (!field.startsWith('cf.')) return {}
  const fieldId = field.slice('cf.'.length)
  const settings = await readWorkspaceSettings(hocuspocus, workspaceId)
  const def = settings.customFields.find((d) => d.id === fieldId && d.entity === ENTITY[kind])
  if (!def) throw badRequest(`${kind} have no custom field ${fieldId} to sort by.`, 'invalid_input')
  const customSort = customSortType(def.type)
  return customSort === 'member' ? { customSort, memberNames: memberNames() ?? {} } : { customSort }
}
