import { useEffect, useId, useState } from 'react'
import { z } from 'zod'
import { authApi } from '../auth/authApi.ts'
import { moveSelection } from '../palette/paletteItems.ts'
import { FieldLabel } from './FieldLabel.tsx'

const AccountRef = z.object({ id: z.string(), name: z.string() })
type AccountRef = z.infer<typeof AccountRef>

const SEARCH_DELAY_MS = 150
const LIMIT = 8

const UNKNOWN_ACCOUNT = 'Unknown account'

/**
 * The name of account `id` from `GET /api/accounts/{id}`; null while loading or for none, "Unknown account" when
 * the server does not know it (deleted, or not visible).
 */
export function useAccountName(id: string | null): string | null {
  const [named, setNamed] = useState<AccountRef | null>(null)
  useEffect(() => {
    if (!id) return
    let current = true
    authApi.get(`/api/accounts/${encodeURIComponent(id)}`, AccountRef).then(
      (account) => {
        if (current) setNamed(account)
      },
      () => {
        if (current) setNamed({ id, name: UNKNOWN_ACCOUNT })
      },
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
 * A searchable account picker: shows the chosen account's name; typing searches accounts on the server; a click, or
 * the arrow keys and Enter, pick one; Escape closes the list. "Clear" leaves the record without an account.
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
  const [active, setActive] = useState(0)
  const open = query !== null
  const search = useAccountSearch(query ?? '', open)
  const current = search.items[active] ?? search.items[0]
  const close = () => {
    setQuery(null)
    setActive(0)
    onEditing?.(false)
  }
  const pick = (id: string | null) => {
    close()
    if (id !== value) onChange(id)
  }
  const shown = open ? query : value ? (name ?? 'Loading…') : ''
  return (
    <div className="live-field picker">
      <FieldLabel htmlFor={inputId} label={label} editingBy={editingBy} />
      <div className="picker__row">
        <input
          id={inputId}
          data-testid={testId}
          data-account={value ?? ''}
          role="combobox"
          aria-expanded={open}
          aria-controls={listId}
          aria-autocomplete="list"
          aria-activedescendant={open && current ? `${listId}-${current.id}` : undefined}
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
          onChange={(e) => {
            setQuery(e.target.value)
            setActive(0)
          }}
          onBlur={close}
          onKeyDown={(e) => {
            if (e.key === 'Escape') {
              // Closes the list only, not a form around the picker.
              e.stopPropagation()
              e.currentTarget.blur()
            }
            if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
              e.preventDefault()
              setActive((i) => moveSelection(i, e.key === 'ArrowDown' ? 1 : -1, search.items.length))
            }
            if (e.key === 'Enter' && open) {
              e.preventDefault()
              if (current) pick(current.id)
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
          {search.items.map((a, index) => (
            <div
              key={a.id}
              id={`${listId}-${a.id}`}
              role="option"
              tabIndex={-1}
              aria-selected={a.id === current?.id}
              className={`picker__option${a.id === value ? ' is-chosen' : ''}`}
              data-testid={`${testId}-option-${a.id}`}
              // Picks before the input's blur closes the list.
              onMouseDown={(e) => {
                e.preventDefault()
                pick(a.id)
              }}
              onMouseEnter={() => setActive(index)}
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
