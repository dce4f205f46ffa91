import type { ReactNode } from 'react'
import { OptionList } from './EditableCell.tsx'
import type { ListOption } from './listColumns.ts'
import type { FilterValues } from './listQuery.ts'

const ANY = '__any__'

export interface ListFilter {
  key: string
  label: string
  options: readonly ListOption[]
}

export interface ListToolbarProps {
  title: string
  count: number
  total: number
  noun: string
  text: string
  onText: (text: string) => void
  filters: readonly ListFilter[]
  values: FilterValues
  onFilter: (key: string, value: string | null) => void
  canCreate: boolean
  onNew: () => void
  newLabel: string
  /** More actions of the list (export, import), before the "new" button. */
  actions?: ReactNode
}

/** Title, search box, filter selects and the "new" button above a record list. */
export function ListToolbar(props: ListToolbarProps) {
  const { title, count, total, noun, text, onText, filters, values, onFilter, canCreate, onNew, newLabel } =
    props
  return (
    <div className="toolbar list-toolbar">
      <h1 className="page__title">{title}</h1>
      <input
        className="toolbar__search"
        type="search"
        placeholder={`Search ${noun}…`}
        aria-label={`Search ${noun}`}
        value={text}
        onChange={(e) => onText(e.target.value)}
        data-testid="list-search"
      />
      {filters.map((f) => (
        <select
          key={f.key}
          className="list-toolbar__filter"
          aria-label={f.label}
          value={values[f.key] ?? ANY}
          onChange={(e) => onFilter(f.key, e.target.value === ANY ? null : e.target.value)}
          data-testid={`filter-${f.key}`}
        >
          <option value={ANY}>Any {f.label.toLowerCase()}</option>
          <OptionList options={f.options} />
        </select>
      ))}
      <span className="muted" data-testid="list-count">
        {count === total ? `${total} ${noun}` : `${count} of ${total} ${noun}`}
      </span>
      {props.actions}
      {canCreate && (
        <button
          type="button"
          className="btn btn--primary list-toolbar__new"
          onClick={onNew}
          data-testid="list-new"
        >
          {newLabel}
        </button>
      )}
    </div>
  )
}
