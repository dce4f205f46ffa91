import { DEALS, Deal } from '@rapport/model'
import { type ReactNode, useCallback, useEffect, useState } from 'react'
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

/** The server's copy of the deal: it names the pipeline document the deal lives in, and paints the page first. */
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

/** `#/deals/<id>`: every field of a deal, live from its pipeline document, with its timeline and tasks. */
export function DealPage({ dealId }: { dealId: string }) {
  const loaded = useServerDeal(dealId)
  if (loaded.kind === 'loading') return <div className="empty">Loading deal…</div>
  if (loaded.kind === 'denied')
    return (
      <div className="notice notice--error" data-testid="no-access">
        You do not have access to this deal.
      </div>
    )
  if (loaded.kind === 'found')
    return <LiveDeal key={dealId} serverCopy={loaded.deal} pipelineId={loaded.deal.pipelineId} />
  // The server does not know the deal (yet), or cannot be reached: a deal created offline, or one whose creation
  // has not reached the server, is in this browser's copy of its pipeline.
  return (
    <LocalDeal
      key={dealId}
      dealId={dealId}
      notFound={
        loaded.kind === 'missing' ? (
          <div className="empty" data-testid="deal-missing">
            This deal does not exist or was deleted. <a href="#/pipelines">Back to the pipelines</a>
          </div>
        ) : (
          <div className="notice notice--error" data-testid="deal-unavailable">
            The deal could not be loaded, and this browser has no copy of it. Try again once you are online.
          </div>
        )
      }
    />
  )
}

/** Looks for the deal in every pipeline document this browser can open (its offline copy or the server's). */
function LocalDeal({ dealId, notFound }: { dealId: string; notFound: ReactNode }) {
  const { session } = useSession()
  const workspaceId = session.workspace.id
  const settings = useWorkspaceSettings(useDoc({ workspaceId, kind: 'workspace' }).doc)
  const [found, setFound] = useState<{ deal: Deal; pipelineId: string } | null>(null)
  const [searched, setSearched] = useState<ReadonlySet<string>>(() => new Set())
  const onSearched = useCallback(
    (pipelineId: string) =>
      setSearched((prev) => (prev.has(pipelineId) ? prev : new Set(prev).add(pipelineId))),
    [],
  )
  if (found) return <LiveDeal serverCopy={found.deal} pipelineId={found.pipelineId} />
  const pipelines = settings?.pipelines ?? []
  const done = settings !== null && pipelines.every((p) => searched.has(p.id))
  return (
    <>
      {pipelines.map((p) => (
        <PipelineProbe
          key={p.id}
          workspaceId={workspaceId}
          pipelineId={p.id}
          dealId={dealId}
          onFound={setFound}
          onSearched={onSearched}
        />
      ))}
      {done ? notFound : <div className="empty">Loading deal…</div>}
    </>
  )
}

/** Opens one pipeline document and reports whether it holds the deal, once its copy is loaded. */
function PipelineProbe(props: {
  workspaceId: string
  pipelineId: string
  dealId: string
  onFound: (found: { deal: Deal; pipelineId: string }) => void
  onSearched: (pipelineId: string) => void
}) {
  const { workspaceId, pipelineId, dealId, onFound, onSearched } = props
  const doc = useDoc({ workspaceId, kind: 'pipeline', pipelineId })
  const deal = useLiveRecords(doc.doc, DEALS).byId.get(dealId)
  useEffect(() => {
    if (deal) onFound({ deal, pipelineId })
  }, [deal, pipelineId, onFound])
  const searched = doc.ready || doc.noAccess
  useEffect(() => {
    if (searched) onSearched(pipelineId)
  }, [searched, pipelineId, onSearched])
  return null
}

function LiveDeal({ serverCopy, pipelineId }: { serverCopy: Deal; pipelineId: string }) {
  const { session } = useSession()
  const workspaceId = session.workspace.id
  const settings = useWorkspaceSettings(useDoc({ workspaceId, kind: 'workspace' }).doc)
  const pipeline = settings?.pipelines.find((p) => p.id === pipelineId) ?? null
  const dealsDoc = useDoc({ workspaceId, kind: 'pipeline', pipelineId })
  const deals = useLiveRecords(dealsDoc.doc, DEALS)
  const live = deals.byId.get(serverCopy.id)
  if (dealsDoc.noAccess)
    return (
      <div className="notice notice--error" data-testid="no-access">
        You do not have access to this deal.
      </div>
    )
  if (!live && dealsDoc.synced)
    return (
      <div className="empty" data-testid="deal-missing">
        This deal does not exist or was deleted. <a href="#/pipelines">Back to the pipelines</a>
      </div>
    )
  const deal = live ?? serverCopy
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
          readOnly={dealsDoc.readOnly}
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
            doc={dealsDoc.doc}
            provider={dealsDoc.provider}
            readOnly={dealsDoc.readOnly}
            stages={pipeline?.stages ?? []}
            deals={deals.byId}
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
