import { useEffect, useMemo, useRef, useState } from 'react'
import { navigate } from '../../app/useHashRoute.ts'
import { KIND_LABEL, moveSelection, type PaletteItem, paletteItems } from './paletteItems.ts'
import { useRecordSearch } from './useRecordSearch.ts'
import './palette.css'

const isMac = typeof navigator !== 'undefined' && /mac/i.test(navigator.platform)

/** The Ctrl/Cmd+K command palette: searches every record through the server and offers navigation commands. */
export function CommandPalette() {
  const [open, setOpen] = useState(false)
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && !e.altKey && e.key.toLowerCase() === 'k') {
        e.preventDefault()
        setOpen((o) => !o)
      }
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [])
  return (
    <>
      <button
        type="button"
        className="btn btn--ghost palette-trigger"
        onClick={() => setOpen(true)}
        data-testid="palette-open"
        aria-keyshortcuts="Control+K Meta+K"
      >
        Search <kbd>{isMac ? '⌘' : 'Ctrl'} K</kbd>
      </button>
      {open && <PaletteDialog onClose={() => setOpen(false)} />}
    </>
  )
}

function PaletteDialog({ onClose }: { onClose: () => void }) {
  const [query, setQuery] = useState('')
  const [selected, setSelected] = useState(0)
  const search = useRecordSearch(query)
  const items = useMemo(() => paletteItems(query, search.hits), [query, search.hits])
  const listRef = useRef<HTMLDivElement>(null)
  const restoreFocus = useRef<Element | null>(document.activeElement)

  useEffect(() => {
    const previous = restoreFocus.current
    return () => {
      if (previous instanceof HTMLElement) previous.focus()
    }
  }, [])
  // A new result list starts at its first item.
  // biome-ignore lint/correctness/useExhaustiveDependencies: reset when the items change
  useEffect(() => setSelected(0), [items])
  // biome-ignore lint/correctness/useExhaustiveDependencies: scroll the newly selected item into view
  useEffect(() => {
    listRef.current?.querySelector('[aria-selected="true"]')?.scrollIntoView({ block: 'nearest' })
  }, [selected])

  const choose = (item: PaletteItem | undefined) => {
    if (!item) return
    onClose()
    navigate(item.href)
  }
  const current = items[selected]

  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: clicking outside closes; Escape does the same by keyboard
    <div className="palette-backdrop" onMouseDown={onClose}>
      <div
        className="palette"
        role="dialog"
        aria-modal="true"
        aria-label="Command palette"
        data-testid="palette"
        onMouseDown={(e) => e.stopPropagation()}
      >
        <input
          className="palette__input"
          // biome-ignore lint/a11y/noAutofocus: the palette exists to be typed into
          autoFocus
          placeholder="Search accounts, contacts, deals, tickets… or jump to a page"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          role="combobox"
          aria-expanded="true"
          aria-controls="palette-list"
          aria-activedescendant={current ? `palette-option-${current.kind}-${current.id}` : undefined}
          data-testid="palette-input"
          onKeyDown={(e) => {
            if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
              e.preventDefault()
              setSelected((i) => moveSelection(i, e.key === 'ArrowDown' ? 1 : -1, items.length))
            } else if (e.key === 'Enter') {
              e.preventDefault()
              choose(current)
            } else if (e.key === 'Escape') {
              e.preventDefault()
              onClose()
            }
          }}
        />
        {search.error && (
          <div className="notice notice--error palette__notice" role="alert" data-testid="palette-error">
            {search.error}
          </div>
        )}
        <div className="palette__list" id="palette-list" role="listbox" ref={listRef}>
          {items.map((item, index) => (
            <div
              key={`${item.kind}-${item.id}`}
              id={`palette-option-${item.kind}-${item.id}`}
              role="option"
              tabIndex={-1}
              aria-selected={index === selected}
              className={`palette__item${index === selected ? ' is-selected' : ''}`}
              data-testid={`palette-item-${item.kind}-${item.id}`}
              onMouseMove={() => setSelected(index)}
              onClick={() => choose(item)}
              onKeyDown={() => undefined}
            >
              <span className={`palette__kind palette__kind--${item.kind}`}>{KIND_LABEL[item.kind]}</span>
              <span className="palette__title">{item.title}</span>
              {item.subtitle && <span className="palette__subtitle">{item.subtitle}</span>}
            </div>
          ))}
          {items.length === 0 && (
            <div className="palette__empty">
              {search.loading ? 'Searching…' : `Nothing matches “${query}”.`}
            </div>
          )}
        </div>
        <div className="palette__footer muted">
          {search.loading ? 'Searching…' : '↑↓ to move · Enter to open · Esc to close'}
        </div>
      </div>
    </div>
  )
}
