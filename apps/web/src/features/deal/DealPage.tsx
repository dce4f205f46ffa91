import { DEALS, Deal, keyForIndex, type Position, readBoardEntries, recordDocRef } from '@rapport/model'
import { useCallback, useEffect, useState } from 'react'
import { useDoc } from '../../collab/useDoc.ts'
import { useLiveRecords } from '../../collab/useLiveRecords.ts'
import { ApiError, authApi } from '../auth/authApi.ts'
import { useSession } from '../auth/SessionContext.tsx'
import { useWorkspaceSettings } from '../pipeline/useWorkspaceSettings.ts'
import { TaskList } from '../tasks/TaskList.tsx'
import { ArchiveButton } from '../trash/ArchiveButton.tsx'
import { DealDetails } from './DealDetails.tsx'
import { RecordTimeline } from './RecordTimeline.tsx'
import './recordPage.css'

type Loaded =
  | { kind: 'loading' }
  | { kind: 'found'; deal: Deal }
  | { kind: 'missing' }
  | { kind: 'denied' }
  | { kind: 'failed' }

/** The server's copy of the deal: it names the deal's pipeline, and paints the page first. */
function useServerDeal(dealId: string): Loaded {
  const [state, setState] = useState<{ id: string; loaded: Loaded }>({
    id: dealId,
    loaded: { kind: 'loading' },
  })
  useEffect(() => {
    let current = true
    authApi.get(`/api/deals/${encodeURIComponent(dealId)}`, Deal).then(
      (deal) => {
        if (current) setState({ id: dealId, loaded: { kind: 'found', deal } })
      },
      (error: unknown) => {
        if (!current) return
        const kind: 'missing' | 'denied' | 'failed' =
          error instanceof ApiError && error.status === 404
            ? 'missing'
            : error instanceof ApiError && error.kind === 'forbidden'
              ? 'denied'
              : 'failed'
        setState({ id: dealId, loaded: { kind } })
      },
    )
    return () => {
      current = false
    }
  }, [dealId])
  return state.id === dealId ? state.loaded : { kind: 'loading' }
}

/** `#/deals/<id>`: every field of a deal, live from its own document `W/deal/D`, with its timeline and tasks. */
export function DealPage({ dealId }: { dealId: string }) {
  const loaded = useServerDeal(dealId)
  if (loaded.kind === 'denied')
    return (
      <div className="notice notice--error" data-testid="no-access">
        You do not have access to this deal.
      </div>
    )
  // The server's copy paints the page first; a deal the server does not know (yet) — created offline, or whose
  // creation has not reached the server — is in this browser's copy of the deal's own document.
  return <LiveDeal key={dealId} dealId={dealId} loaded={loaded} />
}

/** The key after the last card of each stage on the board `W/board/P` (this deal's own entry left out). */
function useColumnEnd(workspaceId: string, pipelineId: string | null, dealId: string) {
  const board = useDoc(pipelineId ? { workspaceId, kind: 'board', pipelineId } : null)
  const doc = board.doc
  return useCallback(
    (stageId: string): Position | null => {
      if (!doc) return null
      const keys = [...readBoardEntries(doc)]
        .filter(([id, card]) => id !== dealId && card.stageId === stageId)
        .map(([, card]) => card.key)
        .sort()
      return { column: stageId, key: keyForIndex(keys, keys.length) }
    },
    [doc, dealId],
  )
}

function LiveDeal({ dealId, loaded }: { dealId: string; loaded: Loaded }) {
  const { session } = useSession()
  const workspaceId = session.workspace.id
  const settings = useWorkspaceSettings(useDoc({ workspaceId, kind: 'workspace' }).doc)
  const dealDoc = useDoc(recordDocRef(workspaceId, 'deal', dealId))
  const deals = useLiveRecords(dealDoc.doc, DEALS)
  const live = deals.byId.get(dealId)
  const serverCopy = loaded.kind === 'found' ? loaded.deal : undefined
  const pipelineId = live?.pipelineId ?? serverCopy?.pipelineId ?? null
  const pipeline = settings?.pipelines.find((p) => p.id === pipelineId) ?? null
  const columnEnd = useColumnEnd(workspaceId, pipelineId, dealId)
  if (dealDoc.noAccess)
    return (
      <div className="notice notice--error" data-testid="no-access">
        You do not have access to this deal.
      </div>
    )
  const answered = loaded.kind !== 'loading'
  if (!live && (dealDoc.synced || (answered && dealDoc.ready && !serverCopy)))
    return loaded.kind === 'failed' && !dealDoc.synced ? (
      <div className="notice notice--error" data-testid="deal-unavailable">
        The deal could not be loaded, and this browser has no copy of it. Try again once you are online.
      </div>
    ) : (
      <div className="empty" data-testid="deal-missing">
        This deal does not exist or was deleted. <a href="#/pipelines">Back to the pipelines</a>
      </div>
    )
  if (!live && !serverCopy) return <div className="empty">Loading deal…</div>
  const deal = (live ?? serverCopy) as Deal
  return (
    <div className="record-page" data-testid="deal-page" data-deal={deal.id}>
      <div className="record-page__header">
        <a className="muted" href={`#/pipelines/${pipelineId}`}>
          ← {pipeline?.name ?? 'Pipeline'}
        </a>
        <h1 className="page__title record-page__title" data-testid="deal-title">
          {deal.title}
        </h1>
        <ArchiveButton
          kind="deals"
          id={deal.id}
          readOnly={dealDoc.readOnly}
          onArchived={() => {
            window.location.hash = `#/pipelines/${pipelineId}`
          }}
        />
      </div>
      <div className="record-page__grid">
        <div className="record-page__main">
          <DealDetails
            deal={deal}
            live={live !== undefined}
            doc={dealDoc.doc}
            provider={dealDoc.provider}
            readOnly={dealDoc.readOnly}
            stages={pipeline?.stages ?? []}
            deals={deals.byId}
            columnEnd={columnEnd}
          />
          <RecordTimeline accountId={deal.accountId} subject={{ kind: 'deal', id: deal.id }} />
        </div>
        <aside className="record-page__side">
          {deal.accountId ? (
            <TaskList scope={{ accountId: deal.accountId, dealId: deal.id }} title="Tasks for this deal" />
          ) : (
            <section className="panel">
              <h2 className="panel__title">Tasks for this deal</h2>
              <p className="muted">Link an account to add tasks: tasks live in the account's room.</p>
            </section>
          )}
          {deal.accountId && (
            <section className="panel">
              <h2 className="panel__title">Notes</h2>
              <p className="muted">
                Notes about this deal are kept with its account.{' '}
                <a href={`#/accounts/${deal.accountId}`} data-testid="deal-account-notes">
                  Open the account's notes
                </a>
              </p>
            </section>
          )}
        </aside>
      </div>
    </div>
  )
}
