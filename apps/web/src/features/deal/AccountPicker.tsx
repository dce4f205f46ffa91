import { useEffect, useId, useState } from 'react'
import { z } from 'zod'
import { authApi } from '../auth/authApi.ts'

const AccountRef = z.object({ id: z.string(), name: z.string() })
type AccountRef = z.infer<typeof AccountRef>

const SEARCH_DELAY_MS = 150
const LIMIT = 8

/** The name of account `id` from `GET /api/accounts/{id}`; null while loading, for none, or when it is gone. */
export function useAccountName(id: string | null): string | null {
  const [named, setNamed] = useState<AccountRef | null>(null)
  useEffect(() => {
    if (!id) return
    let current = true
    authApi.get(`/api/accounts/${encodeURIComponent(id)}`, AccountRef).then(
      (account) => {
        if (current) setNamed(account)
      },
      () => undefined,
    )
    return () => {
      current = false
    }
  }, [id])
  return named && named.id === id ? named.name : null
}

/** Accounts whose name matches `query`, from `GET /api/accounts?q=` (debounced; stale answers are dropped). */
function useAccountSearch(query: string, enabled: boolean): { items: AccountRef[]; error: string | null } {
  const [state, setState] = useState<{ items: AccountRef[]; error: string | null }>({
    items: [],
    error: null,
  })
  useEffect(() => {
    if (!enabled) return
    let current = true
    const q = query.trim()
    const path = q
      ? `/api/accounts?q=${encodeURIComponent(q)}&limit=${LIMIT}`
      : `/api/accounts?sort=name&limit=${LIMIT}`
    const timer = setTimeout(() => {
      authApi.list(path, AccountRef).then(
        (page) => {
          if (current) setState({ items: page.items, error: null })
        },
        () => {
          if (current) setState({ items: [], error: 'Accounts cannot be searched right now.' })
        },
      )
    }, SEARCH_DELAY_MS)
    return () => {
      current = false
      clearTimeout(timer)
    }
  }, [query, enabled])
  return state
}

export interface AccountPickerProps {
  /** Test id prefix: `<testId>` (the input), `<testId>-option-<id>`, `<testId>-clear`. */
  testId: string
  label: string
  value: string | null
  readOnly: boolean
  onChange: (accountId: string | null) => void
  onEditing?: (editing: boolean) => void
  /** Someone else editing this field right now. */
  editingBy?: { name: string; color: string } | null
}

/**
 * A searchable account picker: shows the chosen account's name; typing searches accounts on the server and a click
 * (or Enter on the first match) picks one. "Clear" leaves the record without an account.
 */
export function AccountPicker({
  testId,
  label,
  value,
  readOnly,
  onChange,
  onEditing,
  editingBy,
}: AccountPickerProps) {
  const inputId = useId()
  const listId = useId()
  const name = useAccountName(value)
  const [query, setQuery] = useState<string | null>(null)
  const open = query !== null
  const search = useAccountSearch(query ?? '', open)
  const close = () => {
    setQuery(null)
    onEditing?.(false)
  }
  const pick = (id: string | null) => {
    close()
    if (id !== value) onChange(id)
  }
  const shown = open ? query : value ? (name ?? 'Loading…') : ''
  return (
    <div className="live-field picker">
      <label className="live-field__label" htmlFor={inputId}>
        {label}
        {editingBy && (
          <em data-testid="editing-notice" style={{ color: editingBy.color }}>
            {` · ${editingBy.name} is editing ${label}`}
          </em>
        )}
      </label>
      <div className="picker__row">
        <input
          id={inputId}
          data-testid={testId}
          data-account={value ?? ''}
          role="combobox"
          aria-expanded={open}
          aria-controls={listId}
          aria-autocomplete="list"
          autoComplete="off"
          placeholder={readOnly ? 'No account' : 'Search accounts…'}
          readOnly={readOnly}
          value={shown}
          style={editingBy ? { boxShadow: `0 0 0 2px ${editingBy.color}` } : undefined}
          onFocus={() => {
            if (readOnly) return
            setQuery('')
            onEditing?.(true)
          }}
          onChange={(e) => setQuery(e.target.value)}
          onBlur={close}
          onKeyDown={(e) => {
            if (e.key === 'Escape') {
              // Closes the list only, not a form around the picker.
              e.stopPropagation()
              e.currentTarget.blur()
            }
            if (e.key === 'Enter') {
              e.preventDefault()
              const first = search.items[0]
              if (first) pick(first.id)
            }
          }}
        />
        {value && !readOnly && (
          <button
            type="button"
            className="btn btn--ghost"
            data-testid={`${testId}-clear`}
            aria-label={`Clear ${label.toLowerCase()}`}
            onClick={() => pick(null)}
          >
            Clear
          </button>
        )}
      </div>
      {open && (
        <div className="picker__list" id={listId} role="listbox" aria-label={`${label} matches`}>
          {search.items.map((a) => (
            <div
              key={a.id}
              role="option"
              tabIndex={-1}
              aria-selected={a.id === value}
              className="picker__option"
              data-testid={`${testId}-option-${a.id}`}
              // Picks before the input's blur closes the list.
              onMouseDown={(e) => {
                e.preventDefault()
                pick(a.id)
              }}
              onKeyDown={() => undefined}
            >
              {a.name}
            </div>
          ))}
          {search.items.length === 0 && (
            <div className="picker__empty muted">{search.error ?? 'No account matches.'}</div>
          )}
        </div>
      )}
    </div>
  )
}
