import { useVirtualizer } from '@tanstack/react-virtual'
import { useEffect, useRef, useState } from 'react'
import { NARROW_SCREEN, useMediaQuery } from '../../ui/useMediaQuery.ts'
import { changedUnderneath, startEditing, valueToCommit } from '../account/draftField.ts'
import { type CellEdit, CellInput } from './EditableCell.tsx'
import type { ListColumn } from './listColumns.ts'
import type { SortState } from './listQuery.ts'

const ROW_HEIGHT = 40
/** A row as a card on a narrow screen: one line per column (measured once shown). */
const cardHeight = (columns: number) => 26 + columns * 24

export interface RecordTableProps<T extends { id: string }> {
  testId: string
  label: string
  columns: readonly ListColumn<T>[]
  /** Number of rows (filtered, sorted); rows not loaded yet show as placeholders. */
  count: number
  rowAt: (index: number) => T | undefined
  /** A loaded row by id (the row being edited). */
  rowById: (id: string) => T | undefined
  /** The rows on screen changed: `start`…`end` (exclusive), with overscan. */
  onRange?: (start: number, end: number) => void
  /** A cell editor opened (true) or closed (false): the list keeps its rows in place meanwhile. */
  onEditing?: (editing: boolean) => void
  readOnly: boolean
  sort: SortState
  onSort: (field: string) => void
  onOpen: (row: T) => void
  /** Saves a patch; resolves to an error message or `null`. */
  onCommit: (row: T, patch: Record<string, unknown>) => Promise<string | null> | string | null
  empty: string
}

/**
 * A virtualized, sortable table with inline cell editing. Only the visible rows are rendered (and, with a server
 * list, loaded), so 100,000 rows scroll smoothly. While a cell is edited its draft lives here and the list is told
 * (`onEditing`) to keep its rows in place, so remote changes neither overwrite what is typed nor move the row away.
 */
export function RecordTable<T extends { id: string }>(props: RecordTableProps<T>) {
  const { testId, label, columns, count, rowAt, rowById, readOnly, sort, onSort, onOpen, onCommit, empty } =
    props
  const [edit, setEdit] = useState<CellEdit | null>(null)
  const [error, setError] = useState<string | null>(null)
  const editRef = useRef(edit)
  editRef.current = edit
  const scrollRef = useRef<HTMLDivElement>(null)
  const onEditing = props.onEditing
  const editing = edit !== null
  useEffect(() => onEditing?.(editing), [onEditing, editing])

  // On a phone every row is a card (CSS): rows are measured, since a card's height depends on its text.
  const narrow = useMediaQuery(NARROW_SCREEN)
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => (narrow ? cardHeight(columns.length) : ROW_HEIGHT),
    overscan: 12,
    getItemKey: (index) => rowAt(index)?.id ?? `index-${index}`,
  })
  const items = virtualizer.getVirtualItems()
  const rangeStart = items[0]?.index ?? 0
  const rangeEnd = (items.at(-1)?.index ?? -1) + 1
  const onRange = props.onRange
  useEffect(() => onRange?.(rangeStart, Math.max(rangeEnd, rangeStart + 1)), [onRange, rangeStart, rangeEnd])
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new layout (table ↔ cards) needs new measurements
  useEffect(() => virtualizer.measure(), [narrow, virtualizer])
  const template = columns.map((c) => c.width).join(' ')

  const begin = (row: T, column: ListColumn<T>) => {
    if (!column.edit || readOnly) return
    setError(null)
    setEdit({ id: row.id, field: column.field, ...startEditing(column.edit.value(row)) })
  }

  const end = (commit: boolean, draft?: string) => {
    const current = editRef.current
    if (!current) return
    editRef.current = null
    setEdit(null)
    if (!commit) return
    const row = rowById(current.id)
    const column = columns.find((c) => c.field === current.field)
    if (!row || !column?.edit) return
    const state = draft === undefined ? current : { ...current, draft }
    const next = valueToCommit(state, column.edit.value(row))
    if (next === null) return
    void Promise.resolve(onCommit(row, column.edit.toPatch(next))).then(setError)
  }

  return (
    <div className="rtable" data-testid={testId}>
      {error && (
        <div className="notice notice--error rtable__error" role="alert" data-testid="list-error">
          {error}
        </div>
      )}
      <div className="rtable__body" ref={scrollRef}>
        <table className="rtable__table" aria-label={label} aria-rowcount={count + 1}>
          <thead className="rtable__head">
            <tr style={{ gridTemplateColumns: template }}>
              {columns.map((c) => (
                <th
                  key={c.field}
                  scope="col"
                  aria-sort={
                    sort.field === c.field ? (sort.dir === 'asc' ? 'ascending' : 'descending') : 'none'
                  }
                >
                  {c.sort === undefined ? (
                    <span className="rtable__sort rtable__sort--off" data-testid={`sort-${c.field}`}>
                      {c.label}
                    </span>
                  ) : (
                    <button
                      type="button"
                      className="rtable__sort"
                      onClick={() => onSort(c.field)}
                      data-testid={`sort-${c.field}`}
                    >
                      {c.label}
                      <span className="rtable__arrow" aria-hidden="true">
                        {sort.field === c.field ? (sort.dir === 'asc' ? '▲' : '▼') : ''}
                      </span>
                    </button>
                  )}
                </th>
              ))}
            </tr>
          </thead>
          <tbody style={{ height: virtualizer.getTotalSize() }}>
            {items.map((item) => {
              const row = rowAt(item.index)
              if (!row)
                return (
                  <tr
                    key={item.key}
                    className="rtable__row rtable__row--loading"
                    aria-rowindex={item.index + 2}
                    aria-busy="true"
                    style={{
                      gridTemplateColumns: narrow ? undefined : template,
                      transform: `translateY(${item.start}px)`,
                    }}
                  >
                    <td className="rtable__cell muted">Loading…</td>
                  </tr>
                )
              return (
                <tr
                  key={row.id}
                  ref={narrow ? virtualizer.measureElement : undefined}
                  data-index={item.index}
                  className="rtable__row"
                  aria-rowindex={item.index + 2}
                  data-testid={`row-${row.id}`}
                  style={{
                    gridTemplateColumns: narrow ? undefined : template,
                    transform: `translateY(${item.start}px)`,
                  }}
                  // Pointer shortcut; keyboard users open the record through the link in its first cell.
                  onClick={() => onOpen(row)}
                >
                  {columns.map((c) => {
                    const cellId = `cell-${row.id}-${c.field}`
                    const editing = edit && edit.id === row.id && edit.field === c.field ? edit : null
                    if (editing && c.edit)
                      return (
                        <td
                          key={c.field}
                          className="rtable__cell is-editing"
                          data-testid={cellId}
                          data-label={c.label}
                        >
                          <CellInput
                            editor={c.edit}
                            options={
                              typeof c.edit.options === 'function' ? c.edit.options(row) : c.edit.options
                            }
                            edit={editing}
                            label={c.label}
                            testId={cellId}
                            conflict={changedUnderneath(editing, c.edit.value(row))}
                            onDraft={(text) => setEdit((s) => (s ? { ...s, draft: text } : s))}
                            onEnd={end}
                          />
                        </td>
                      )
                    if (c.edit && !readOnly)
                      return (
                        <td key={c.field} className="rtable__cell" data-label={c.label}>
                          <button
                            type="button"
                            className="rtable__editable"
                            data-testid={cellId}
                            title={`Edit ${c.label.toLowerCase()}`}
                            onClick={(e) => {
                              e.stopPropagation()
                              begin(row, c)
                            }}
                          >
                            {c.render(row)}
                          </button>
                        </td>
                      )
                    return (
                      <td key={c.field} className="rtable__cell" data-testid={cellId} data-label={c.label}>
                        {c.render(row)}
                      </td>
                    )
                  })}
                </tr>
              )
            })}
          </tbody>
        </table>
        {count === 0 && <div className="empty">{empty}</div>}
      </div>
    </div>
  )
}
