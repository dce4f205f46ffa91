import type { Pipeline } from '@rapport/model'
import { useRef } from 'react'
import { useDoc } from '../../collab/useDoc.ts'
import { useSession } from '../auth/SessionContext.tsx'
import { PipelineBoard } from './PipelineBoard.tsx'
import { useBoardSnapshot } from './useBoardSnapshot.ts'
import { useWorkspaceSettings } from './useWorkspaceSettings.ts'

/** Pipeline tabs (from the workspace settings document) and the board of the selected pipeline. */
export function PipelinesPage({ pipelineId }: { pipelineId: string | null }) {
  const { session } = useSession()
  const workspaceId = session.workspace.id
  const ws = useDoc({ workspaceId, kind: 'workspace' })
  const settings = useWorkspaceSettings(ws.ready ? ws.doc : null)
  // An empty offline copy is not an answer: the pipelines are known once they are there or the server has synced.
  const known = settings && (settings.pipelines.length > 0 || ws.synced) ? settings : null
  // Meanwhile the board of a linked pipeline paints from the server's snapshot.
  const snapshot = useBoardSnapshot(pipelineId, known === null)

  // The live board needs only its pipeline, which the snapshot carries: it places the cards from the faces and takes
  // moves (written to the deal documents once they sync) before the workspace document has synced. Same tree before and
  // after, so the board is not mounted again when the document arrives.
  const stable = useStablePipeline(known ? null : (snapshot?.pipeline ?? null))
  const early = stable && stable.id === pipelineId ? stable : null

  if (ws.noAccess)
    return <div className="notice notice--error">You do not have access to this workspace.</div>
  if (known && known.pipelines.length === 0)
    return <div className="empty">This workspace has no pipelines yet.</div>

  // An archived pipeline has no tab (Settings → Pipelines restores it); a link straight to it still opens its board.
  const shown = known ? known.pipelines.filter((p) => !p.archived || p.id === pipelineId) : []
  const fromDoc = known
    ? (known.pipelines.find((p) => p.id === pipelineId) ?? shown[0] ?? known.pipelines[0])
    : null
  // The document's pipeline replaces the snapshot's; an equal one keeps its object (no re-layout of the board).
  const pipeline = fromDoc && early && samePipeline(fromDoc, early) ? early : (fromDoc ?? early)
  if (!pipeline) return <div className="empty">Loading pipelines…</div>
  return (
    <div className="pipelines">
      <div className="tabs" role="tablist">
        {/* Until the document has synced, the board's own tab only (no shift of the board when the others come). */}
        {(known ? shown : [pipeline]).map((p) => (
          <a
            key={p.id}
            role="tab"
            aria-selected={p.id === pipeline.id}
            className={`tab${p.id === pipeline.id ? ' is-active' : ''}`}
            href={`#/pipelines/${p.id}`}
            data-testid={`pipeline-tab-${p.id}`}
          >
            {p.name}
          </a>
        ))}
      </div>
      <PipelineBoard key={pipeline.id} workspaceId={workspaceId} pipeline={pipeline} snapshot={snapshot} />
    </div>
  )
}

const samePipeline = (a: Pipeline, b: Pipeline): boolean => JSON.stringify(a) === JSON.stringify(b)

/** The last non-null pipeline given (the snapshot's, kept once the snapshot is no longer asked for). */
function useStablePipeline(pipeline: Pipeline | null): Pipeline | null {
  const last = useRef<Pipeline | null>(null)
  if (pipeline) last.current = pipeline
  return last.current
}
