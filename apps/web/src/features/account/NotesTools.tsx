import { useState, useSyncExternalStore } from 'react'
import { authorsVisibility } from './authorship.ts'
import { HistoryPanel } from './HistoryPanel.tsx'
import './history.css'

/** The notes header's tools: "Show authors" (colour the notes by who wrote them) and the room's History. */
export function NotesTools({ accountId, readOnly }: { accountId: string; readOnly: boolean }) {
  const show = useSyncExternalStore(authorsVisibility.subscribe, authorsVisibility.get)
  const [historyOpen, setHistoryOpen] = useState(false)
  return (
    <div className="notes-tools">
      <label className="notes-tools__toggle">
        <input
          type="checkbox"
          checked={show}
          onChange={(event) => authorsVisibility.set(event.target.checked)}
          data-testid="show-authors"
        />
        Show authors
      </label>
      <button
        type="button"
        className="btn"
        onClick={() => setHistoryOpen(true)}
        aria-expanded={historyOpen}
        data-testid="open-history"
      >
        History
      </button>
      {historyOpen && (
        <HistoryPanel accountId={accountId} readOnly={readOnly} onClose={() => setHistoryOpen(false)} />
      )}
    </div>
  )
}
