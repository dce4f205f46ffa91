import { accessTo } from '@rapport/model'
import { useCallback, useEffect, useMemo, useState } from 'react'
import type { z } from 'zod'
import { useCollab } from '../../collab/CollabContext.tsx'
import { ApiError, request } from '../auth/authApi.ts'
import { useSession } from '../auth/SessionContext.tsx'
import { useCustomFieldDefs } from '../customFields/useCustomFieldDefs.ts'
import { DuplicateWarning } from '../duplicates/DuplicateWarning.tsx'
import { ExportCsvLink, exportCsvHref, ImportLink } from '../imports/ExportCsvLink.tsx'
import { type ListFilter, ListToolbar } from './ListToolbar.tsx'
import type { ListColumn } from './listColumns.ts'
import { type FilterValues, type SortState, toggleSort } from './listQuery.ts'
import { type NewRowField, NewRowForm } from './NewRowForm.tsx'
import { RecordTable } from './RecordTable.tsx'
import type { RelatedKind } from './ServerListStore.ts'
import { useServerList } from './useServerList.ts'
import './lists.css'

/** The static part of a list page, per record kind. */
export interface RecordListKind<T> {
  /** The REST list (`/api/<kind>`), also the record kind of the change feed. */
  kind: 'accounts' | 'contacts'
  /** Title of the page and the table, e.g. `Accounts`; singular and plural lower-case nouns. */
  names: { title: string; one: string; many: string }
  /** A list row as the REST list returns it. */
  schema: z.ZodType<T>
  /** The "any" state of every filter. */
  noFilters: FilterValues
  /** Changes of other kinds a row shows (a contact row names its account). */
  related?: readonly RelatedKind<T>[]
}

export interface RecordListPageProps<T extends { id: string; archived?: boolean }, I> {
  kind: RecordListKind<T>
  columns: readonly ListColumn<T>[]
  filters: readonly ListFilter[]
  newFields: readonly NewRowField[]
  /** The create input (`POST /api/<kind>` body) made of the new-row form values. */
  createInput: (values: Record<string, string>) => I
  onOpen: (row: T) => void
  notice?: string | null
}

const DEFAULT_SORT: SortState = { field: 'name', dir: 'asc' }
const SEARCH_DELAY_MS = 150

/** A readable "not saved" message from a failed REST write. */
const notSaved = (error: unknown): string =>
  `Not saved — ${error instanceof ApiError || error instanceof Error ? error.message : String(error)}`

/**
 * A record list page over the REST list (server-side search, filters, sort, pages loaded as the user scrolls),
 * kept live by the change feed: toolbar (search, filters, "new"), inline new-row form and the sortable, editable
 * table. No collection document is opened: edits and creates go through `PATCH`/`POST /api/<kind>`, whose change
 * comes back through the feed to every open list.
 */
export function RecordListPage<T extends { id: string; archived?: boolean }, I>(
  props: RecordListPageProps<T, I>,
) {
  const { columns } = props
  const { kind, names, schema } = props.kind
  const { title, one, many } = names
  const { member } = useCollab()
  const access = accessTo(member, { workspaceId: member.workspaceId, kind })
  const readOnly = access !== 'write'
  const [text, setText] = useState('')
  const [filters, setFilters] = useState<FilterValues>(props.kind.noFilters)
  const [sort, setSort] = useState<SortState>(DEFAULT_SORT)
  const [creating, setCreating] = useState(false)
  const { session } = useSession()
  const { defs, settings } = useCustomFieldDefs(kind === 'accounts' ? 'account' : 'contact')
  const requiredDefs = useMemo(() => defs.filter((d) => d.required), [defs])
  // One request per pause in typing, not per key.
  const [q, setQ] = useState('')
  useEffect(() => {
    const timer = setTimeout(() => setQ(text), text === '' ? 0 : SEARCH_DELAY_MS)
    return () => clearTimeout(timer)
  }, [text])

  const sortColumn = columns.find((c) => c.field === sort.field)
  const sortParam = sortColumn?.sort ? `${sort.dir === 'desc' ? '-' : ''}${sortColumn.sort}` : null
  const list = useServerList<T>({ kind, q, sort: sortParam, filters }, schema, props.kind.related)

  const onCommit = useCallback(
    async (row: T, patch: Record<string, unknown>): Promise<string | null> => {
      const before = list.row(row.id)
      list.patchRow(row.id, patch as Partial<T>)
      try {
        const saved = await request(`/api/${kind}/${encodeURIComponent(row.id)}`, schema, {
          method: 'PATCH',
          body: JSON.stringify(patch),
        })
        list.patchRow(row.id, saved as Partial<T>)
        return null
      } catch (error) {
        if (before) list.patchRow(row.id, before)
        return notSaved(error)
      }
    },
    [list, kind, schema],
  )
  const onCreate = async (
    values: Record<string, string>,
    customFields: Record<string, unknown>,
  ): Promise<string | null> => {
    try {
      const input = props.createInput(values) as Record<string, unknown>
      await request(`/api/${kind}`, schema, {
        method: 'POST',
        body: JSON.stringify(Object.keys(customFields).length > 0 ? { ...input, customFields } : input),
      })
      return null
    } catch (error) {
      return notSaved(error)
    }
  }
  const onRange = useCallback((start: number, end: number) => list.showRange(start, end), [list])
  const onEditing = useCallback((editing: boolean) => list.setPaused(editing), [list])
  const rowAt = useCallback((index: number) => list.rowAt(index), [list])
  const rowById = useCallback((id: string) => list.row(id), [list])

  if (access === 'none')
    return (
      <div className="notice notice--error" role="alert" data-testid="no-access">
        You do not have access to {many}.
      </div>
    )

  const total = list.total
  return (
    <div className="list-page list-page--wide">
      <ListToolbar
        title={title}
        count={total ?? 0}
        total={list.overall ?? total ?? 0}
        noun={many}
        text={text}
        onText={setText}
        filters={props.filters}
        values={filters}
        onFilter={(key, value) => setFilters((f) => ({ ...f, [key]: value }))}
        canCreate={!readOnly}
        onNew={() => setCreating(true)}
        newLabel={`New ${one}`}
        actions={
          <>
            <ExportCsvLink kind={kind} href={exportCsvHref(kind, { q, sort: sortParam, filters })} />
            {!readOnly && <ImportLink kind={kind} />}
            {!readOnly && (
              <a className="btn btn--ghost export-link" href="#/duplicates" data-testid="list-duplicates">
                Duplicates
              </a>
            )}
          </>
        }
      />
      {props.notice && (
        <div className="notice notice--info" role="status" data-testid="list-notice">
          {props.notice}
        </div>
      )}
      {list.error && (
        <div className="notice notice--error" role="alert" data-testid="list-load-error">
          Could not load {many}: {list.error}
        </div>
      )}
      {creating && !readOnly && (
        <NewRowForm
          fields={props.newFields}
          submitLabel={`Create ${one}`}
          onCreate={onCreate}
          requiredFields={{
            defs: requiredDefs,
            members: session.members,
            currency: settings?.currency.base ?? 'USD',
          }}
          onClose={() => setCreating(false)}
          aside={(values) => (
            <DuplicateWarning kind={kind} record={props.createInput(values) as Record<string, unknown>} />
          )}
        />
      )}
      {total === null ? (
        <div className="empty">Loading {many}…</div>
      ) : (
        <RecordTable
          testId={`list-${many}`}
          label={title}
          columns={columns}
          count={total}
          rowAt={rowAt}
          rowById={rowById}
          onRange={onRange}
          onEditing={onEditing}
          readOnly={readOnly}
          sort={sort}
          onSort={(field) => setSort((s) => toggleSort(s, field))}
          onOpen={props.onOpen}
          onCommit={onCommit}
          empty={
            list.overall === 0 && total === 0
              ? `No ${many} yet.`
              : `No ${one} matches the search and filters.`
          }
        />
      )}
    </div>
  )
}
