import { accessTo } from '@rapport/model'
import { useCallback, useEffect, useState } from 'react'
import { useCollab } from '../../collab/CollabContext.tsx'
import { errorText } from '../imports/useImportJob.ts'
import { type DuplicateKind, type DuplicatePair, duplicatesApi } from './duplicatesApi.ts'
import { MergeDialog } from './MergeDialog.tsx'
import './duplicates.css'

const PAGE = 50

/** Stable key of a pair, whichever side is first. */
const pairKey = (p: DuplicatePair) => [p.a.id, p.b.id].sort().join('+')

/**
 * Likely duplicate accounts or contacts (`#/duplicates`), with their evidence: "Not a duplicate" forgets a pair for
 * good, "Merge" opens the merge dialog.
 */
export function DuplicatesPage() {
  const { member } = useCollab()
  const [kind, setKind] = useState<DuplicateKind>('contacts')
  const [pairs, setPairs] = useState<DuplicatePair[] | null>(null)
  const [nextOffset, setNextOffset] = useState<number | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [merging, setMerging] = useState<DuplicatePair | null>(null)
  const mayWrite = accessTo(member, { workspaceId: member.workspaceId, kind }) === 'write'

  const load = useCallback((k: DuplicateKind, offset: number) => {
    duplicatesApi.pairs(k, offset, PAGE).then(
      (page) => {
        setPairs((before) => {
          const seen = new Set((offset === 0 ? [] : (before ?? [])).map(pairKey))
          return [...(offset === 0 ? [] : (before ?? [])), ...page.pairs.filter((p) => !seen.has(pairKey(p)))]
        })
        setNextOffset(page.nextOffset ?? null)
        setError(null)
      },
      (e: unknown) => setError(`Could not load the duplicates — ${errorText(e)}`),
    )
  }, [])
  useEffect(() => {
    setPairs(null)
    load(kind, 0)
  }, [kind, load])

  const dismiss = (p: DuplicatePair) => {
    duplicatesApi.dismiss(kind, p.a.id, p.b.id).then(
      () => setPairs((list) => list?.filter((q) => pairKey(q) !== pairKey(p)) ?? null),
      (e: unknown) => setError(`Not saved — ${errorText(e)}`),
    )
  }

  return (
    <div className="duplicates-page" data-testid="duplicates-page">
      <div className="toolbar">
        <h1 className="page__title">Duplicates</h1>
        <div className="tabs" role="tablist">
          {(['contacts', 'accounts'] as const).map((k) => (
            <button
              key={k}
              type="button"
              role="tab"
              aria-selected={kind === k}
              className={`tab${kind === k ? ' is-active' : ''}`}
              onClick={() => setKind(k)}
              data-testid={`duplicates-tab-${k}`}
            >
              {k === 'contacts' ? 'Contacts' : 'Accounts'}
            </button>
          ))}
        </div>
      </div>
      {error && (
        <p className="notice notice--error" role="alert" data-testid="duplicates-error">
          {error}
        </p>
      )}
      {pairs === null ? (
        <div className="empty">Looking for duplicates…</div>
      ) : pairs.length === 0 ? (
        <div className="empty" data-testid="duplicates-empty">
          No likely duplicate {kind}.
        </div>
      ) : (
        <ul className="dupe-pairs" data-testid={`duplicates-${kind}`}>
          {pairs.map((p) => (
            <li key={pairKey(p)} className="panel dupe-pair" data-testid={`pair-${pairKey(p)}`}>
              <div className="dupe-pair__records">
                <a href={`#/${kind}/${p.a.id}`} className="dupe-pair__record" data-testid="pair-a">
                  {p.a.label}
                </a>
                <span className="muted" aria-hidden="true">
                  ↔
                </span>
                <a href={`#/${kind}/${p.b.id}`} className="dupe-pair__record" data-testid="pair-b">
                  {p.b.label}
                </a>
              </div>
              <div className="dupe-pair__evidence" data-testid="pair-evidence">
                {p.evidence.map((e) => (
                  <span key={e} className="chip">
                    {e}
                  </span>
                ))}
              </div>
              {mayWrite && (
                <div className="dupe-pair__actions">
                  <button
                    type="button"
                    className="btn btn--ghost"
                    onClick={() => dismiss(p)}
                    data-testid="pair-dismiss"
                  >
                    Not a duplicate
                  </button>
                  <button
                    type="button"
                    className="btn btn--primary"
                    onClick={() => setMerging(p)}
                    data-testid="pair-merge"
                  >
                    Merge
                  </button>
                </div>
              )}
            </li>
          ))}
        </ul>
      )}
      {nextOffset !== null && pairs !== null && pairs.length > 0 && (
        <button
          type="button"
          className="btn"
          onClick={() => load(kind, nextOffset)}
          data-testid="duplicates-more"
        >
          Show more
        </button>
      )}
      {merging && (
        <MergeDialog kind={kind} ids={[merging.a.id, merging.b.id]} onCancel={() => setMerging(null)} />
      )}
    </div>
  )
}
