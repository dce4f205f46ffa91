import { diffWords } from 'diff'
import { useCallback, useEffect, useRef, useState } from 'react'
import { useSession } from '../auth/SessionContext.tsx'
import { formatAuthorTime } from './authorship.ts'
import { historyApi, type VersionDetail, type VersionSummary } from './historyApi.ts'
import './history.css'

const REASON: Record<VersionSummary['reason'], string> = {
  opened: 'Opened',
  pause: 'Edited',
  interval: 'Edited',
  'before-restore': 'Before a restore',
  shutdown: 'Edited',
}
const HIDDEN_FIELDS = new Set(['id', 'createdAt', 'updatedAt', 'archived'])

const show = (value: unknown): string =>
  value === null || value === undefined || value === ''
    ? '—'
    : typeof value === 'object'
      ? JSON.stringify(value)
      : String(value)

export interface HistoryPanelProps {
  accountId: string
  readOnly: boolean
  onClose: () => void
}

/**
 * The versions of the account room: pick a past moment, see its notes against the current ones (word diff) and its
 * fields side by side, and restore those notes as a new edit on top of the current document.
 */
export function HistoryPanel({ accountId, readOnly, onClose }: HistoryPanelProps) {
  const { session } = useSession()
  const nameOf = (userId: string) => session.members.find((m) => m.userId === userId)?.name ?? 'Former member'
  const [versions, setVersions] = useState<VersionSummary[] | null>(null)
  const [selected, setSelected] = useState<string | null>(null)
  const [detail, setDetail] = useState<VersionDetail | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [notice, setNotice] = useState<string | null>(null)
  const [restoring, setRestoring] = useState(false)
  const closeButton = useRef<HTMLButtonElement>(null)
  // The drawer takes the focus when it opens (Escape or Close gives it back to the page).
  useEffect(() => closeButton.current?.focus(), [])

  const load = useCallback(() => {
    historyApi.list(accountId).then(setVersions, (e: Error) => setError(e.message))
  }, [accountId])
  useEffect(load, [load])
  useEffect(() => {
    if (!selected) return
    let live = true
    setDetail(null)
    historyApi.get(accountId, selected).then(
      (d) => live && setDetail(d),
      (e: Error) => live && setError(e.message),
    )
    return () => {
      live = false
    }
  }, [accountId, selected])
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => event.key === 'Escape' && onClose()
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [onClose])

  const restore = async () => {
    if (!detail) return
    setRestoring(true)
    setError(null)
    try {
      await historyApi.restore(accountId, detail.version.id)
      setNotice(
        `Notes restored to ${formatAuthorTime(detail.version.at)}. The notes before it are kept as a version.`,
      )
      setSelected(null)
      setDetail(null)
      load()
    } catch (e) {
      setError(e instanceof Error ? e.message : 'Could not restore the notes.')
    } finally {
      setRestoring(false)
    }
  }

  const shown = (field: string, value: unknown) =>
    field === 'ownerId' && typeof value === 'string' ? nameOf(value) : show(value)
  const fieldNames = detail
    ? [...new Set([...Object.keys(detail.fields ?? {}), ...Object.keys(detail.current.fields ?? {})])]
        .filter((f) => !HIDDEN_FIELDS.has(f))
        .sort()
    : []
  const parts = detail ? diffWords(detail.notes.text, detail.current.notes.text) : []
  const notesChanged = parts.some((p) => p.added || p.removed)

  return (
    <div className="history" role="dialog" aria-label="History" data-testid="history-panel">
      <div className="history__head">
        <h2 className="panel__title">History</h2>
        <button
          ref={closeButton}
          type="button"
          className="btn btn--ghost"
          onClick={onClose}
          aria-label="Close history"
        >
          Close
        </button>
      </div>
      {error && <div className="notice notice--error">{error}</div>}
      {notice && (
        <div className="notice notice--info" data-testid="history-notice">
          {notice}
        </div>
      )}
      {versions === null ? (
        <div className="empty">Loading versions…</div>
      ) : versions.length === 0 ? (
        <div className="empty" data-testid="history-empty">
          No versions yet. A version is kept a couple of minutes after each round of edits.
        </div>
      ) : (
        <ul className="history__list" data-testid="history-versions">
          {versions.map((v) => (
            <li key={v.id}>
              <button
                type="button"
                className={`history__version${v.id === selected ? ' history__version--on' : ''}`}
                aria-pressed={v.id === selected}
                data-testid="history-version"
                data-version={v.id}
                onClick={() => setSelected(v.id)}
              >
                <strong>{formatAuthorTime(v.at)}</strong>
                <span className="muted">
                  {REASON[v.reason]}
                  {v.editors.length > 0 && ` · ${v.editors.map(nameOf).join(', ')}`}
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
      {selected && !detail && <div className="empty">Loading this version…</div>}
      {detail && (
        <div className="history__detail" data-testid="history-detail">
          <h3 className="history__subtitle">
            Notes — {notesChanged ? 'changes since then' : 'unchanged since then'}
          </h3>
          <p className="history__diff" data-testid="history-diff">
            {parts.length === 0 && <span className="muted">No notes.</span>}
            {parts.map((part, i) =>
              part.added ? (
                // biome-ignore lint/suspicious/noArrayIndexKey: diff parts have no identity but their order
                <ins key={i} title="Added since this version">
                  {part.value}
                </ins>
              ) : part.removed ? (
                // biome-ignore lint/suspicious/noArrayIndexKey: diff parts have no identity but their order
                <del key={i} title="In this version, gone now">
                  {part.value}
                </del>
              ) : (
                // biome-ignore lint/suspicious/noArrayIndexKey: diff parts have no identity but their order
                <span key={i}>{part.value}</span>
              ),
            )}
          </p>
          <h3 className="history__subtitle">Fields</h3>
          <table className="history__fields" data-testid="history-fields">
            <thead>
              <tr>
                <th scope="col">Field</th>
                <th scope="col">Then</th>
                <th scope="col">Now</th>
              </tr>
            </thead>
            <tbody>
              {fieldNames.map((field) => {
                const then = shown(field, detail.fields?.[field])
                const now = shown(field, detail.current.fields?.[field])
                return (
                  <tr key={field} data-changed={then !== now || undefined}>
                    <th scope="row">{field}</th>
                    <td>{then}</td>
                    <td>{now}</td>
                  </tr>
                )
              })}
            </tbody>
          </table>
          {!readOnly && (
            <button
              type="button"
              className="btn btn--primary"
              disabled={restoring || !notesChanged}
              onClick={restore}
              data-testid="history-restore"
            >
              {restoring ? 'Restoring…' : 'Restore this version of the notes'}
            </button>
          )}
        </div>
      )}
    </div>
  )
}
