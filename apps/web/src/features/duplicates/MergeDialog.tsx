import { useEffect, useId, useMemo, useState } from 'react'
import { z } from 'zod'
import { navigate } from '../../app/useHashRoute.ts'
import { authApi } from '../auth/authApi.ts'
import { useSession } from '../auth/SessionContext.tsx'
import { useCustomFieldDefs } from '../customFields/useCustomFieldDefs.ts'
import { errorText } from '../imports/useImportJob.ts'
import { type AnyRecord, type DuplicateKind, duplicatesApi, type MergeSide } from './duplicatesApi.ts'
import { defaultChoices, differingFields, type FieldDifference, swapChoices } from './mergeChoices.ts'
import { useMoveCounts } from './useMoveCounts.ts'
import '../imports/imports.css'
import './duplicates.css'

export interface MergeDialogProps {
  kind: DuplicateKind
  /** The two records; the first is the proposed survivor. */
  ids: readonly [string, string]
  onCancel: () => void
}

const Named = z.object({ name: z.string() }).loose()

/** A record's label in the dialog. */
export function recordLabel(kind: DuplicateKind, r: AnyRecord): string {
  if (kind === 'accounts') return String(r.name ?? r.id)
  const name = `${String(r.firstName ?? '')} ${String(r.lastName ?? '')}`.trim()
  return name || String(r.email ?? r.id)
}

/**
 * Merge two accounts or two contacts: both side by side, a radio per differing field to choose the surviving value,
 * what moves to the survivor; confirming merges on the server and opens the survivor.
 */
export function MergeDialog({ kind, ids, onCancel }: MergeDialogProps) {
  const titleId = useId()
  const { session } = useSession()
  const { defs } = useCustomFieldDefs(kind === 'accounts' ? 'account' : 'contact')
  const [records, setRecords] = useState<[AnyRecord, AnyRecord] | null>(null)
  const [loadError, setLoadError] = useState<string | null>(null)
  const [survivorFirst, setSurvivorFirst] = useState(true)
  const [choices, setChoices] = useState<Record<string, MergeSide>>({})
  const [touched, setTouched] = useState(false)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [accountNames, setAccountNames] = useState<Record<string, string>>({})

  useEffect(() => {
    let cancelled = false
    Promise.all([duplicatesApi.record(kind, ids[0]), duplicatesApi.record(kind, ids[1])]).then(
      ([a, b]) => !cancelled && setRecords([a, b]),
      (e: unknown) => !cancelled && setLoadError(`The records could not be loaded — ${errorText(e)}`),
    )
    return () => {
      cancelled = true
    }
  }, [kind, ids])

  const survivor = records ? (survivorFirst ? records[0] : records[1]) : null
  const merged = records ? (survivorFirst ? records[1] : records[0]) : null
  const diffs = useMemo(
    () => (survivor && merged ? differingFields(kind, survivor, merged, defs) : []),
    [kind, survivor, merged, defs],
  )
  // biome-ignore lint/correctness/useExhaustiveDependencies: defaults once per pair of records, not per swap
  useEffect(() => {
    if (records) setChoices(defaultChoices(differingFields(kind, records[0], records[1], defs)))
  }, [records])
  const counts = useMoveCounts(kind, merged)

  // Contacts' accounts by name.
  useEffect(() => {
    if (kind !== 'contacts' || !records) return
    const wanted = records.map((r) => r.accountId).filter((id): id is string => typeof id === 'string')
    for (const id of wanted)
      authApi.get(`/api/accounts/${encodeURIComponent(id)}`, Named).then(
        (a) => setAccountNames((names) => ({ ...names, [id]: a.name })),
        () => undefined,
      )
  }, [kind, records])

  const show = (d: FieldDifference, value: unknown): string => {
    if (value === null || value === undefined || value === '') return '—'
    if (d.field === 'ownerId') return session.members.find((m) => m.userId === value)?.name ?? String(value)
    if (d.field === 'accountId') return accountNames[String(value)] ?? String(value)
    return typeof value === 'string' ? value : JSON.stringify(value)
  }

  const confirm = () => {
    if (!survivor || !merged) return
    setBusy(true)
    setError(null)
    duplicatesApi.merge(kind, survivor.id, merged.id, choices).then(
      ({ survivor: result }) => {
        setBusy(false)
        navigate(`#/${kind}/${result.id}`)
        onCancel()
      },
      (e: unknown) => {
        setBusy(false)
        setError(`Not merged — ${errorText(e)}`)
      },
    )
  }

  return (
    <div className="data-backdrop">
      <form
        className="data-dialog data-dialog--wide"
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        data-testid="merge-dialog"
        onSubmit={(e) => {
          e.preventDefault()
          if (!busy) confirm()
        }}
        onKeyDown={(e) => {
          if (e.key !== 'Escape') return
          e.preventDefault()
          onCancel()
        }}
      >
        <h2 className="data-dialog__title" id={titleId}>
          Merge two {kind}
        </h2>
        {loadError && (
          <p className="notice notice--error" role="alert">
            {loadError}
          </p>
        )}
        {!records || !survivor || !merged ? (
          !loadError && <div className="empty">Loading both records…</div>
        ) : (
          <>
            <div className="merge-sides">
              <div
                className="merge-side merge-side--survivor"
                data-testid="merge-survivor"
                data-id={survivor.id}
              >
                <span className="muted">Keeps</span>
                <strong>{recordLabel(kind, survivor)}</strong>
              </div>
              <button
                type="button"
                className="btn btn--ghost"
                onClick={() => {
                  const nextFirst = !survivorFirst
                  setSurvivorFirst(nextFirst)
                  // Untouched choices follow the new survivor; the user's own choices keep their values.
                  if (touched) setChoices(swapChoices)
                  else {
                    const [a, b] = nextFirst ? records : [records[1], records[0]]
                    setChoices(defaultChoices(differingFields(kind, a, b, defs)))
                  }
                }}
                data-testid="merge-swap"
              >
                Swap
              </button>
              <div className="merge-side" data-testid="merge-merged" data-id={merged.id}>
                <span className="muted">Goes into it and is archived</span>
                <strong>{recordLabel(kind, merged)}</strong>
              </div>
            </div>
            {diffs.length === 0 ? (
              <p className="muted">Both records hold the same values.</p>
            ) : (
              <fieldset className="merge-fields">
                <legend>Choose the value to keep for each field that differs</legend>
                {diffs.map((d) => (
                  <div className="merge-field" key={d.field} data-testid={`merge-field-${d.field}`}>
                    <span className="merge-field__label">{d.label}</span>
                    {(['survivor', 'merged'] as const).map((side) => (
                      <label key={side} className="merge-field__choice">
                        <input
                          type="radio"
                          name={`merge-${d.field}`}
                          checked={choices[d.field] === side}
                          onChange={() => {
                            setTouched(true)
                            setChoices((c) => ({ ...c, [d.field]: side }))
                          }}
                          data-testid={`merge-${d.field}-${side}`}
                        />
                        <span className="merge-field__value">{show(d, d[side])}</span>
                      </label>
                    ))}
                  </div>
                ))}
              </fieldset>
            )}
            <p className="merge-moves" data-testid="merge-moves">
              {counts === null
                ? 'Counting what moves…'
                : `Moves to the survivor: ${[
                    counts.contacts === null ? null : `${counts.contacts} contacts`,
                    `${counts.deals} deals`,
                    `${counts.tickets} tickets`,
                    `${counts.tasks} tasks`,
                  ]
                    .filter(Boolean)
                    .join(', ')}, with the notes and the timeline.`}
            </p>
          </>
        )}
        {error && (
          <p className="notice notice--error" role="alert" data-testid="merge-error">
            {error}
          </p>
        )}
        <div className="data-dialog__actions">
          <button type="button" className="btn btn--ghost" onClick={onCancel} data-testid="merge-cancel">
            Cancel
          </button>
          <button
            type="submit"
            className="btn btn--primary"
            disabled={!records || busy}
            data-testid="merge-confirm"
          >
            {busy ? 'Merging…' : 'Merge'}
          </button>
        </div>
      </form>
    </div>
  )
}
