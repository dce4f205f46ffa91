import { useVirtualizer } from '@tanstack/react-virtual'
import { useEffect, useMemo, useRef, useState } from 'react'
import { NARROW_SCREEN, useMediaQuery } from '../../ui/useMediaQuery.ts'
import { changedUnderneath, startEditing, valueToCommit } from '../account/draftField.ts'
import { type CellEdit, CellInput } from './EditableCell.tsx'
import type { ListColumn } from './listColumns.ts'
import { freezeOrder, type SortState } from './listQuery.ts'

const ROW_HEIGHT = 40
/** A row as a card on a narrow screen: one line per column (measured once shown). */
const cardHeight = (columns: number) => 26 + columns * 24

export interface RecordTableProps<T extends { id: string }> {
  testId: string
  label: string
  columns: readonly ListColumn<T>[]
  /** Filtered and sorted rows. */
  rows: readonly T[]
  readOnly: boolean
  sort: SortState
  onSort: (field: string) => void
  onOpen: (row: T) => void
  /** Writes a patch through a model command; returns an error message or `null`. */
  onCommit: (row: T, patch: Record<string, unknown>) => string | null
  empty: string
}

/**
 * A virtualized, sortable table with inline cell editing. Only the visible rows are rendered, so 20,000 rows
 * scroll smoothly. While a cell is edited its draft lives here, and the row order is frozen, so remote changes
 * neither overwrite what is typed nor move the row away.
 */
export function RecordTable<T extends { id: string }>(props: RecordTableProps<T>) {
  const { testId, label, columns, rows, readOnly, sort, onSort, onOpen, onCommit, empty } = props
  const [edit, setEdit] = useState<CellEdit | null>(null)
  const [error, setError] = useState<string | null>(null)
  const editRef = useRef(edit)
  editRef.current = edit
  const scrollRef = useRef<HTMLDivElement>(null)
  const frozenRef = useRef<string[]>([])

  const byId = useMemo(() => new Map(rows.map((r) => [r.id, r])), [rows])
  const ordered = useMemo(() => {
    if (!edit) return rows
    const ids = freezeOrder(
      frozenRef.current,
      rows.map((r) => r.id),
    )
    return ids.map((id) => byId.get(id)).filter((r): r is T => r !== undefined)
  }, [rows, byId, edit])
  frozenRef.current = edit ? ordered.map((r) => r.id) : rows.map((r) => r.id)

  // On a phone every row is a card (CSS): rows are measured, since a card's height depends on its text.
  const narrow = useMediaQuery(NARROW_SCREEN)
  const virtualizer = useVirtualizer({
    count: ordered.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => (narrow ? cardHeight(columns.length) : ROW_HEIGHT),
    overscan: 12,
    getItemKey: (index) => ordered[index]?.id ?? index,
  })
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
    const row = byId.get(current.id)
    const column = columns.find((c) => c.field === current.field)
    if (!row || !column?.edit) return
    const state = draft === undefined ? current : { ...current, draft }
    const next = valueToCommit(state, column.edit.value(row))
    if (next === null) return
    setError(onCommit(row, column.edit.toPatch(next)))
  }

  return (
    <div className="rtable" data-testid={testId}>
      {error && (
        <div className="notice notice--error rtable__error" role="alert" data-testid="list-error">
          {error}
        </div>
      )}
      <div className="rtable__body" ref={scrollRef}>
        <table className="rtable__table" aria-label={label} aria-rowcount={ordered.length + 1}>
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
                </th>
              ))}
            </tr>
          </thead>
          <tbody style={{ height: virtualizer.getTotalSize() }}>
            {virtualizer.getVirtualItems().map((item) => {
              const row = ordered[item.index]
              if (!row) return null
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
        {ordered.length === 0 && <div className="empty">{empty}</div>}
      </div>
    </div>
  )
}
