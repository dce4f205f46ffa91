import { useCallback, useDeferredValue, useMemo, useRef, useState } from 'react'
import type * as Y from 'yjs'
import type { z } from 'zod'
import type { LiveSnapshot } from '../../collab/LiveRecords.ts'
import { LOCAL_ORIGIN } from '../../collab/localOrigin.ts'
import type { UseDocResult } from '../../collab/useDoc.ts'
import { useServerCopy } from '../../collab/useServerCopy.ts'
import { authApi } from '../auth/authApi.ts'
import { type ListFilter, ListToolbar } from './ListToolbar.tsx'
import type { ListColumn } from './listColumns.ts'
import { type FilterValues, filterRows, type SortState, sortRows, toggleSort } from './listQuery.ts'
import { type NewRowField, NewRowForm } from './NewRowForm.tsx'
import { RecordTable } from './RecordTable.tsx'
import { runCommand } from './runCommand.ts'
import './lists.css'

/** The static part of a list page, per record kind. */
export interface RecordListKind<T, I> {
  /** Title of the page and the table, e.g. `Accounts`; singular and plural lower-case nouns. */
  names: { title: string; one: string; many: string }
  /** Search text of a row, the "any" state of every filter, and the value a filter compares against. */
  query: {
    haystack: (row: T) => string
    noFilters: FilterValues
    filterValue: (row: T, key: string) => string | null
  }
  /**
   * The first page from the REST API (sorted like the list's default sort, by name), shown read-only while the
   * collection document syncs.
   */
  preview: { path: string; schema: z.ZodType<T> }
  /** The kind's model commands. */
  commands: {
    update: (doc: Y.Doc, id: string, patch: Record<string, unknown>, origin: unknown) => unknown
    create: (doc: Y.Doc, input: I, origin: unknown) => unknown
  }
}

export interface RecordListPageProps<T extends { id: string; archived?: boolean }, I> {
  kind: RecordListKind<T, I>
  /** The document the records live in (and are written to). */
  recordsDoc: UseDocResult
  records: LiveSnapshot<T>
  columns: readonly ListColumn<T>[]
  /**
   * Re-sorts the rows when this value changes (besides rows and sort state); columns are read at that time.
   * Defaults to the columns themselves.
   */
  resortOn?: (sortField: string) => unknown
  filters: readonly ListFilter[]
  newFields: readonly NewRowField[]
  /** The create command input made of the new-row form values. */
  createInput: (values: Record<string, string>) => I
  onOpen: (row: T) => void
  notice?: string | null
}

const DEFAULT_SORT: SortState = { field: 'name', dir: 'asc' }
const ignoreSort = () => {}
const notYet = () => 'Not synced yet.'

/** A live record list page: toolbar (search, filters, "new"), inline new-row form and the sortable, editable table. */
export function RecordListPage<T extends { id: string; archived?: boolean }, I>(
  props: RecordListPageProps<T, I>,
) {
  const { recordsDoc, records, columns } = props
  const { title, one, many } = props.kind.names
  const { haystack, filterValue } = props.kind.query
  const { update, create } = props.kind.commands
  const { doc, readOnly } = recordsDoc
  const [text, setText] = useState('')
  const [filters, setFilters] = useState<FilterValues>(props.kind.query.noFilters)
  const [sort, setSort] = useState<SortState>(DEFAULT_SORT)
  const [creating, setCreating] = useState(false)
  const deferredText = useDeferredValue(text)

  const live = useMemo(() => [...records.byId.values()].filter((r) => !r.archived), [records])
  const columnsRef = useRef(columns)
  columnsRef.current = columns
  const resortOn = props.resortOn ? props.resortOn(sort.field) : columns
  // biome-ignore lint/correctness/useExhaustiveDependencies: resortOn is the trigger; columns are read via ref
  const sorted = useMemo(() => {
    const cols = columnsRef.current
    const column = cols.find((c) => c.field === sort.field) ?? cols[0]
    return column ? sortRows(live, column.sortValue, sort.dir) : live
  }, [live, sort, resortOn])
  const rows = useMemo(
    () => filterRows(sorted, { text: deferredText, haystack, filters, filterValue }),
    [sorted, deferredText, filters, haystack, filterValue],
  )

  // Until the document has synced (or an offline copy holds records), show the server's first page.
  const waiting = !recordsDoc.synced && records.byId.size === 0
  const { path, schema } = props.kind.preview
  const preview = useServerCopy(path, () => authApi.list(path, schema), waiting)
  const previewRows = useMemo(
    () => (preview ? filterRows(preview.items, { text: deferredText, haystack, filters, filterValue }) : []),
    [preview, deferredText, haystack, filters, filterValue],
  )

  const onCommit = useCallback(
    (row: T, patch: Record<string, unknown>) =>
      doc ? runCommand(() => update(doc, row.id, patch, LOCAL_ORIGIN)) : 'Not connected yet.',
    [doc, update],
  )
  const onCreate = (values: Record<string, string>) =>
    doc ? runCommand(() => create(doc, props.createInput(values), LOCAL_ORIGIN)) : 'Not connected yet.'

  if (recordsDoc.noAccess)
    return (
      <div className="notice notice--error" role="alert" data-testid="no-access">
        You do not have access to {many}
        {recordsDoc.denied ? ' (the server refused the document)' : ''}.
      </div>
    )

  return (
    <div className="list-page list-page--wide">
      <ListToolbar
        title={title}
        count={waiting ? previewRows.length : rows.length}
        total={waiting ? (preview?.total ?? 0) : live.length}
        noun={many}
        text={text}
        onText={setText}
        filters={props.filters}
        values={filters}
        onFilter={(key, value) => setFilters((f) => ({ ...f, [key]: value }))}
        canCreate={!readOnly && !waiting}
        onNew={() => setCreating(true)}
        newLabel={`New ${one}`}
      />
      {props.notice && (
        <div className="notice notice--info" role="status" data-testid="list-notice">
          {props.notice}
        </div>
      )}
      {creating && !readOnly && (
        <NewRowForm
          fields={props.newFields}
          submitLabel={`Create ${one}`}
          onCreate={onCreate}
          onClose={() => setCreating(false)}
        />
      )}
      {waiting ? (
        preview ? (
          <>
            <p className="hint" role="status" data-testid="list-syncing">
              Syncing {many}… showing the first {preview.items.length} of {preview.total} meanwhile (read
              only).
            </p>
            <RecordTable
              testId={`list-${many}-preview`}
              label={title}
              columns={columns}
              rows={previewRows}
              readOnly
              sort={DEFAULT_SORT}
              onSort={ignoreSort}
              onOpen={props.onOpen}
              onCommit={notYet}
              empty={`No ${one} matches the search and filters.`}
            />
          </>
        ) : (
          <div className="empty">Loading {many}…</div>
        )
      ) : (
        <RecordTable
          testId={`list-${many}`}
          label={title}
          columns={columns}
          rows={rows}
          readOnly={readOnly}
          sort={sort}
          onSort={(field) => setSort((s) => toggleSort(s, field))}
          onOpen={props.onOpen}
          onCommit={onCommit}
          empty={live.length === 0 ? `No ${many} yet.` : `No ${one} matches the search and filters.`}
        />
      )}
    </div>
  )
}
